/**
 * The worker computes ristretto255 with libsodium's WASM build: faster per operation than noble
 * (docs/PERFORMANCE.md), which is what keeps a month of readings (93 encryptions) interactive. Its
 * code, larger than the rest of the worker, loads only when a ristretto255 computation is opened, never
 * with the app shell; where WASM cannot run, noble (already in this bundle) computes the same group.
 */

import type { GroupName } from '../../shared/groups/group.js';
import type { Backends } from '../../shared/scheme.js';

let loading: Promise<Backends> | undefined;

export function backendsFor(group: GroupName): Promise<Backends> {
  if (group !== 'ristretto255') return Promise.resolve({});
  loading ??= import('../../shared/groups/ristretto255-sodium.js').then(
    ({ ristretto255SodiumGroup }) => ({ ristretto255: ristretto255SodiumGroup }),
    () => ({}),
  );
  return loading;
}
