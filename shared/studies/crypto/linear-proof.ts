/**
 * A Fiat–Shamir sigma proof of a linear relation (imageᵢ = Σ wⱼ·baseᵢⱼ over a secret witness w) in
 * COMMITMENT form: the proof is the commitments Tᵢ and the responses zⱼ, and the challenge is
 * recomputed from them. Unlike `shared/proofs/sigma.ts` (challenge form, v2's transcript), every
 * check is then an equation Σ zⱼ·baseᵢⱼ − c·imageᵢ − Tᵢ = 0 that the batch verifier can weight and
 * merge with thousands of others. The relations themselves are `shared/proofs/linear-relation.ts`'s.
 */

import type { Group } from '../../groups/group.js';
import { concatBytes } from '../../proofs/bytes.js';
import { proverCommitments, type RelationTerms } from '../../proofs/linear-relation.js';
import { scalarToBytes } from '../../proofs/scalar.js';
import type { Equation } from './batch.js';
import { ELEMENT_BYTES, FieldReader, SCALAR_BYTES } from './codec.js';
import { mod, type ScalarSource } from './scalars.js';

export interface LinearStatement<E> {
  /** One list of terms per equation, in the order their commitments are hashed and sent. */
  readonly terms: RelationTerms<E>;
  readonly images: readonly E[];
}

export interface LinearProof<E> {
  readonly commitments: readonly E[];
  readonly responses: readonly bigint[];
}

/** `challengeOf` gets the commitments' bytes and hashes them after the statement. */
export function proveLinear<E>(
  group: Group<E>,
  statement: LinearStatement<E>,
  witness: readonly bigint[],
  challengeOf: (commitments: readonly Uint8Array[]) => bigint,
  scalars: ScalarSource,
): LinearProof<E> {
  const nonces = witness.map(() => scalars.scalar());
  // Constant-time in the nonces: the group's multiPow or pow (linear-relation.ts).
  const commitments = proverCommitments(group, statement.terms, nonces);
  const c = challengeOf(commitments.map((t) => group.toBytes(t)));
  // zⱼ = kⱼ + c·wⱼ mod ℓ; JavaScript has no constant-time big integers, as everywhere in the browser.
  return { commitments, responses: witness.map((w, j) => mod((nonces[j] as bigint) + c * w)) };
}

/** Σ zⱼ·baseᵢⱼ − c·imageᵢ − Tᵢ = 0 for each equation i. */
export function linearEquations<E>(
  statement: LinearStatement<E>,
  proof: LinearProof<E>,
  c: bigint,
): Equation<E>[] {
  return statement.terms.map((terms, i) => [
    ...terms.map(({ scalar, base }) => [base, proof.responses[scalar] as bigint] as const),
    [statement.images[i] as E, mod(-c)] as const,
    [proof.commitments[i] as E, mod(-1n)] as const,
  ]);
}

export function linearProofBytes(equations: number, scalars: number): number {
  return equations * ELEMENT_BYTES + scalars * SCALAR_BYTES;
}

/** T₁ ‖ … ‖ Tₑ ‖ z₁ ‖ … ‖ zₛ. */
export function linearProofToBytes<E>(group: Group<E>, proof: LinearProof<E>): Uint8Array {
  return concatBytes([
    ...proof.commitments.map((t) => group.toBytes(t)),
    ...proof.responses.map(scalarToBytes),
  ]);
}

export function readLinearProof<E>(
  reader: FieldReader<E>,
  equations: number,
  scalars: number,
  names: { commitment: (i: number) => string; response: (j: number) => string },
): LinearProof<E> {
  const commitments = Array.from({ length: equations }, (_, i) => reader.element(names.commitment(i)));
  const responses = Array.from({ length: scalars }, (_, j) => reader.scalar(names.response(j)));
  return { commitments, responses };
}

export function linearProofFromBytes<E>(
  group: Group<E>,
  bytes: Uint8Array,
  equations: number,
  scalars: number,
  what: string,
): LinearProof<E> {
  const reader = new FieldReader(group, bytes, what, linearProofBytes(equations, scalars));
  return readLinearProof(reader, equations, scalars, {
    commitment: (i) => `T${i + 1}`,
    response: (j) => `z${j + 1}`,
  });
}
