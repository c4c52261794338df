/**
 * Where the study proofs get their secret scalars (encryption randomness, nonces, polynomial
 * coefficients). Production code draws them from the platform CSPRNG (`shared/random.ts`); the test
 * vectors inject a deterministic source (`deterministic-scalars.ts`), and nothing else may.
 */

import { ristretto255Group } from '../../groups/ristretto255.js';
import { randomBelow } from '../../random.js';

export interface ScalarSource {
  /** Uniform in [1, ℓ). */
  scalar(): bigint;
}

export const ORDER = ristretto255Group.order;

export const systemScalars: ScalarSource = { scalar: () => randomBelow(ORDER) };

/** k mod ℓ in [0, ℓ). */
export function mod(k: bigint): bigint {
  const r = k % ORDER;
  return r < 0n ? r + ORDER : r;
}

/** k⁻¹ mod ℓ for a public, nonzero k (Lagrange coefficients, range weights): variable-time. */
export function invertPublic(k: bigint): bigint {
  const value = mod(k);
  if (value === 0n) throw new RangeError('0 has no inverse modulo ℓ.');
  // Fermat: k^(ℓ−2), ℓ prime.
  let result = 1n;
  let base = value;
  let exponent = ORDER - 2n;
  while (exponent > 0n) {
    if (exponent & 1n) result = (result * base) % ORDER;
    base = (base * base) % ORDER;
    exponent >>= 1n;
  }
  return result;
}
