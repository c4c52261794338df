/**
 * The generic evaluators, one per kind of declaration (spec v2: "Declarations"): what the service
 * computes before re-randomizing, and what a client recomputes from a public declaration to verify.
 *   linear:   Dⱼ = (Σᵢ wⱼᵢ·aᵢ, Σᵢ wⱼᵢ·bᵢ + tⱼ·G)
 *   monomial: Dⱼ = (Πᵢ aᵢ^eⱼᵢ, enc(kⱼ)·Πᵢ bᵢ^eⱼᵢ)
 */

import type { AdditiveOps } from './computations/computation.js';
import type { DeclarationKind, DeclaredMatrix } from './declaration.js';
import { type Ciphertext, combine } from './elgamal.js';
import type { FfdheGroup } from './groups/ffdhe.js';
import type { Group } from './groups/group.js';
import { additiveOps, multiplicativeOps, publicAdditiveOps } from './homomorphic.js';

/**
 * `ops` decides how weights are multiplied: `additiveOps` (constant-time, every term, zeros included)
 * for a private model's secret weights, `publicAdditiveOps` for published ones, whose zero terms are
 * skipped since anyone can read which they are.
 */
export function evaluateLinear<E>(
  group: Group<E>,
  ops: AdditiveOps<E>,
  matrix: DeclaredMatrix,
  inputs: readonly Ciphertext<E>[],
  weightsArePublic: boolean,
): Ciphertext<E>[] {
  return matrix.coefficients.map((row, j) => {
    const terms = row
      .map((weight, i) => [inputs[i] as Ciphertext<E>, weight] as const)
      .filter(([, weight]) => !weightsArePublic || weight !== 0n);
    const sum = terms.length > 0 ? ops.weightedSum(terms) : { a: group.identity, b: group.identity };
    return ops.addConstant(sum, matrix.constants[j] as bigint);
  });
}

/** Exponents are public: a zero exponent's input is left out, an exponent of 1 costs nothing. */
export function evaluateMonomial(
  group: FfdheGroup,
  matrix: DeclaredMatrix,
  inputs: readonly Ciphertext<bigint>[],
): Ciphertext<bigint>[] {
  const ops = multiplicativeOps(group);
  return matrix.coefficients.map((row, j) => {
    let product: Ciphertext<bigint> = { a: group.identity, b: group.identity };
    row.forEach((exponent, i) => {
      if (exponent === 0n) return;
      const input = inputs[i] as Ciphertext<bigint>;
      product = combine(group, product, exponent === 1n ? input : ops.power(input, exponent));
    });
    return ops.multiplyByConstant(product, matrix.constants[j] as bigint);
  });
}

/**
 * Dⱼ for a declaration of any kind, over any group of its kind: the one place that picks the
 * evaluator. A private model's weights are secret (constant-time, zeros included); published ones
 * are not.
 */
export function evaluateDeclared<E>(
  group: Group<E>,
  kind: DeclarationKind,
  matrix: DeclaredMatrix,
  inputs: readonly Ciphertext<E>[],
): Ciphertext<E>[] {
  switch (kind) {
    case 'public-monomial':
      // An ffdhe declaration is only ever evaluated over an ffdhe group (E = bigint).
      return evaluateMonomial(
        group as unknown as FfdheGroup,
        matrix,
        inputs as unknown as Ciphertext<bigint>[],
      ) as unknown as Ciphertext<E>[];
    case 'private-linear':
      return evaluateLinear(group, additiveOps(group), matrix, inputs, false);
    case 'public-linear':
      return evaluateLinear(group, publicAdditiveOps(group), matrix, inputs, true);
  }
}
