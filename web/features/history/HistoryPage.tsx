/**
 * Every result computed on this device, per computation: a chart over time and the entries (a table
 * on a wide screen, cards on a phone), each of which can be decrypted again with the keys it was
 * encrypted to, or deleted (with an undo). The whole history exports as CSV or as a FHIR Bundle
 * (each entry as a FHIR file of its own too) and prints as a summary for a doctor; with a connected
 * health record that allows it, an entry can be saved to that record (web/features/smart/SaveToRecord).
 */

import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { CATALOG_PATH_V2 } from '../../../shared/api.js';
import type { Computation } from '../../../shared/computations/computation.js';
import { ConfirmDialog } from '../../app/ConfirmDialog.js';
import { type Catalog, findInCatalog, useCatalog } from '../../app/catalog.js';
import { count, formatDateTime } from '../../app/format.js';
import { useTask } from '../../app/useTask.js';
import { decryptResult } from '../../crypto/client.js';
import type { KeySetInfo } from '../../crypto/protocol.js';
import type { KeyringState } from '../keys/useKeyring.js';
import { SaveToRecord } from '../smart/SaveToRecord.js';
import { downloadFile } from './download.js';
import { historyToCsv } from './export.js';
import { entryToFhir, type FhirExportOptions, historyToFhirBundle } from './fhir-export.js';
import { HistoryChart } from './HistoryChart.js';
import { PrintableSummary } from './PrintableSummary.js';
import { deleteAllHistory, deleteEntry, type HistoryEntry, keySetOf, mergeHistory } from './store.js';
import { describeInputs } from './summary.js';
import { useHistory } from './useHistory.js';
import './history.css';

/** Entries per computation: catalog order first, then computations the catalog no longer offers. */
function byComputation(entries: readonly HistoryEntry[], catalog: Catalog): [string, HistoryEntry[]][] {
  const groups = new Map<string, HistoryEntry[]>(
    catalog.computations.map((computation) => [computation.id, []]),
  );
  for (const entry of entries) {
    const group = groups.get(entry.computationId) ?? [];
    group.push(entry);
    groups.set(entry.computationId, group);
  }
  return [...groups].filter(([, group]) => group.length > 0);
}

/** Cards below this width: a table's five columns would wrap a word per line. */
const NARROW = '(max-width: 40rem)';

