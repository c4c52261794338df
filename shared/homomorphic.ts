/** The homomorphic operations computations are written in, for each kind of group. */

import type { AdditiveOps, MultiplicativeOps } from './computations/computation.js';
import { type Ciphertext, combine, invertCiphertext, shift } from './elgamal.js';
import { encodeMultiplicative } from './encoding.js';
import type { FfdheGroup } from './groups/ffdhe.js';
import type { Group } from './groups/group.js';

export function multiplicativeOps(group: FfdheGroup): MultiplicativeOps<bigint> {
  return {
    multiply: (c1, c2) => combine(group, c1, c2),
    // Exponents are the computation's own (public): noble's pow is square-and-multiply either way.
    power: (c, exponent) => ({ a: group.pow(c.a, exponent), b: group.pow(c.b, exponent) }),
    multiplyByConstant: (c, constant) => shift(group, c, encodedConstant(group, constant)),
  };
}

/**
 * Encoding a constant costs a Jacobi symbol on a group-sized integer, and a computation uses the same few
 * constants on every request, so each is encoded once. Bounded, in case constants ever come from data.
 */
const encodedConstants = new Map<string, bigint>();
const MAX_ENCODED_CONSTANTS = 1024;

function encodedConstant(group: FfdheGroup, constant: bigint): bigint {
  const key = `${group.name}:${constant}`;
  let element = encodedConstants.get(key);
  if (element === undefined) {
    element = encodeMultiplicative(group, constant);
    if (encodedConstants.size >= MAX_ENCODED_CONSTANTS) encodedConstants.clear();
    encodedConstants.set(key, element);
  }
  return element;
}

/**
 * For secret weights (a private model's coefficients): every scalar multiplication is constant-time.
 * Any ristretto255 backend (`ristretto255.ts`, `ristretto255-sodium.ts`).
 */
export function additiveOps<E>(group: Group<E>): AdditiveOps<E> {
  return additiveOpsWith(
    group,
    (point, k) => group.pow(point, k),
    (k) => group.powGenerator(k),
  );
}

/**
 * For public weights only (a catalog computation's, which anyone can read): variable-time
 * double-and-add, where a weight of 1 or 2 is an addition or a doubling instead of a 253-bit ladder;
 * a weight that needs more additions than the group's ladder costs (`multipliesPerPow`) takes the
 * ladder. The ciphertexts hide the plaintexts either way; only the weights' timing is given up.
 */
export function publicAdditiveOps<E>(group: Group<E>): AdditiveOps<E> {
  const times = (point: E, k: bigint) => multiplyPublic(group, point, k);
  return additiveOpsWith(group, times, (k) => times(group.generator, k));
}

function multiplyPublic<E>(group: Group<E>, point: E, k: bigint): E {
  const { order } = group;
  const scalar = ((k % order) + order) % order;
  // A small negative weight reduces to a 253-bit scalar: multiply by its small absolute value instead.
  const negative = scalar > order / 2n;
  let rest = negative ? order - scalar : scalar;
  if (group.multipliesPerPow !== undefined && doubleAndAddOperations(rest) >= group.multipliesPerPow)
    return group.pow(point, scalar);
  // No addition to the identity: on libsodium every addition decodes and re-encodes its points.
  let result: E | undefined;
  let power = point;
  while (rest > 0n) {
    if (rest & 1n) result = result === undefined ? power : group.multiply(result, power);
    rest >>= 1n;
    if (rest > 0n) power = group.multiply(power, power);
  }
  const multiple = result ?? group.identity;
  return negative ? group.invert(multiple) : multiple;
}

/** Doublings (one per bit after the first) and additions (one per further set bit) for k > 0. */
function doubleAndAddOperations(k: bigint): number {
  if (k === 0n) return 0;
  const bits = k.toString(2);
  return bits.length - 1 + (bits.split('1').length - 2);
}

function additiveOpsWith<E>(
  group: Group<E>,
  times: (point: E, k: bigint) => E,
  timesGenerator: (k: bigint) => E,
): AdditiveOps<E> {
  const multiplyByInteger = (c: Ciphertext<E>, factor: bigint) => ({
    a: times(c.a, factor),
    b: times(c.b, factor),
  });
  const add = (c1: Ciphertext<E>, c2: Ciphertext<E>) => combine(group, c1, c2);
  return {
    add,
    subtract: (c1, c2) => combine(group, c1, invertCiphertext(group, c2)),
    multiplyByInteger,
    // m·G for the constant: the additive encoding (encoding.ts).
    addConstant: (c, constant) => shift(group, c, timesGenerator(constant)),
    weightedSum(terms) {
      const [first, ...rest] = terms.map(([c, weight]) => multiplyByInteger(c, weight));
      if (!first) throw new RangeError('A weighted sum needs at least one term.');
      return rest.reduce(add, first);
    },
  };
}
