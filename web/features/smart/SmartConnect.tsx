/**
 * The connected record's part of "Fill from a health record": with a SMART session, the button that
 * reads the record from its server into the same review as a file; without one, in a build set up
 * for SMART, the button that starts a standalone launch (and a choice of server when there are
 * several). fhirclient is loaded only when the patient connects or reads.
 */

import { useId, useState } from 'react';
import type { Field } from '../../../shared/computations/computation.js';
import type { FieldProposal } from '../../../shared/fhir/propose.js';
import { SMART_CONFIG } from './build-config.js';
import { smartSessions, useSmartSession } from './session.js';

export function SmartConnect({
  fields,
  disabled,
  onRead,
}: {
  fields: readonly Field[];
  disabled: boolean;
  onRead(load: () => Promise<readonly FieldProposal[]>): void;
}) {
  const id = useId();
  const session = useSmartSession();
  const [issuer, setIssuer] = useState(SMART_CONFIG?.issuers[0] ?? '');
  const [failure, setFailure] = useState<string>();
  if (!SMART_CONFIG) return null;
  const config = SMART_CONFIG;

  if (session)
    return (
      <div className="record-connected">
        <div className="form-actions">
          <button
            type="button"
            disabled={disabled}
            aria-describedby={`${id}-help`}
            onClick={() =>
              onRead(async () => {
                const { proposalsOfConnection } = await import('./read-connected.js');
                return proposalsOfConnection(session, fields, new Date());
              })
            }
          >
            Fill from your health record (connected)
          </button>
          <button type="button" className="secondary" onClick={() => smartSessions.set(undefined)}>
            Disconnect
          </button>
        </div>
        <p id={`${id}-help`} className="field-help">
          Read from {new URL(session.issuer).host} with the access you granted; the access is held in this
          page only, until you close it or disconnect.
        </p>
      </div>
    );

  async function connect() {
    setFailure(undefined);
    try {
      const { startStandaloneLaunch } = await import('./launch.js');
      await startStandaloneLaunch(config, issuer, window.location.pathname);
    } catch (error) {
      setFailure(
        error instanceof Error && error.name === 'SmartLaunchError'
          ? error.message
          : 'The health record server could not be reached. Nothing was connected.',
      );
    }
  }

  return (
    <div className="record-connected">
      {config.issuers.length > 1 && (
        <>
          <label htmlFor={`${id}-issuer`}>Your health record’s server</label>
          <select id={`${id}-issuer`} value={issuer} onChange={(event) => setIssuer(event.target.value)}>
            {config.issuers.map((i) => (
              <option key={i} value={i}>
                {new URL(i).host}
              </option>
            ))}
          </select>
        </>
      )}
      <div className="form-actions">
        <button
          type="button"
          disabled={disabled}
          aria-describedby={`${id}-help`}
          onClick={() => void connect()}
        >
          Connect your health record
        </button>
      </div>
      <p id={`${id}-help`} className="field-help">
        Sign in at your health record’s server and allow this app to read your record
        {config.write && ' (and, if you allow it, to add results you choose to save there from your history)'}
        ; you come back here and see every value before it fills the form.
      </p>
      {failure && (
        <div className="alert" role="alert">
          <p className="alert-title">Your health record was not connected</p>
          <p>{failure}</p>
        </div>
      )}
    </div>
  );
}
