/**
 * "Save to your health record" for one history entry: shown only in a build set up for write-back,
 * with a connected record whose granted scopes allow creating this result's resource type. The
 * click opens a confirmation that says what is written (the resource type, the value, the server
 * and the patient); only its Save writes, once, and the page then shows the created resource's id
 * or the server's reason for refusing.
 */

import { useState } from 'react';
import type { Computation } from '../../../shared/computations/computation.js';
import { ConfirmDialog } from '../../app/ConfirmDialog.js';
import { formatDateTime } from '../../app/format.js';
import type { HistoryEntry } from '../history/entry.js';
import type { FhirExportOptions } from '../history/fhir-export.js';
import { SMART_CONFIG } from './build-config.js';
import { grantsCreate } from './scopes.js';
import { useSmartSession } from './session.js';
import { RecordWriteError, resourceForRecord, saveToRecord, writtenValue } from './write-back.js';

type Saving =
  | { readonly status: 'idle' }
  | { readonly status: 'saving' }
  | { readonly status: 'saved'; readonly reference: string | undefined; readonly host: string }
  | { readonly status: 'failed'; readonly message: string };

export function SaveToRecord(props: {
  entry: HistoryEntry;
  computation: Computation | undefined;
  exportOptions: FhirExportOptions;
  /** The entry's time as the row shows it, to name the button for a screen reader. */
  when: string;
}) {
  const { entry, computation, exportOptions, when } = props;
  const session = useSmartSession();
  const [confirming, setConfirming] = useState(false);
  const [saving, setSaving] = useState<Saving>({ status: 'idle' });
  if (!SMART_CONFIG?.write || !session) return null;
  const resource = resourceForRecord(entry, computation, exportOptions, session.patientId);
  if (!grantsCreate(session.grantedScope, resource.resourceType)) return null;
  const host = new URL(session.issuer).host;
  const title = computation?.title ?? entry.computationId;
  const inputs = resource.contained?.filter((r) => r.resourceType === 'Observation').length ?? 0;

  async function save() {
    if (!session) return;
    setSaving({ status: 'saving' });
    try {
      const saved = await saveToRecord(session, resource);
      setSaving({ status: 'saved', reference: saved.reference, host });
    } catch (error) {
      setSaving({
        status: 'failed',
        message:
          error instanceof RecordWriteError
            ? error.message
            : 'The result could not be sent to your health record. Nothing was saved.',
      });
    }
  }

  return (
    <>
      {saving.status !== 'saved' && (
        <button
          type="button"
          className="secondary"
          disabled={saving.status === 'saving'}
          aria-busy={saving.status === 'saving'}
          onClick={() => setConfirming(true)}
        >
          Save to your health record<span className="visually-hidden"> the result of {when}</span>
        </button>
      )}
      {saving.status === 'saved' && (
        <span role="status" className="task-done" data-testid="saved-to-record">
          Saved to your health record at {saving.host}
          {saving.reference ? ` as ${saving.reference}` : ' (the server did not say under which id)'}.
        </span>
      )}
      {saving.status === 'failed' && (
        <span role="alert" className="field-error" data-testid="save-to-record-failed">
          {saving.message}
        </span>
      )}
      <ConfirmDialog
        open={confirming}
        title="Save this result to your health record?"
        confirmLabel="Save to my record"
        onConfirm={() => void save()}
        onClose={() => setConfirming(false)}
      >
        <p>
          This writes one <strong>{resource.resourceType}</strong> to your health record at{' '}
          <strong>{host}</strong> ({session.issuer}), about <code>Patient/{session.patientId}</code>:
        </p>
        <p data-testid="record-write-summary">
          {title}: <strong>{writtenValue(resource)}</strong> ({entry.result.category}), computed{' '}
          {formatDateTime(entry.computedAt)}.
        </p>
        <p>
          With it go the {inputs === 1 ? 'value' : `${inputs} values`} you entered, the calculator’s version
          and fingerprint, and a note that your device checked the result’s proof. Nothing else is written.
          Once saved, only your health record’s provider can remove it.
        </p>
      </ConfirmDialog>
    </>
  );
}
