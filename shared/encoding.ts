/**
 * Plaintext encodings (spec: "Plaintext encodings"): integers to group elements and back.
 * - multiplicative, ffdhe groups: enc(m) = ±m, whichever lies in the order-q subgroup;
 * - additive, ristretto255: m ↦ m·G, decoded by a bounded baby-step giant-step search.
 */

import { bytesToHex } from '@noble/curves/utils.js';
import { DecodeRangeError } from './errors.js';
import type { FfdheGroup } from './groups/ffdhe.js';
import type { RistrettoGroup, RistrettoPoint } from './groups/ristretto255.js';

export interface IntegerRange {
  readonly min: bigint;
  readonly max: bigint;
}

function outOfRange(range: IntegerRange): DecodeRangeError {
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

export function encodeAdditive(group: RistrettoGroup, m: bigint): RistrettoPoint {
  return group.powGenerator(m);
}

/**
 * Finds m in [min, max] with m·G = element, in at most ⌈√n⌉ giant steps for a range of n values,
 * using a table of baby steps j·G (0 ≤ j < ⌈√n⌉) that is built once and reused by later decodes.
 * Gives up with `DecodeRangeError` when no m in the range fits: it never searches further.
 */
export function decodeAdditive(group: RistrettoGroup, element: RistrettoPoint, range: IntegerRange): bigint {
  const count = range.max - range.min + 1n;
  if (count < 1n) throw new RangeError('An empty decode range.');
  const table = babySteps(group, squareRootCeil(count));
  const width = BigInt(table.width);
  // Only public data here (a result the patient already decrypted), so variable-time arithmetic is fine.
  const G = group.generator;
  const giantStep = G.multiplyUnsafe(width).negate();
  let current =
    range.min < 0n
      ? element.add(G.multiplyUnsafe(-range.min))
      : element.subtract(G.multiplyUnsafe(range.min));
  for (let giant = 0n; giant * width < count; giant++) {
    const j = table.indexOf.get(bytesToHex(current.toBytes()));
    if (j !== undefined) {
      const offset = giant * width + BigInt(j);
      if (offset < count) return range.min + offset;
    }
    current = current.add(giantStep);
  }
  throw outOfRange(range);
}

interface BabyStepTable {
  readonly width: number;
  readonly indexOf: Map<string, number>;
}

let cachedTable: BabyStepTable | undefined;

/** A table at least `width` wide; the widest one built so far serves every narrower request. */
function babySteps(group: RistrettoGroup, width: bigint): BabyStepTable {
  if (cachedTable && BigInt(cachedTable.width) >= width) return cachedTable;
  const size = Number(width);
  const indexOf = new Map<string, number>();
  let point = group.identity;
  for (let j = 0; j < size; j++) {
    indexOf.set(bytesToHex(point.toBytes()), j);
    point = point.add(group.generator);
  }
  cachedTable = { width: size, indexOf };
  return cachedTable;
}

function squareRootCeil(n: bigint): bigint {
  if (n < 2n) return 1n;
  let x = BigInt(Math.ceil(Math.sqrt(Number(n))));
  while (x * x < n) x++;
  while ((x - 1n) * (x - 1n) >= n) x--;
  return x;
}