function useNarrowScreen(): boolean {
  return useSyncExternalStore(
    (onChange) => {
      const query = window.matchMedia(NARROW);
      query.addEventListener('change', onChange);
      return () => query.removeEventListener('change', onChange);
    },
    () => window.matchMedia(NARROW).matches,
  );
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

function downloadCsv(entries: readonly HistoryEntry[], catalog: Catalog): void {
  downloadFile(
    historyToCsv(entries, catalog),
    'text/csv;charset=utf-8',
    `sealed-vitals-history-${today()}.csv`,
  );
}

/** The code system of computation ids: the catalog of the service the app computes with. */
function fhirOptions(): FhirExportOptions {
  const catalog = `${import.meta.env.VITE_API_BASE_URL ?? ''}${CATALOG_PATH_V2}`;
  return { catalogUrl: new URL(catalog, window.location.href).href };
}

const FHIR_JSON = 'application/fhir+json';

function downloadFhirBundle(entries: readonly HistoryEntry[], catalog: Catalog): void {
  const bundle = historyToFhirBundle(entries, (entry) => findInCatalog(catalog, entry.computationId), {
    ...fhirOptions(),
    now: new Date(),
  });
  downloadFile(JSON.stringify(bundle, null, 2), FHIR_JSON, `sealed-vitals-history-${today()}.fhir.json`);
}

function downloadFhirEntry(entry: HistoryEntry, computation: Computation | undefined): void {
  const resource = entryToFhir(entry, computation, fhirOptions());
  const name = entry.computationId.replace(/[^A-Za-z0-9-]/g, '-');
  downloadFile(
    JSON.stringify(resource, null, 2),
    FHIR_JSON,
    `sealed-vitals-${name}-${entry.computedAt.slice(0, 10)}.fhir.json`,
  );
}

/** The entry just deleted, kept in memory (only) so that Undo can put it back as it was. */
interface Deleted {
  readonly entry: HistoryEntry;
  readonly restored: boolean;
}

export function HistoryPage({ keys }: { keys: KeyringState }) {
  const history = useHistory();
  // Titles and fields of the service's models too, not only of the computations the app ships.
  const catalog = useCatalog();
  const narrow = useNarrowScreen();
  const [confirmingClear, setConfirmingClear] = useState(false);
  const clearing = useTask(deleteAllHistory);
  const [deleted, setDeleted] = useState<Deleted | undefined>(undefined);
  const [deleteProblem, setDeleteProblem] = useState<string | undefined>(undefined);
  const undoButton = useRef<HTMLButtonElement>(null);

  // The deleted row's button is gone: focus goes to Undo, so the keyboard is not dropped on the page.
  useEffect(() => {
    if (deleted && !deleted.restored) undoButton.current?.focus();
  }, [deleted]);

  async function remove(entry: HistoryEntry) {
    try {
      await deleteEntry(entry.id);
      setDeleteProblem(undefined);
      setDeleted({ entry, restored: false });
    } catch {
      setDeleteProblem(
        'The result could not be deleted: this browser did not let the app change its history.',
      );
    }
  }

  async function undo() {
    if (!deleted) return;
    // The same entry again (same id and date): merging adds it back since it is no longer here.
    await mergeHistory([deleted.entry]);
    setDeleted({ ...deleted, restored: true });
  }
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
      <div role="status" className="undo-status">
        {deleted && !deleted.restored && (
          <p className="undo-notice" data-testid="undo-notice">
            Deleted the result of {formatDateTime(deleted.entry.computedAt)}.{' '}
            <button ref={undoButton} type="button" className="secondary" onClick={() => void undo()}>
              Undo
            </button>
          </p>
        )}
        {deleted?.restored && <p className="task-done">The result is back in your history.</p>}
      </div>
      {deleteProblem && (
        <p role="alert" className="field-error">
          {deleteProblem}
        </p>
      )}
      {history.status === 'ready' && (
        <>
          {history.entries.length === 0 && (
            <p data-testid="history-empty">No results yet. Results you compute appear here.</p>
          )}
          {history.entries.length > 0 && (
            <section className="panel history-export" aria-labelledby="export-heading">
              <h2 id="export-heading">For your doctor</h2>
              <p>
                Print a summary of every result (or save it as a PDF from the print dialog), download them as
                a spreadsheet file, or as a FHIR file that a clinic’s health-record system can read (each
                result, its values and the calculator’s version). All are made on this device and sent
                nowhere.
              </p>
              <div className="form-actions">
                <button type="button" onClick={() => window.print()}>
                  Print a summary
                </button>
                <button
                  type="button"
                  className="secondary"
                  onClick={() => downloadCsv(history.entries, catalog)}
                >
                  Download as CSV
                </button>
                <button
                  type="button"
                  className="secondary"
                  onClick={() => downloadFhirBundle(history.entries, catalog)}
                >
                  Download as FHIR
                </button>
              </div>
            </section>
          )}
          {byComputation(history.entries, catalog).map(([computationId, entries]) => (
            <HistorySection
              key={computationId}
              computationId={computationId}
              computation={findInCatalog(catalog, computationId)}
              entries={entries}
              keySets={keySets}
              current={keys.status === 'ready' ? keys.keyring.current : undefined}
              narrow={narrow}
              onDelete={(entry) => void remove(entry)}
            />
          ))}
          <PrintableSummary entries={history.entries} catalog={catalog} />
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
  computation: Computation | undefined;
  entries: readonly HistoryEntry[];
  keySets: readonly KeySetInfo[] | undefined;
  current: KeySetInfo | undefined;
  narrow: boolean;
  onDelete(entry: HistoryEntry): void;
}) {
  const { computationId, computation, entries, keySets, current, narrow, onDelete } = props;
  const title = computation?.title ?? computationId;
  const headingId = `history-${computationId}`;
  // Newest first in the list; the chart runs oldest to newest, left to right.
  const newestFirst = [...entries].reverse();
  const entryProps = (entry: HistoryEntry) => ({
    entry,
    computation,
    keySet: keySets && (keySetOf(entry, keySets) ?? ('gone' as const)),
    current,
    onDelete: () => onDelete(entry),
  });

  return (
    <section className="panel history-section" aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      <HistoryChart title={title} entries={entries} />
      {narrow ? (
        <ol className="history-cards" aria-label={`${title}: every result`}>
          {newestFirst.map((entry) => (
            <HistoryCard key={entry.id} {...entryProps(entry)} />
          ))}
        </ol>
      ) : (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a region wider than the screen must be scrollable by keyboard (WCAG 2.1.1)
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
                <HistoryRow key={entry.id} {...entryProps(entry)} />
              ))}
            </tbody>
          </table>
        </section>
      )}
    </section>
  );
}

