/**
 * Multi-scalar multiplication for the verifier, which holds no secret: variable-time methods are
 * allowed here and only here (every input is public: the request, the answer, the proof).
 */

import { pippenger } from '@noble/curves/abstract/curve.js';
import { ristretto255 } from '@noble/curves/ed25519.js';
import { type FfdheGroup, multiPowVartime } from '../groups/ffdhe.js';
import type { Group } from '../groups/group.js';
import { type RistrettoPoint, ristretto255Group } from '../groups/ristretto255.js';
import { type MultiScalarMultiply, sumOfPowers } from './linear-relation.js';
import { reduceScalar } from './scalar.js';

/**
 * noble's points: Pippenger's bucket method. ffdhe: fixed-base tables where prepared, one simultaneous
 * multi-exponentiation for the other terms. Other backends: their own `pow`, term by term.
 */
export function publicMsm<E>(group: Group<E>): MultiScalarMultiply<E> {
  if ((group as unknown) === ristretto255Group) return nobleMsm as unknown as MultiScalarMultiply<E>;
  if (isFfdhe(group)) return ffdheMsmVartime(group) as unknown as MultiScalarMultiply<E>;
  return sumOfPowers(group);
}

function isFfdhe(group: Group<unknown>): group is FfdheGroup {
  return group.name !== 'ristretto255' && 'hasTableFor' in group;
}

const nobleMsm: MultiScalarMultiply<RistrettoPoint> = (terms) =>
  pippenger(
    ristretto255.Point,
    terms.map(([point]) => point),
    terms.map(([, k]) => reduceScalar(k)),
  );

/**
 * Π bᵢ^kᵢ over public values (an ffdhe verifier's g^z · y^z · N^e): a base with a fixed-base table
 * long enough for its exponent (g and the patient's key, `prepareBase`) by its table, which needs no
 * squarings; the others (the negated images, raised to the challenge) in one pass of
 * `multiPowVartime`, sharing its squarings. Exponents are taken mod q, as `pow` takes them.
 */
function ffdheMsmVartime(group: FfdheGroup): MultiScalarMultiply<bigint> {
  const q = group.order;
  return (terms) => {
    let product = 1n;
    const rest: (readonly [bigint, bigint])[] = [];
    for (const [base, k] of terms) {
      const exponent = ((k % q) + q) % q;
      if (group.hasTableFor(base, exponent.toString(2).length)) {
        product = group.multiply(product, group.pow(base, exponent));
      } else {
        rest.push([base, exponent]);
      }
    }
    return rest.length === 0 ? product : group.multiply(product, multiPowVartime(rest, group.p));
  };
}
