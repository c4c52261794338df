/**
 * How this device's keys and history are protected at rest: with what they unlock, when they lock by
 * themselves, "Lock now" — or, with no protection, a standing warning that says what that means, and
 * the way to protect them.
 */

import { useState } from 'react';
import { useTask } from '../../app/useTask.js';
import { lockNow, setIdleMinutes } from '../../crypto/client.js';
import type { VaultState } from '../../crypto/protocol.js';
import { ProtectionChoice } from './UnlockScreen.js';

const IDLE_CHOICES: readonly { readonly minutes: number; readonly label: string }[] = [
  { minutes: 1, label: '1 minute' },
  { minutes: 5, label: '5 minutes' },
  { minutes: 15, label: '15 minutes' },
  { minutes: 30, label: '30 minutes' },
  { minutes: 60, label: '1 hour' },
  { minutes: 240, label: '4 hours' },
];

function unlockedWith(vault: Extract<VaultState, { status: 'unlocked' }>): string {
  if (vault.passkey && vault.passphrase) return 'your passkey or your passphrase';
  return vault.passkey ? 'your passkey' : 'your passphrase';
}

export function ProtectionPanel({
  vault,
  adopt,
}: {
  vault: Extract<VaultState, { status: 'unlocked' }>;
  adopt(state: VaultState): void;
}) {
  const [choosing, setChoosing] = useState(false);
  const idle = useTask(async (minutes: number) => adopt(await setIdleMinutes(minutes)));
  const locking = useTask(async () => adopt(await lockNow()));

  if (!vault.protected) {
    return (
      <section className="panel" aria-labelledby="protection-heading">
        <h2 id="protection-heading">Protection on this device</h2>
        <div className="warning" data-testid="no-protection-warning">
          <p>
            <strong>No protection on this device.</strong> Your keys and every result are stored so that
            anyone who can open this browser’s files — another user of this computer, a copy or backup of it,
            whoever has this phone — and any script that runs on this site can read them.
          </p>
        </div>
        {choosing ? (
          <ProtectionChoice migrating={false} adopt={adopt} />
        ) : (
          <button type="button" onClick={() => setChoosing(true)}>
            Protect this device
          </button>
        )}
      </section>
    );
  }

  return (
    <section className="panel" aria-labelledby="protection-heading">
      <h2 id="protection-heading">Protection on this device</h2>
      <p data-testid="protection-status">
        Your keys and history are encrypted on this device and unlock with {unlockedWith(vault)}. Unlocked,
        they stay in this app’s memory only, and lock again when you close the last tab of Sealed Vitals.
      </p>
      <div className="field">
        <label htmlFor="idle-minutes">Lock by itself after</label>
        <select
          id="idle-minutes"
          value={vault.idleMinutes}
          onChange={(event) => void idle.run(Number(event.target.value))}
        >
          {IDLE_CHOICES.map((choice) => (
            <option key={choice.minutes} value={choice.minutes}>
              {choice.label} without use
            </option>
          ))}
        </select>
      </div>
      <p>
        <button type="button" onClick={() => void locking.run()}>
          Lock now
        </button>
      </p>
      {[idle, locking].map(
        (task, i) =>
          task.state.status === 'failed' && (
            <p key={i === 0 ? 'idle' : 'lock'} role="alert" className="field-error">
              {task.state.message}
            </p>
          ),
      )}
    </section>
  );
}