/**
 * Checks the entry's kept answer's proof again and decrypts it with the keys it was encrypted to, in
 * the worker, with the computation of the entry's own version (not the catalog's, which may be newer).
 */
function decryptAgain(entry: HistoryEntry) {
  return decryptResult(entry.id);
}

interface EntryProps {
  entry: HistoryEntry;
  /** What the entry was computed with, as the catalog has it (undefined: no longer offered). */
  computation: Computation | undefined;
  /** `'gone'`: deleted, or from another device; undefined while the keys load. */
  keySet: KeySetInfo | 'gone' | undefined;
  current: KeySetInfo | undefined;
  onDelete(): void;
}

/** What a table row and a card both show of an entry, and its two actions. */
function useEntryParts({ entry, computation, keySet, current, onDelete }: EntryProps) {
  const check = useTask(decryptAgain);
  const when = formatDateTime(entry.computedAt);
  return {
    when: <time dateTime={entry.computedAt}>{when}</time>,
    entered: describeInputs(computation, entry.inputs),
    result: (
      <>
        <span className="history-value" data-testid="history-value">
          {entry.result.display}
        </span>{' '}
        <span className="history-category">{entry.result.category}</span>
        {check.state.status === 'done' && (
          <span role="status" className="task-done">
            <span data-testid="decrypted-again">
              Decrypted again: {check.state.value.result.display}
              {check.state.value.result.display === entry.result.display
                ? ', as recorded.'
                : ', which differs from the record.'}
            </span>{' '}
            <span data-testid="proof-rechecked">
              {check.state.value.proof === 'checked'
                ? 'Its proof was checked again before decrypting.'
                : 'Its proof could not be checked again: an earlier version of this app kept it without ' +
                  'the request its proof is bound to. The proof was checked when it was computed.'}
            </span>
          </span>
        )}
        {check.state.status === 'failed' && (
          <span role="alert" className="field-error">
            {check.state.message}
          </span>
        )}
      </>
    ),
    keys: (
      <>
        {keySet === undefined && '…'}
        {keySet === 'gone' && 'keys no longer on this device'}
        {typeof keySet === 'object' && (
          <>
            <code>{keySet.fingerprint}</code> {keySet.id === current?.id ? '(in use)' : '(older keys)'}
          </>
        )}
      </>
    ),
    actions: (
      <div className="row-actions">
        <button
          type="button"
          className="secondary"
          onClick={() => void check.run(entry)}
          aria-busy={check.state.status === 'running'}
        >
          Decrypt again<span className="visually-hidden"> the result of {when}</span>
        </button>
        <button type="button" className="secondary" onClick={() => downloadFhirEntry(entry, computation)}>
          FHIR file<span className="visually-hidden"> of the result of {when}</span>
        </button>
        <SaveToRecord entry={entry} computation={computation} exportOptions={fhirOptions()} when={when} />
        <button type="button" className="secondary" onClick={onDelete}>
          Delete<span className="visually-hidden"> the result of {when}</span>
        </button>
      </div>
    ),
  };
}

function HistoryRow(props: EntryProps) {
  const parts = useEntryParts(props);
  return (
    <tr data-testid="history-entry">
      <td>{parts.when}</td>
      <td>{parts.entered}</td>
      <td>{parts.result}</td>
      <td>{parts.keys}</td>
      <td>{parts.actions}</td>
    </tr>
  );
}

function HistoryCard(props: EntryProps) {
  const parts = useEntryParts(props);
  return (
    <li className="history-card" data-testid="history-entry">
      <p className="history-card-when">{parts.when}</p>
      <p className="history-card-result">{parts.result}</p>
      <dl className="history-card-facts">
        <dt>Entered</dt>
        <dd>{parts.entered}</dd>
        <dt>Encrypted to</dt>
        <dd>{parts.keys}</dd>
      </dl>
      {parts.actions}
    </li>
  );
}
