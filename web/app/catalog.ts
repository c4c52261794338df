/**
 * The catalog the app browses: what the service serves (web/crypto/trusted-catalog.ts), the
 * computations the app ships that it lists, then its other models (model files the app does not
 * ship), built from its v2 catalog and used only as the transparency log vouches for them. The
 * last catalog seen is kept on the device, so offline the app browses that one.
 */

import { useEffect, useState } from 'react';
import { COMPUTATIONS, findComputation } from '../../shared/computations/catalog.js';
import type { Computation } from '../../shared/computations/computation.js';
import { catalogComputations } from '../crypto/trusted-catalog.js';

export interface Catalog {
  /** Shipped computations the service serves first, then its models; until loaded, the shipped ones. */
  readonly computations: readonly Computation[];
  /** Whether the service's catalog (or the one kept on the device) has been read yet. */
  readonly loaded: boolean;
}

let known: readonly Computation[] | undefined;
const listeners = new Set<() => void>();

function load(): void {
  void catalogComputations().then((computations) => {
    known = computations;
    for (const listener of listeners) listener();
  });
}

export function useCatalog(): Catalog {
  const [served, setServed] = useState<readonly Computation[] | undefined>(known);
  useEffect(() => {
    const update = () => setServed(known);
    listeners.add(update);
    if (known === undefined) load();
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
