/**
 * The three kinds of v2 declaration as linear relations (spec v2: "Proofs"). Scalars are numbered in
 * the order their responses are sent, equations in the order their commitments enter the transcript.
 *
 * public-linear / public-monomial, witness (s₁ … sₘ); for each output j, with Dⱼ recomputed from the
 * public declaration (written additively; multiplicatively for ffdhe):
 *   Aⱼ − Dⱼ,ₐ = sⱼ·G,   Bⱼ − Dⱼ,ᵦ = sⱼ·Y
 * private-linear, witness (v₀ … v_(K−1), ρ, s₁ … sₘ), v = (w₁₁ … wₘₙ, t₁ … tₘ):
 *   W = Σₖ vₖ·Gₖ + ρ·H;   Aⱼ = Σᵢ wⱼᵢ·aᵢ + sⱼ·G;   Bⱼ = Σᵢ wⱼᵢ·bᵢ + tⱼ·G + sⱼ·Y
 */

import type { Ciphertext } from '../elgamal.js';
import type { Group } from '../groups/group.js';
import type { RelationTerms, Term } from './linear-relation.js';

/** For each output j: sⱼ·G, then sⱼ·Y. */
export function rerandomizationTerms<E>(group: Group<E>, publicKey: E, outputs: number): RelationTerms<E> {
  return Array.from({ length: outputs }, (_, j) => [
    [{ scalar: j, base: group.generator }],
    [{ scalar: j, base: publicKey }],
  ]).flat();
}

/** The negated images of `rerandomizationTerms`: Dⱼ,ₐ − Aⱼ and Dⱼ,ᵦ − Bⱼ. */
export function rerandomizationNegatedImages<E>(
  group: Group<E>,
  outputs: readonly Ciphertext<E>[],
  declared: readonly Ciphertext<E>[],
): E[] {
  const inverses = invertAllPublic(
    group,
    outputs.flatMap((c) => [c.a, c.b]),
  );
  return outputs.flatMap((_, j) => {
    const d = declared[j] as Ciphertext<E>;
    return [group.multiply(d.a, inverses[2 * j] as E), group.multiply(d.b, inverses[2 * j + 1] as E)];
  });
}

/** Inverses of public elements (the verifier's images), all at once where the group can. */
function invertAllPublic<E>(group: Group<E>, elements: readonly E[]): E[] {
  return group.invertAllVartime?.(elements) ?? elements.map((e) => group.invert(e));
}

/** How many entries v has, and where each secret sits among the scalars. */
export function committedVectorLength(inputs: number, outputs: number): number {
  return outputs * inputs + outputs;
}

export function privateLinearTerms<E>(
  group: Group<E>,
  publicKey: E,
  inputs: readonly Ciphertext<E>[],
  outputs: number,
  generators: readonly E[],
  blinding: E,
): RelationTerms<E> {
  const n = inputs.length;
  const vectorLength = committedVectorLength(n, outputs);
  const rho = vectorLength;
  const s = (j: number) => vectorLength + 1 + j;
  const weight = (j: number, i: number) => j * n + i;
  const constant = (j: number) => outputs * n + j;
  const commitment: Term<E>[] = [
    ...generators.slice(0, vectorLength).map((base, k) => ({ scalar: k, base })),
    { scalar: rho, base: blinding },
  ];
  if (commitment.length !== vectorLength + 1) throw new RangeError('Too few commitment generators.');
  const perOutput = Array.from({ length: outputs }, (_, j) => [
    [...inputs.map((c, i) => ({ scalar: weight(j, i), base: c.a })), { scalar: s(j), base: group.generator }],
    [
      ...inputs.map((c, i) => ({ scalar: weight(j, i), base: c.b })),
      { scalar: constant(j), base: group.generator },
      { scalar: s(j), base: publicKey },
    ],
  ]).flat();
  return [commitment, ...perOutput];
}

/** The negated images of `privateLinearTerms`: −W, then −Aⱼ and −Bⱼ output by output. */
export function privateLinearNegatedImages<E>(
  group: Group<E>,
  commitment: E,
  outputs: readonly Ciphertext<E>[],
): E[] {
  return invertAllPublic(group, [commitment, ...outputs.flatMap((c) => [c.a, c.b])]);
}
