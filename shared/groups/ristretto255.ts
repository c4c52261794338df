/**
 * RFC 9496 ristretto255, from @noble/curves (audited); no curve arithmetic is written here.
 * In the `Group` vocabulary, `multiply` is point addition and `pow` is scalar multiplication.
 */

import { ristretto255 } from '@noble/curves/ed25519.js';
import { ProtocolError } from '../errors.js';
import { randomBelow } from '../random.js';
import type { Group } from './group.js';

export type RistrettoPoint = InstanceType<typeof ristretto255.Point>;

const Point = ristretto255.Point;
const ORDER = Point.Fn.ORDER;

/**
 * k·P in constant time for every k, zero included. noble's constant-time `multiply` refuses 0, so
 * 0 is multiplied as 1 (the same fixed sequence of window additions) and the identity chosen after:
 * one ladder whatever k is, where an earlier random split k = k1 + k2 cost two.
 */
function multiplyConstantTime(point: RistrettoPoint, k: bigint): RistrettoPoint {
  tableWhenReused(point);
  const scalar = ((k % ORDER) + ORDER) % ORDER;
  const product = point.multiply(scalar === 0n ? 1n : scalar);
  return scalar === 0n ? Point.ZERO : product;
}

/**
 * A point multiplied again and again (the public key, once per input a client encrypts: 93 times for a
 * month of readings) gets a 4-bit window table on its 8th use: built once, it takes most of the
 * doublings out of every later multiplication, still by noble's constant-time ladder (figures in
 * docs/PERFORMANCE.md). The base point has its own table.
 */
const USES_BEFORE_TABLE = 8;
const TABLE_WINDOW_BITS = 4;
const uses = new WeakMap<RistrettoPoint, number>();

function tableWhenReused(point: RistrettoPoint): void {
  if (point === Point.BASE) return;
  const count = (uses.get(point) ?? 0) + 1;
  uses.set(point, count);
  if (count === USES_BEFORE_TABLE) point.precompute(TABLE_WINDOW_BITS);
}

export interface RistrettoGroup extends Group<RistrettoPoint> {
  readonly name: 'ristretto255';
}

export const ristretto255Group: RistrettoGroup = {
  name: 'ristretto255',
  order: ORDER,
  elementBytes: 32,
  identity: Point.ZERO,
  generator: Point.BASE,
  randomSecretExponent: () => randomBelow(ORDER),
  powGenerator: (k) => multiplyConstantTime(Point.BASE, k),
  pow: multiplyConstantTime,
  multiply: (a, b) => a.add(b),
  invert: (e) => e.negate(),
  equals: (a, b) => a.equals(b),
  fromBytes(bytes) {
    if (bytes.length !== 32) {
      throw new ProtocolError('invalid-encoding', 'A ristretto255 element must be exactly 32 bytes.');
    }
    try {
      // noble implements RFC 9496 §4.3.1 decode: rejects non-canonical and non-square encodings.
      return Point.fromBytes(bytes);
    } catch {
      throw new ProtocolError('invalid-element', 'Not a valid ristretto255 encoding (RFC 9496 §4.3.1).');
    }
  },
  toBytes: (e) => e.toBytes(),
};
