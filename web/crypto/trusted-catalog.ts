/**
 * The app's check of the service's v2 catalog against the transparency log (shared/catalog-trust.ts).
 * Two checks of the same catalog:
 * - for browsing (the page's list and the worker's warm-up): the log's checkpoint and proofs, with no
 *   state, so the list is the same while the device is locked;
 * - for computing (the worker, unlocked): also against the sealed state of what this device accepted
 *   before (its last checkpoint, the versions it used), which it then keeps.
 * Each once per worker; the page lists what the worker's browsing check found (`checkedEntries`), so
 * the catalog and the log are fetched once at start. Offline, the catalog kept from the last visit is
 * checked again with the checkpoint and proofs kept with it; with nothing kept, the computations this
 * app ships.
 */

import { createStore, get, set } from 'idb-keyval';
import { CATALOG_PATH_V2 } from '../../shared/api.js';
import {
  type CatalogCheck,
  checkCatalog,
  EMPTY_TRUST_STATE,
  type Verdict,
} from '../../shared/catalog-trust.js';
import { COMPUTATIONS, findComputation } from '../../shared/computations/catalog.js';
import type { Computation } from '../../shared/computations/computation.js';
import { DeclarationRefusedError } from '../../shared/errors.js';
import { isRecord } from '../../shared/records.js';
import { LOG_POLICY } from '../transparency/policy.js';
import { apiUrl } from './exchange.js';
import { HttpLogClient, isLogRecord, type LogRecord, ReplayLogClient } from './log-client.js';
import type { CheckedEntry } from './protocol.js';
import { readTrustState, writeTrustState } from './sealed-records.js';

/** The last catalog and what its check fetched from the log, for offline use; checked again each time. */
const store = createStore('sealed-vitals-declarations', 'pins');
const LAST_CATALOG = 'last-catalog-logged';

interface Fetched {
  readonly catalog: unknown;
  readonly log: HttpLogClient | ReplayLogClient;
  readonly offline: boolean;
}

async function fetchCatalog(): Promise<Fetched> {
  try {
    const response = await fetch(apiUrl(CATALOG_PATH_V2), { headers: { accept: 'application/json' } });
    if (!response.ok) throw new Error(`catalog: HTTP ${response.status}`);
    return { catalog: (await response.json()) as unknown, log: new HttpLogClient(), offline: false };
  } catch (error) {
    const kept: unknown = await get(LAST_CATALOG, store).catch(() => undefined);
    if (!isRecord(kept) || !isLogRecord(kept.log)) throw error;
    return { catalog: kept.catalog, log: new ReplayLogClient(kept.log), offline: true };
  }
}

async function keep(catalog: unknown, log: LogRecord): Promise<void> {
  await set(LAST_CATALOG, { catalog, log }, store).catch(() => undefined);
}

async function check(stateful: boolean): Promise<CatalogCheck & { offline: boolean }> {
  const started = performance.now();
  const { catalog, log, offline } = await fetchCatalog();
  const state = stateful ? await readTrustState() : EMPTY_TRUST_STATE;
  const checked = await checkCatalog(catalog, LOG_POLICY, log, state);
  if (stateful && checked.state !== state) await writeTrustState(checked.state);
  // A check the network cut short keeps nothing: the record it would keep lacks the log's answers.
  if (!offline && !(log instanceof HttpLogClient && log.cutShort)) await keep(catalog, log.record);
  // A User Timing measure, in the browser's performance tools and read by the benchmark (bench/log.ts).
  performance.measure('sealed-vitals:catalog-check', { start: started, end: performance.now() });
  return { ...checked, offline };
}

let browsing: Promise<ReadonlyMap<string, Verdict>> | undefined;
let computing: Promise<ReadonlyMap<string, Verdict>> | undefined;

/** Checked again next time: offline now, or the check failed. */
function once(
  current: Promise<ReadonlyMap<string, Verdict>> | undefined,
  stateful: boolean,
  forget: () => void,
): Promise<ReadonlyMap<string, Verdict>> {
  return (
    current ??
    check(stateful).then(
      ({ verdicts, offline }) => {
        if (offline) forget();
        return verdicts;
      },
      (error: unknown) => {
        forget();
        throw error;
      },
    )
  );
}

/** The verdict on every computation of the catalog, for browsing: no device state. */
export function checkServiceCatalog(): Promise<ReadonlyMap<string, Verdict>> {
  browsing = once(browsing, false, () => {
    browsing = undefined;
  });
  return browsing.catch(() => new Map());
}

/** The verdict for computing: against, and then kept in, this device's sealed state (needs it unlocked). */
function computingVerdicts(): Promise<ReadonlyMap<string, Verdict>> {
  computing = once(computing, true, () => {
    computing = undefined;
  });
  return computing;
}

/**
 * The catalog this device has (the service's, or the last one it kept), each computation as the
 * browsing check found it, for the page to list (web/app/catalog.ts). Public, so it needs no unlock:
 * what is computed is checked again, against the sealed state (`trustedVerdict`).
 */
export async function checkedEntries(): Promise<readonly CheckedEntry[]> {
  const verdicts = await checkServiceCatalog();
  return [...verdicts].map(([id, verdict]): CheckedEntry => {
    if (!verdict.trusted) return { id, trusted: false };
    const { version, evaluation } = verdict.computation;
    const { model } = verdict.entry;
    return { id, trusted: true, version, evaluation, ...(findComputation(id) ? {} : { model }) };
  });
}

/**
 * The computations of the catalog this device has that the browsing check accepted; with no
 * catalog ever seen (offline on first use), the ones this app ships.
 */
export async function catalogComputations(): Promise<readonly Computation[]> {
  const verdicts = await checkServiceCatalog();
  if (verdicts.size === 0) return COMPUTATIONS;
  return [...verdicts.values()].flatMap((verdict) => (verdict.trusted ? [verdict.computation] : []));
}

export type TrustedComputation = Extract<Verdict, { trusted: true }>;

/**
 * The computation as this device verifies it, with what was checked for it; throws
 * `DeclarationRefusedError` when refused. A computation the app ships stands when the service's
 * catalog cannot be had at all (its answers are verified all the same).
 */
export async function trustedVerdict(id: string): Promise<TrustedComputation> {
  const bundled = findComputation(id);
  let verdict: Verdict | undefined;
  try {
    verdict = (await computingVerdicts()).get(id);
  } catch (error) {
    if (!bundled || (error instanceof Error && error.name === 'LockedError')) throw error;
  }
  if (!verdict) {
    if (!bundled) throw new Error(`This app does not know the computation ${id}.`);
    return { trusted: true, computation: bundled, entry: {} };
  }
  if (!verdict.trusted) throw new DeclarationRefusedError(`Nothing was sent: ${verdict.reason}.`);
  return verdict;
}

export async function trustedComputation(id: string): Promise<Computation> {
  return (await trustedVerdict(id)).computation;
}
