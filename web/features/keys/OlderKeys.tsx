import { useState } from 'react';
import { ConfirmDialog } from '../../app/ConfirmDialog.js';
import { count } from '../../app/format.js';
import { useTask } from '../../app/useTask.js';
import { deleteKeySet } from '../../crypto/client.js';
import type { KeySetInfo } from '../../crypto/protocol.js';
import type { HistoryEntry } from '../history/store.js';
import { keySetOf } from '../history/store.js';
import { KeySetFacts } from './KeySetFacts.js';

function resultsLine(results: number): string {
  if (results === 0) return 'No result in your history was encrypted to these keys.';
  return `${count(results, 'result')} in your history ${results === 1 ? 'was' : 'were'} encrypted to these keys.`;
}

/** Replaced key sets, each with how many history results depend on it and a guarded delete. */
export function OlderKeys({
  older,
  history,
}: {
  older: readonly KeySetInfo[];
  history: readonly HistoryEntry[];
}) {
  const [confirming, setConfirming] = useState<KeySetInfo | undefined>(undefined);
  const deletion = useTask(deleteKeySet);
  const dependents = (set: KeySetInfo) =>
    history.filter((entry) => keySetOf(entry, [set]) !== undefined).length;

  return (
    <section className="panel" aria-labelledby="older-heading">
      <h2 id="older-heading">Older keys</h2>
      {older.length === 0 ? (
        <p>None. Keys you replace stay here until you delete them.</p>
      ) : (
        <ul className="key-sets">
          {older.map((set) => (
            <li key={set.id} className="key-set">
              <KeySetFacts set={set} />
              <p>{resultsLine(dependents(set))}</p>
              <button type="button" className="danger" onClick={() => setConfirming(set)}>
                Delete keys <code>{set.fingerprint}</code>
              </button>
            </li>
          ))}
        </ul>
      )}
      {deletion.state.status === 'done' && (
        <p role="status" className="task-done">
          The keys were deleted.
        </p>
      )}
      {deletion.state.status === 'failed' && (
        <p role="alert" className="field-error">
          {deletion.state.message}
        </p>
      )}
      <ConfirmDialog
        open={confirming !== undefined}
        title={`Delete keys ${confirming?.fingerprint ?? ''}?`}
        confirmLabel="Delete these keys"
        onConfirm={() => confirming && void deletion.run(confirming.id)}
        onClose={() => setConfirming(undefined)}
      >
        <p className="warning">
          Results encrypted to these keys become unreadable: no one — not you, not the service — can ever
          decrypt them again, on this device or from a backup made after now.
        </p>
        <p>
          {confirming && resultsLine(dependents(confirming))} Your history keeps the values recorded when they
          were computed. A backup made before now still holds these keys.
        </p>
      </ConfirmDialog>
    </section>
  );
}
