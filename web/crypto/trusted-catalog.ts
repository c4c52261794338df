/**
 * The worker's check of the service's v2 catalog against the declarations this device trusts
 * (shared/trusted-declarations.ts), once per worker: a computation whose declaration the service
 * changed is refused before anything is sent; a private model's new version is pinned on first use.
 * Offline, or with the catalog unreachable, the shipped declarations are used (and checked again on
 * the next request).
 */

import { createStore, get, set } from 'idb-keyval';
import { CATALOG_PATH_V2 } from '../../shared/api.js';
import { findComputation } from '../../shared/computations/catalog.js';
import type { Computation } from '../../shared/computations/computation.js';
import { DeclarationRefusedError } from '../../shared/errors.js';
import { isRecord } from '../../shared/records.js';
import { type PinStore, type Trust, trustCatalogEntry } from '../../shared/trusted-declarations.js';
import { apiUrl } from './exchange.js';

const store = createStore('sealed-vitals-declarations', 'pins');
const pins: PinStore = {
  get: (key) => get(key, store),
  set: (key, declaration) => set(key, declaration, store),
};

let checking: Promise<ReadonlyMap<string, Trust>> | undefined;

/** The verdict on every computation this app knows that the service's catalog lists. */
export function checkServiceCatalog(): Promise<ReadonlyMap<string, Trust>> {
  checking ??= fetchVerdicts().catch(() => {
    checking = undefined;
    return new Map();
  });
  return checking;
}

async function fetchVerdicts(): Promise<ReadonlyMap<string, Trust>> {
  const response = await fetch(apiUrl(CATALOG_PATH_V2), { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`catalog: HTTP ${response.status}`);
  const body: unknown = await response.json();
  const entries = isRecord(body) && Array.isArray(body.computations) ? body.computations : [];
  const verdicts = new Map<string, Trust>();
  for (const entry of entries) {
    const bundled = isRecord(entry) && typeof entry.id === 'string' ? findComputation(entry.id) : undefined;
    if (bundled) verdicts.set(bundled.id, await trustCatalogEntry(bundled, entry, pins));
  }
  return verdicts;
}

/** The computation as this device verifies it; throws `DeclarationRefusedError` when refused. */
export async function trustedComputation(id: string): Promise<Computation> {
  const bundled = findComputation(id);
  if (!bundled) throw new Error(`This app does not know the computation ${id}.`);
  const verdict = (await checkServiceCatalog()).get(id);
  if (!verdict) return bundled;
  if (!verdict.trusted) throw new DeclarationRefusedError(`Nothing was sent: ${verdict.reason}.`);
  return verdict.computation;
}
