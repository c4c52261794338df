/**
 * Multi-scalar multiplication for the verifier, which holds no secret: variable-time methods are
 * allowed here and only here (every input is public: the request, the answer, the proof).
 */

import { pippenger } from '@noble/curves/abstract/curve.js';
import { ristretto255 } from '@noble/curves/ed25519.js';
import type { Group } from '../groups/group.js';
import { type RistrettoPoint, ristretto255Group } from '../groups/ristretto255.js';
import { type MultiScalarMultiply, sumOfPowers } from './linear-relation.js';
import { reduceScalar } from './scalar.js';

/** noble's points: Pippenger's bucket method. Other backends: their own `pow`, term by term. */
export function publicMsm<E>(group: Group<E>): MultiScalarMultiply<E> {
  if ((group as unknown) === ristretto255Group) return nobleMsm as unknown as MultiScalarMultiply<E>;
  return sumOfPowers(group);
}

const nobleMsm: MultiScalarMultiply<RistrettoPoint> = (terms) =>
  pippenger(
    ristretto255.Point,
    terms.map(([point]) => point),
    terms.map(([, k]) => reduceScalar(k)),
  );
