/**
 * A new passphrase, typed twice, with its strength shown as it is typed: for a backup file and for
 * unlocking this device. The parent holds the values and asks `problemWith` before using them.
 */

import { useEffect, useState } from 'react';
import { type Estimator, loadEstimator, METER_MAX_BITS, MINIMUM_BITS, STRONG_BITS } from './passphrase.js';

const LEVEL_NAMES = { 'too-weak': 'too weak', fair: 'fair', strong: 'strong' } as const;

export interface NewPassphraseValue {
  readonly passphrase: string;
  readonly confirmation: string;
}

export const EMPTY_PASSPHRASE: NewPassphraseValue = { passphrase: '', confirmation: '' };

/** The strength estimator, once its dictionaries have loaded (they load when a form shows). */
export function useEstimator(): Estimator | undefined {
  const [estimator, setEstimator] = useState<{ estimate: Estimator } | undefined>(undefined);
  useEffect(() => {
    let current = true;
    void loadEstimator().then((estimate) => current && setEstimator({ estimate }));
    return () => {
      current = false;
    };
  }, []);
  return estimator?.estimate;
}

/**
 * Why these cannot be used, or undefined when they can. It waits for the estimator when a quick
 * submit comes before the dictionaries have loaded, rather than asking the patient to press again.
 */
export async function problemWith({
  passphrase,
  confirmation,
}: NewPassphraseValue): Promise<string | undefined> {
  const estimate = await loadEstimator().catch(() => undefined);
  if (!estimate)
    return 'The passphrase’s strength could not be checked (its word lists did not load): try again.';
  if (estimate(passphrase).level === 'too-weak') return 'Choose a stronger passphrase first.';
  if (confirmation !== passphrase) return 'The two passphrases are not the same.';
  return undefined;
}

export function NewPassphrase({
  id,
  value,
  onChange,
  estimate,
}: {
  /** Prefix of the fields' ids, unique on the page. */
  id: string;
  value: NewPassphraseValue;
  onChange(value: NewPassphraseValue): void;
  estimate: Estimator | undefined;
}) {
  const [shown, setShown] = useState(false);
  const strength = estimate && value.passphrase !== '' ? estimate(value.passphrase) : undefined;
  return (
    <>
      <div className="field">
        <label htmlFor={`${id}-passphrase`}>Passphrase</label>
        <input
          id={`${id}-passphrase`}
          type={shown ? 'text' : 'password'}
          autoComplete="new-password"
          value={value.passphrase}
          aria-describedby={`${id}-strength`}
          onChange={(event) => onChange({ ...value, passphrase: event.target.value })}
        />
        <div id={`${id}-strength`} className="strength" data-level={strength?.level}>
          <meter
            min={0}
            max={METER_MAX_BITS}
            low={MINIMUM_BITS}
            high={STRONG_BITS}
            optimum={METER_MAX_BITS}
            value={Math.min(strength?.bits ?? 0, METER_MAX_BITS)}
            aria-label="Passphrase strength"
          />
          <span data-testid="passphrase-strength">
            {value.passphrase === ''
              ? 'Four or more random words make a good passphrase.'
              : strength
                ? `Strength: ${LEVEL_NAMES[strength.level]} (about ${strength.bits} bits). ${strength.advice}`
                : 'Checking its strength…'}
          </span>
        </div>
      </div>
      <div className="field">
        <label htmlFor={`${id}-confirmation`}>Passphrase again</label>
        <input
          id={`${id}-confirmation`}
          type={shown ? 'text' : 'password'}
          autoComplete="new-password"
          value={value.confirmation}
          onChange={(event) => onChange({ ...value, confirmation: event.target.value })}
        />
      </div>
      <div className="field field-check">
        <input
          id={`${id}-show`}
          type="checkbox"
          checked={shown}
          onChange={(event) => setShown(event.target.checked)}
        />
        <label htmlFor={`${id}-show`}>Show passphrase</label>
      </div>
    </>
  );
}
