/**
 * Verification as equations Σ kᵢ·Pᵢ = 0 over public points, and the batch verifier: every equation
 * of many proofs multiplied by its own random 128-bit weight and all of them checked with ONE
 * multi-scalar multiplication, where terms on the same point (G, the joint key) merge into one. A
 * false equation survives the weighting with probability 2⁻¹²⁸ (the standard small-exponent batch
 * test). On failure each claim is checked alone, so the bad ones are named.
 */

import type { Group } from '../../groups/group.js';
import { ristretto255Group } from '../../groups/ristretto255.js';
import type { MultiScalarMultiply } from '../../proofs/linear-relation.js';
import { publicMsm } from '../../proofs/msm.js';
import { randomNonzeroBits } from '../../random.js';
import { mod } from './scalars.js';

/** Σ k·P that must be the identity. */
export type Equation<E> = readonly (readonly [E, bigint])[];

/** A named statement: the equations its proof must satisfy, or why they could not even be formed. */
export interface Claim<E> {
  readonly name: string;
  readonly equations: readonly Equation<E>[] | Error;
}

export interface BatchResult {
  readonly valid: boolean;
  /** The claims that failed, in input order, with why. */
  readonly failures: readonly { readonly name: string; readonly reason: string }[];
}

/** A claim from a builder that may throw (malformed bytes): the error becomes the claim's failure. */
export function claim<E>(name: string, build: () => readonly Equation<E>[]): Claim<E> {
  try {
    return { name, equations: build() };
  } catch (error) {
    return { name, equations: error instanceof Error ? error : new Error(String(error)) };
  }
}

const WEIGHT_BITS = 128;
/** Terms per call of the native addon's Σ kᵢ·Pᵢ (it takes 4096 at most): its tables, 16 points a term, then stay in cache. */
const NATIVE_MAX_TERMS = 1024;

/**
 * The verifier's multi-scalar multiplication, on public values only: noble's Pippenger; a group with
 * the native addon's Σ kᵢ·Pᵢ (constant-time, so slower than a verifier needs, but one call per 1024
 * terms); else one `pow` per term.
 */
export function verifierMsm<E>(group: Group<E>): MultiScalarMultiply<E> {
  const { multiPow } = group;
  if ((group as unknown) === ristretto255Group || !multiPow) return publicMsm(group);
  return (terms) => {
    let sum = group.identity;
    for (let start = 0; start < terms.length; start += NATIVE_MAX_TERMS) {
      sum = group.multiply(sum, multiPow(terms.slice(start, start + NATIVE_MAX_TERMS)));
    }
    return sum;
  };
}

/** True iff every equation holds (up to the 2⁻¹²⁸ error of the random weights), with one MSM. */
export function equationsHold<E>(group: Group<E>, equations: readonly Equation<E>[]): boolean {
  const merged = new Map<E, bigint>();
  for (const equation of equations) {
    const weight = randomNonzeroBits(WEIGHT_BITS);
    for (const [point, k] of equation) merged.set(point, mod((merged.get(point) ?? 0n) + weight * k));
  }
  const terms = [...merged].filter(([, k]) => k !== 0n);
  if (terms.length === 0) return true;
  return group.equals(verifierMsm(group)(terms), group.identity);
}

export function verifyBatch<E>(group: Group<E>, claims: readonly Claim<E>[]): BatchResult {
  const formed = claims.flatMap((c) => (c.equations instanceof Error ? [] : c.equations));
  const malformed = claims.some((c) => c.equations instanceof Error);
  if (!malformed && equationsHold(group, formed)) return { valid: true, failures: [] };
  const failures = claims.flatMap((c) => {
    if (c.equations instanceof Error) return [{ name: c.name, reason: c.equations.message }];
    return equationsHold(group, c.equations) ? [] : [{ name: c.name, reason: 'its proof does not verify' }];
  });
  return { valid: failures.length === 0, failures };
}
