/** The homomorphic operations computations are written in, for each kind of group. */

import type { AdditiveOps, MultiplicativeOps } from './computations/computation.js';
import { combine, invertCiphertext, scale, shift } from './elgamal.js';
import { encodeAdditive, encodeMultiplicative } from './encoding.js';
import type { FfdheGroup } from './groups/ffdhe.js';
import type { RistrettoGroup, RistrettoPoint } from './groups/ristretto255.js';

export function multiplicativeOps(group: FfdheGroup): MultiplicativeOps<bigint> {
  return {
    multiply: (c1, c2) => combine(group, c1, c2),
    power: (c, exponent) => scale(group, c, exponent),
    multiplyByConstant: (c, constant) => shift(group, c, encodeMultiplicative(group, constant)),
  };
}

export function additiveOps(group: RistrettoGroup): AdditiveOps<RistrettoPoint> {
  const ops: AdditiveOps<RistrettoPoint> = {
    add: (c1, c2) => combine(group, c1, c2),
    subtract: (c1, c2) => combine(group, c1, invertCiphertext(group, c2)),
    multiplyByInteger: (c, factor) => scale(group, c, factor),
    addConstant: (c, constant) => shift(group, c, encodeAdditive(group, constant)),
    weightedSum(terms) {
      const [first, ...rest] = terms.map(([c, weight]) => ops.multiplyByInteger(c, weight));
      if (!first) throw new RangeError('A weighted sum needs at least one term.');
      return rest.reduce(ops.add, first);
    },
  };
  return ops;
}
