/**
 * The catalog the app browses: the computations it ships, then the service's other models (model
 * files it does not ship), built from the service's v2 catalog and trusted as the worker trusts them
 * (web/crypto/trusted-catalog.ts: pinned on first use, kept on the device for offline use).
 */

import { useEffect, useState } from 'react';
import { COMPUTATIONS } from '../../shared/computations/catalog.js';
import type { Computation } from '../../shared/computations/computation.js';
import { catalogModels } from '../crypto/trusted-catalog.js';

export interface Catalog {
  /** Shipped computations first, then the service's models. */
  readonly computations: readonly Computation[];
  /** The service's models this app does not ship. */
  readonly serviceModels: readonly Computation[];
  /** Whether the service's catalog has been checked (or found unreachable) yet. */
  readonly loaded: boolean;
}

let known: readonly Computation[] | undefined;
const listeners = new Set<() => void>();

function load(): void {
  void catalogModels().then((models) => {
    known = models;
    for (const listener of listeners) listener();
  });
}

export function useCatalog(): Catalog {
  const [serviceModels, setModels] = useState<readonly Computation[] | undefined>(known);
  useEffect(() => {
    const update = () => setModels(known);
    listeners.add(update);
    if (known === undefined) load();
    return () => void listeners.delete(update);
  }, []);
  const models = serviceModels ?? [];
  return {
    computations: [...COMPUTATIONS, ...models],
    serviceModels: models,
    loaded: serviceModels !== undefined,
  };
}

/** The computation at an id, among the ones the app ships and the service's models. */
export function findInCatalog(catalog: Catalog, id: string): Computation | undefined {
  return catalog.computations.find((c) => c.id === id);
}
