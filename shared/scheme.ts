/**
 * A computation's group together with its plaintext encoding, so callers work on integers
 * without caring which kind of ElGamal is underneath.
 */

import type { Computation } from './computations/computation.js';
import {
  decodeAdditive,
  decodeMultiplicative,
  encodeAdditive,
  encodeMultiplicative,
  type IntegerRange,
} from './encoding.js';
import type { Group, GroupName } from './groups/group.js';
import { ffdheGroup, ristretto255Group } from './groups/index.js';

export interface PlaintextScheme<E> {
  readonly group: Group<E>;
  encode(m: bigint): E;
  /**
   * Throws `DecodeRangeError` when the element is no integer in `range`. `likely`: where a search
   * starts (additive only; the multiplicative decoding needs no search).
   */
  decode(element: E, range: IntegerRange, likely?: bigint): bigint;
}

/** Runs `use` with the scheme of a group, keeping its element type hidden but consistent. */
export function withScheme<R>(groupName: GroupName, use: <E>(scheme: PlaintextScheme<E>) => R): R {
  if (groupName === 'ristretto255') {
    const group = ristretto255Group;
    return use({
      group,
      encode: (m) => encodeAdditive(group, m),
      decode: (e, r, likely) => decodeAdditive(group, e, r, likely),
    });
  }
  const group = ffdheGroup(groupName);
  return use({
    group,
    encode: (m) => encodeMultiplicative(group, m),
    decode: (e, r) => decodeMultiplicative(group, e, r),
  });
}

export function schemeOf<R>(computation: Computation, use: <E>(scheme: PlaintextScheme<E>) => R): R {
  return withScheme(computation.group, use);
}
