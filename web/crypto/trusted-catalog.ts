/**
 * The worker's check of the service's v2 catalog against the declarations this device trusts
 * (shared/trusted-declarations.ts), once per worker: a computation whose declaration the service
 * changed is refused before anything is sent; a private model's new version is pinned on first use.
 * The service's other models (model files this app does not ship) are built from their catalog
 * entries and pinned on first use. Offline, or with the catalog unreachable, the last catalog kept
 * on the device is used, or the shipped declarations (and the catalog is checked again next time).
 */

import { createStore, get, set } from 'idb-keyval';
import { CATALOG_PATH_V2 } from '../../shared/api.js';
import { COMPUTATIONS, findComputation } from '../../shared/computations/catalog.js';
import type { Computation } from '../../shared/computations/computation.js';
import { DeclarationRefusedError } from '../../shared/errors.js';
import { isRecord } from '../../shared/records.js';
import {
  type PinStore,
  type Trust,
  trustCatalogEntry,
  trustModelEntry,
} from '../../shared/trusted-declarations.js';
import { apiUrl } from './exchange.js';

const store = createStore('sealed-vitals-declarations', 'pins');
const pins: PinStore = {
  get: (key) => get(key, store),
  set: (key, pinned) => set(key, pinned, store),
};

let checking: Promise<ReadonlyMap<string, Trust>> | undefined;

/** The last catalog the service sent, so that its models work offline too (pinned all the same). */
const LAST_CATALOG = 'last-catalog';

/**
 * The verdict on every computation the service's catalog lists: those this app ships against what
 * it ships, the service's other models pinned on first use.
 */
export function checkServiceCatalog(): Promise<ReadonlyMap<string, Trust>> {
  checking ??= fetchVerdicts().catch(() => {
    checking = undefined;
    return new Map();
  });
  return checking;
}

async function fetchCatalog(): Promise<unknown> {
  try {
    const response = await fetch(apiUrl(CATALOG_PATH_V2), { headers: { accept: 'application/json' } });
    if (!response.ok) throw new Error(`catalog: HTTP ${response.status}`);
    const body: unknown = await response.json();
    await set(LAST_CATALOG, body, store).catch(() => undefined);
    return body;
  } catch (error) {
    const kept: unknown = await get(LAST_CATALOG, store).catch(() => undefined);
    if (kept === undefined) throw error;
    // Offline: the kept catalog now, and the service's own on the next check.
    checking = undefined;
    return kept;
  }
}

async function fetchVerdicts(): Promise<ReadonlyMap<string, Trust>> {
  const body = await fetchCatalog();
  const entries = isRecord(body) && Array.isArray(body.computations) ? body.computations : [];
  const verdicts = new Map<string, Trust>();
  for (const entry of entries) {
    if (!isRecord(entry) || typeof entry.id !== 'string') continue;
    const bundled = findComputation(entry.id);
    if (bundled) verdicts.set(bundled.id, await trustCatalogEntry(bundled, entry, pins));
    else if (entry.model !== undefined) verdicts.set(entry.id, await trustModelEntry(entry, pins));
  }
  return verdicts;
}

/**
 * The computations of the catalog this device has (the service's, or the last one it kept): those
 * this app ships that the service serves, as the app ships them (one whose declaration is refused too,
 * so that its page can say why), then the service's other models as this device trusts them (pinned
 * on first use). With no catalog ever seen (offline on first use): the ones this app ships.
 */
export async function catalogComputations(): Promise<readonly Computation[]> {
  const verdicts = await checkServiceCatalog();
  if (verdicts.size === 0) return COMPUTATIONS;
  const models = [...verdicts.entries()].flatMap(([id, verdict]) =>
    verdict.trusted && !findComputation(id) ? [verdict.computation] : [],
  );
  return [...COMPUTATIONS.filter((c) => verdicts.has(c.id)), ...models];
}

/** The computation as this device verifies it; throws `DeclarationRefusedError` when refused. */
export async function trustedComputation(id: string): Promise<Computation> {
  const bundled = findComputation(id);
  const verdict = (await checkServiceCatalog()).get(id);
  if (!verdict) {
    if (!bundled) throw new Error(`This app does not know the computation ${id}.`);
    return bundled;
  }
  if (!verdict.trusted) throw new DeclarationRefusedError(`Nothing was sent: ${verdict.reason}.`);
  return verdict.computation;
}
