/**
 * Every result computed on this device, per computation: a chart over time and a table of entries,
 * each of which can be decrypted again with the keys it was encrypted to, or deleted.
 */

import { useState } from 'react';
import { COMPUTATIONS, findComputation } from '../../../shared/computations/catalog.js';
import { ConfirmDialog } from '../../app/ConfirmDialog.js';
import { count, formatDateTime } from '../../app/format.js';
import { useTask } from '../../app/useTask.js';
import { decryptResult } from '../../crypto/client.js';
import type { KeySetInfo } from '../../crypto/protocol.js';
import type { KeyringState } from '../keys/useKeyring.js';
import { HistoryChart } from './HistoryChart.js';
import { deleteAllHistory, deleteEntry, type HistoryEntry, keySetOf } from './store.js';
import { describeInputs } from './summary.js';
import { useHistory } from './useHistory.js';
import './history.css';

/** Entries per computation: catalog order first, then computations this version no longer offers. */
function byComputation(entries: readonly HistoryEntry[]): [string, HistoryEntry[]][] {
  const groups = new Map<string, HistoryEntry[]>(COMPUTATIONS.map((computation) => [computation.id, []]));
  for (const entry of entries) {
    const group = groups.get(entry.computationId) ?? [];
    group.push(entry);
    groups.set(entry.computationId, group);
  }
  return [...groups].filter(([, group]) => group.length > 0);
}

export function HistoryPage({ keys }: { keys: KeyringState }) {
  const history = useHistory();
  const [confirmingClear, setConfirmingClear] = useState(false);
  const clearing = useTask(deleteAllHistory);
  // Undefined until the keys are loaded: no entry is called unreadable before they are.
  const keySets = keys.status === 'ready' ? [keys.keyring.current, ...keys.keyring.older] : undefined;

  return (
    <>
      <p className="lead">
        Every result you compute is kept here, in this browser only: nothing of it is sent anywhere. Backups
        made on the Keys page include it.
      </p>
      {history.status === 'loading' && <p role="status">Reading your history…</p>}
      {history.status === 'failed' && (
        <div className="alert" role="alert">
          <p className="alert-title">Your history could not be read.</p>
          <p>{history.message}</p>
        </div>
      )}
      {history.status === 'ready' && (
        <>
          {history.entries.length === 0 && (
            <p data-testid="history-empty">No results yet. Results you compute appear here.</p>
          )}
          {byComputation(history.entries).map(([computationId, entries]) => (
            <HistorySection
              key={computationId}
              computationId={computationId}
              entries={entries}
              keySets={keySets}
              current={keys.status === 'ready' ? keys.keyring.current : undefined}
            />
          ))}
          {history.unreadable > 0 && (
            <p className="field-help">
              {count(history.unreadable, 'stored entry', 'stored entries')} could not be read by this version
              of the app and {history.unreadable === 1 ? 'is' : 'are'} left as stored.
            </p>
          )}
          {history.entries.length > 0 && (
            <div className="form-actions history-actions">
              <button type="button" className="danger" onClick={() => setConfirmingClear(true)}>
                Delete all history
              </button>
            </div>
          )}
          {clearing.state.status === 'failed' && (
            <p role="alert" className="field-error">
              {clearing.state.message}
            </p>
          )}
          <ConfirmDialog
            open={confirmingClear}
            title="Delete all history?"
            confirmLabel="Delete all history"
            onConfirm={() => void clearing.run()}
            onClose={() => setConfirmingClear(false)}
          >
            <p className="warning">
              {count(history.entries.length, 'result')} and the values you entered for them will be deleted
              from this browser. This cannot be undone; a backup made before now still holds them.
            </p>
          </ConfirmDialog>
        </>
      )}
    </>
  );
}

function HistorySection(props: {
  computationId: string;
  entries: readonly HistoryEntry[];
  keySets: readonly KeySetInfo[] | undefined;
  current: KeySetInfo | undefined;
}) {
  const { computationId, entries, keySets, current } = props;
  const computation = findComputation(computationId);
  const title = computation?.title ?? computationId;
  const headingId = `history-${computationId}`;
  // Newest first in the table; the chart runs oldest to newest, left to right.
  const newestFirst = [...entries].reverse();

  return (
    <section className="panel history-section" aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      <HistoryChart title={title} entries={entries} />
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a region wider than the screen must be scrollable by keyboard (WCAG 2.1.1) */}
      <section className="table-scroll" aria-label={`${title}: every result`} tabIndex={0}>
        <table className="history-table">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Entered</th>
              <th scope="col">Result</th>
              <th scope="col">Encrypted to</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {newestFirst.map((entry) => (
              <HistoryRow
                key={entry.id}
                entry={entry}
                keySet={keySets && (keySetOf(entry, keySets) ?? 'gone')}
                current={current}
              />
            ))}
          </tbody>
        </table>
      </section>
    </section>
  );
}

/** Decrypts the entry's stored answer again with the keys it was encrypted to, and interprets it. */
async function decryptAgain(entry: HistoryEntry) {
  const computation = findComputation(entry.computationId);
  if (computation?.version !== entry.computationVersion) {
    throw new Error('This version of the app no longer has the computation this result came from.');
  }
  const outputs = await decryptResult(entry.computationId, entry.sealed.publicKey, entry.sealed.response);
  return computation.interpret(outputs, entry.inputs);
}

function HistoryRow(props: {
  entry: HistoryEntry;
  /** `'gone'`: deleted, or from another device; undefined while the keys load. */
  keySet: KeySetInfo | 'gone' | undefined;
  current: KeySetInfo | undefined;
}) {
  const { entry, keySet, current } = props;
  const check = useTask(decryptAgain);
  const removal = useTask(deleteEntry);
  const when = formatDateTime(entry.computedAt);

  return (
    <tr data-testid="history-entry">
      <td>
        <time dateTime={entry.computedAt}>{when}</time>
      </td>
      <td>{describeInputs(findComputation(entry.computationId), entry.inputs)}</td>
      <td>
        <span className="history-value" data-testid="history-value">
          {entry.result.display}
        </span>{' '}
        <span className="history-category">{entry.result.category}</span>
        {check.state.status === 'done' && (
          <span role="status" className="task-done" data-testid="decrypted-again">
            Decrypted again: {check.state.value.display}
            {check.state.value.display === entry.result.display
              ? ', as recorded.'
              : ', which differs from the record.'}
          </span>
        )}
        {check.state.status === 'failed' && (
          <span role="alert" className="field-error">
            {check.state.message}
          </span>
        )}
      </td>
      <td>
        {keySet === undefined && '…'}
        {keySet === 'gone' && 'keys no longer on this device'}
        {typeof keySet === 'object' && (
          <>
            <code>{keySet.fingerprint}</code> {keySet.id === current?.id ? '(in use)' : '(older keys)'}
          </>
        )}
      </td>
      <td>
        <div className="row-actions">
          <button
            type="button"
            className="secondary"
            onClick={() => void check.run(entry)}
            aria-busy={check.state.status === 'running'}
          >
            Decrypt again<span className="visually-hidden"> the result of {when}</span>
          </button>
          <button type="button" className="secondary" onClick={() => void removal.run(entry.id)}>
            Delete<span className="visually-hidden"> the result of {when}</span>
          </button>
        </div>
        {removal.state.status === 'failed' && (
          <span role="alert" className="field-error">
            {removal.state.message}
          </span>
        )}
      </td>
    </tr>
  );
}
