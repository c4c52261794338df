/**
 * The catalog the app browses: what the service serves, as the crypto worker checked it against the
 * transparency log (web/crypto/trusted-catalog.ts), so that the page holds no log code and the log is
 * read once: the computations the app ships that it lists, then its other models (model files the
 * app does not ship), built from their model files and listed only as the log vouches for them. The
 * last catalog seen is kept on the device, so offline the app browses that one.
 */

import { useEffect, useState } from 'react';
import { COMPUTATIONS, findComputation } from '../../shared/computations/catalog.js';
import type { Computation } from '../../shared/computations/computation.js';
import { parseModel } from '../../shared/models/model.js';
import { modelComputation } from '../../shared/models/model-computation.js';
import { checkedCatalog } from '../crypto/client.js';
import type { CheckedEntry } from '../crypto/protocol.js';

export interface Catalog {
  /** Shipped computations the service serves first, then its models; until loaded, the shipped ones. */
  readonly computations: readonly Computation[];
  /** Whether the service's catalog (or the one kept on the device) has been read yet. */
  readonly loaded: boolean;
}

let known: readonly Computation[] | undefined;
const listeners = new Set<() => void>();

/**
 * A computation the worker's check accepted, built as it was there (shared/catalog-entry.ts): a
 * shipped one at its version with the declaration checked for it, a model from its model file.
 */
function trustedComputation(checked: Extract<CheckedEntry, { trusted: true }>): Computation {
  const { id, version, evaluation, model } = checked;
  const shipped = findComputation(id);
  if (shipped) return shipped.version === version ? shipped : { ...shipped, version, evaluation };
  return modelComputation(parseModel(model, true), evaluation);
}

/**
 * Those this app ships that the service serves, at the version it serves and the log holds (a
 * refused one as shipped, so that its page can say why), then the service's other models that the
 * log check accepted. With no catalog ever had (offline on first use): the ones this app ships.
 */
function listed(checked: readonly CheckedEntry[]): readonly Computation[] {
  if (checked.length === 0) return COMPUTATIONS;
  const trusted = new Map(
    checked.flatMap((c) => (c.trusted ? [[c.id, trustedComputation(c)] as const] : [])),
  );
  const served = new Set(checked.map((c) => c.id));
  const shipped = COMPUTATIONS.flatMap((c) => (served.has(c.id) ? [trusted.get(c.id) ?? c] : []));
  const models = [...trusted.values()].filter((c) => !findComputation(c.id));
  return [...shipped, ...models];
}

let loading = false;

function load(): void {
  if (loading) return;
  loading = true;
  // The worker cannot answer (it failed to load): the computations this app ships, as offline.
  void checkedCatalog()
    .then(listed, () => COMPUTATIONS)
    .then((computations) => {
      known = computations;
      for (const listener of listeners) listener();
    });
}

export function useCatalog(): Catalog {
  const [served, setServed] = useState<readonly Computation[] | undefined>(known);
  useEffect(() => {
    const update = () => setServed(known);
    listeners.add(update);
    // The catalog may have arrived between this component's render and now (a page that loads as a
    // chunk of its own mounts late): take it, or it would never be told.
    if (known === undefined) load();
    else update();
    return () => void listeners.delete(update);
  }, []);
  return { computations: served ?? COMPUTATIONS, loaded: served !== undefined };
}

/**
 * The computation at an id: in the catalog (the service's models too), or one the app ships that the
 * service no longer serves (a result kept from it still has its title and fields).
 */
export function findInCatalog(catalog: Catalog, id: string): Computation | undefined {
  return catalog.computations.find((c) => c.id === id) ?? findComputation(id);
}
