/**
 * One sigma protocol for every proof of protocol v2 (STYLE: the IETF sigma-protocols draft's "linear
 * relations"): a statement is a list of equations imageᵢ = Σ scalar·base over a vector of secret
 * scalars, and each kind of declaration is only a way to build such a list (`relations.ts`).
 * Prover: nonces k, commitments Tᵢ = Σ k·base, responses z = k + e·w. Verifier: Tᵢ = Σ z·base − e·imageᵢ.
 */

import type { Group } from '../groups/group.js';

/** `scalar` indexes the witness vector. */
export interface Term<E> {
  readonly scalar: number;
  readonly base: E;
}

/** The right-hand sides of the equations, in the order their commitments enter the transcript. */
export type RelationTerms<E> = readonly (readonly Term<E>[])[];

/** Σ kᵢ·Pᵢ over public values only: any variable-time multi-scalar multiplication will do. */
export type MultiScalarMultiply<E> = (terms: readonly (readonly [E, bigint])[]) => E;

/**
 * Tᵢ = Σ k·base, constant-time in the nonces, which are secret: by the group's `multiPow` where it has
 * one (the service's native ristretto255), else by its `pow`, one term at a time.
 */
export function proverCommitments<E>(
  group: Group<E>,
  equations: RelationTerms<E>,
  nonces: readonly bigint[],
): E[] {
  const { multiPow } = group;
  if (multiPow) {
    return equations.map((terms) => {
      const [only] = terms;
      // k·G alone (a public declaration's Tₐ) by ristretto255's fixed-base method, cheaper than a sum.
      if (terms.length === 1 && only?.base === group.generator && group.name === 'ristretto255') {
        return group.powGenerator(nonce(nonces, only.scalar));
      }
      return multiPow(terms.map(({ scalar, base }) => [base, nonce(nonces, scalar)] as const));
    });
  }
  return equations.map((terms) =>
    terms
      .map(({ scalar, base }) => {
        const k = nonce(nonces, scalar);
        // ristretto255's generator by its fixed-base method, constant-time for every k (an ffdhe group's
        // fixed-base table is for short exponents; a nonce is longer).
        return group.name === 'ristretto255' && base === group.generator
          ? group.powGenerator(k)
          : group.pow(base, k);
      })
      .reduce((sum, term) => group.multiply(sum, term)),
  );
}

/**
 * Tᵢ = Σ z·base + e·(−imageᵢ), as the verifier recomputes them from the responses. It takes the
 * negated images (−imageᵢ, or imageᵢ⁻¹ written multiplicatively), which the kinds compute with one
 * inversion fewer than the images themselves.
 */
export function verifierCommitments<E>(
  equations: RelationTerms<E>,
  negatedImages: readonly E[],
  responses: readonly bigint[],
  challenge: bigint,
  msm: MultiScalarMultiply<E>,
): E[] {
  return equations.map((terms, i) =>
    msm([
      ...terms.map(({ scalar, base }) => [base, nonce(responses, scalar)] as const),
      [negatedImages[i] as E, challenge] as const,
    ]),
  );
}

function nonce(values: readonly bigint[], index: number): bigint {
  const value = values[index];
  if (value === undefined) throw new RangeError(`The relation uses scalar ${index}, which was not given.`);
  return value;
}

/** Σ k·P by the group's own `pow`: correct for any group, constant-time, and the slowest choice. */
export function sumOfPowers<E>(group: Group<E>): MultiScalarMultiply<E> {
  return (terms) =>
    terms.map(([base, k]) => group.pow(base, k)).reduce((sum, t) => group.multiply(sum, t), group.identity);
}
