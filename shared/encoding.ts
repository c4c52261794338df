/**
 * Plaintext encodings (spec: "Plaintext encodings"): integers to group elements and back.
 * - multiplicative, ffdhe groups: enc(m) = ±m, whichever lies in the order-q subgroup;
 * - additive, ristretto255: m ↦ m·G, decoded by a bounded baby-step giant-step search, which keeps a
 *   table and so is an object its owner holds (additive-decoder.ts).
 */

import { DecodeRangeError } from './errors.js';
import type { FfdheGroup } from './groups/ffdhe.js';
import type { Group } from './groups/group.js';

export interface IntegerRange {
  readonly min: bigint;
  readonly max: bigint;
}

/** What a decode throws when the element is no integer of the range: never says the value. */
export function outOfRange(range: IntegerRange): DecodeRangeError {
  return new DecodeRangeError(
    `The decrypted value is outside the declared range [${range.min}, ${range.max}]: ` +
      'the result was not encrypted to this key or the service computed something else.',
  );
}

export function encodeMultiplicative(group: FfdheGroup, m: bigint): bigint {
  if (m < 1n || m > group.order) {
    throw new RangeError(`A multiplicative plaintext must lie in [1, q] for ${group.name}.`);
  }
  // p ≡ 3 (mod 4), so −1 is a non-residue: exactly one of m and p − m is in the subgroup.
  return group.isInSubgroup(m) ? m : group.p - m;
}

export function decodeMultiplicative(group: FfdheGroup, element: bigint, range: IntegerRange): bigint {
  const m = element < group.p - element ? element : group.p - element;
  if (m < range.min || m > range.max) throw outOfRange(range);
  return m;
}

/** m·G in constant time, on any implementation of ristretto255. */
export function encodeAdditive<E>(group: Group<E>, m: bigint): E {
  return group.powGenerator(m);
}
