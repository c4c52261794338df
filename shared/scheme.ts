/**
 * A computation's group together with its plaintext encoding, so callers work on integers
 * without caring which kind of ElGamal is underneath.
 */

import { AdditiveDecoder } from './additive-decoder.js';
import type { Computation } from './computations/computation.js';
import { decodeMultiplicative, encodeAdditive, encodeMultiplicative, type IntegerRange } from './encoding.js';
import type { Group, GroupName } from './groups/group.js';
import { ffdheGroup, type RistrettoPoint, ristretto255Group } from './groups/index.js';

export interface PlaintextScheme<E> {
  readonly group: Group<E>;
  encode(m: bigint): E;
  /**
   * Throws `DecodeRangeError` when the element is no integer in `range`. `likely`: where a search
   * starts (additive only; the multiplicative decoding needs no search).
   */
  decode(element: E, range: IntegerRange, likely?: bigint): bigint;
}

/**
 * Other implementations of a group to compute with instead of the default one: e.g. libsodium's
 * ristretto255 once a browser has loaded its WASM build (noble, pure JS, is always there). Decoding
 * still searches on noble's points (additive-decoder.ts), so each output is converted once.
 */
export interface Backends {
  readonly ristretto255?: Group<Uint8Array>;
}

/**
 * Runs `use` with the scheme of a group, keeping its element type hidden but consistent. An additive
 * scheme decodes with `decoder`, whose table its holder keeps between calls; without one, with a table
 * of this call's own.
 */
export function withScheme<R>(
  groupName: GroupName,
  use: <E>(scheme: PlaintextScheme<E>) => R,
  backends: Backends = {},
  decoder: AdditiveDecoder = new AdditiveDecoder(),
): R {
  if (groupName === 'ristretto255') {
    const backend = backends.ristretto255;
    return backend
      ? use(additiveScheme(backend, decoder, (e) => ristretto255Group.fromBytes(backend.toBytes(e))))
      : use(additiveScheme(ristretto255Group, decoder, (e) => e));
  }
  const group = ffdheGroup(groupName);
  return use({
    group,
    encode: (m) => encodeMultiplicative(group, m),
    decode: (e, r) => decodeMultiplicative(group, e, r),
  });
}

function additiveScheme<E>(
  group: Group<E>,
  decoder: AdditiveDecoder,
  toNoble: (e: E) => RistrettoPoint,
): PlaintextScheme<E> {
  return {
    group,
    encode: (m) => encodeAdditive(group, m),
    decode: (e, r, likely) => decoder.decode(toNoble(e), r, likely),
  };
}

export function schemeOf<R>(
  computation: Computation,
  use: <E>(scheme: PlaintextScheme<E>) => R,
  backends: Backends = {},
  decoder?: AdditiveDecoder,
): R {
  return withScheme(computation.group, use, backends, decoder);
}
