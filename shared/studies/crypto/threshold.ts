/**
 * Threshold decryption. Trustee ℓ, holding the share sₗ of the joint secret (verification key
 * Sₗ = sₗ·G), publishes Mₗ = sₗ·A with a Chaum–Pedersen proof that log_G Sₗ = log_A Mₗ; any k
 * partials combine with the Lagrange coefficients at 0, wₗ = Π_(j≠ℓ) j / (j − ℓ), into
 * m·G = B − Σ wₗ·Mₗ. A partial is Mₗ ‖ T₁ ‖ T₂ ‖ z (128 bytes).
 */

import type { Group } from '../../groups/group.js';
import { concatBytes, u32be } from '../../proofs/bytes.js';
import type { Equation } from './batch.js';
import { verifierMsm } from './batch.js';
import { type Ciphertext, ciphertextItems } from './ciphertext.js';
import { FieldReader } from './codec.js';
import {
  type LinearStatement,
  linearEquations,
  linearProofBytes,
  linearProofToBytes,
  proveLinear,
  readLinearProof,
} from './linear-proof.js';
import { invertPublic, mod, type ScalarSource, systemScalars } from './scalars.js';
import { challenge } from './transcript.js';

export const PARTIAL_DECRYPTION_BYTES = 32 + linearProofBytes(2, 1);

export interface PartialDecryption<E> {
  readonly trustee: number;
  /** Mₗ = sₗ·A. */
  readonly share: E;
  /** T₁ ‖ T₂ ‖ z. */
  readonly proof: Uint8Array;
}

export function partialDecrypt<E>(
  group: Group<E>,
  trustee: { readonly index: number; readonly secretShare: bigint; readonly verificationKey: E },
  ciphertext: Ciphertext<E>,
  context: Uint8Array,
  scalars: ScalarSource = systemScalars,
): PartialDecryption<E> {
  const share = group.pow(ciphertext.a, trustee.secretShare);
  const statement = relation(group, trustee.verificationKey, ciphertext, share);
  const proof = proveLinear(
    group,
    statement,
    [trustee.secretShare],
    (t) => partialChallenge(group, trustee.index, trustee.verificationKey, ciphertext, share, context, t),
    scalars,
  );
  return { trustee: trustee.index, share, proof: linearProofToBytes(group, proof) };
}

export function partialDecryptionEquations<E>(
  group: Group<E>,
  verificationKey: E,
  ciphertext: Ciphertext<E>,
  partial: PartialDecryption<E>,
  context: Uint8Array,
): Equation<E>[] {
  const what = `trustee ${partial.trustee}'s partial decryption proof`;
  const reader = new FieldReader(group, partial.proof, what, linearProofBytes(2, 1));
  const proof = readLinearProof(reader, 2, 1, { commitment: (i) => `T${i + 1}`, response: () => 'z' });
  const c = partialChallenge(
    group,
    partial.trustee,
    verificationKey,
    ciphertext,
    partial.share,
    context,
    proof.commitments.map((t) => group.toBytes(t)),
  );
  return linearEquations(relation(group, verificationKey, ciphertext, partial.share), proof, c);
}

export function partialDecryptionToBytes<E>(group: Group<E>, partial: PartialDecryption<E>): Uint8Array {
  return concatBytes([group.toBytes(partial.share), partial.proof]);
}

export function partialDecryptionFromBytes<E>(
  group: Group<E>,
  trustee: number,
  bytes: Uint8Array,
): PartialDecryption<E> {
  const reader = new FieldReader(
    group,
    bytes,
    `trustee ${trustee}'s partial decryption`,
    PARTIAL_DECRYPTION_BYTES,
  );
  // Mₗ may be the identity only if A is, which a ciphertext's parser refuses.
  const share = reader.element('M');
  return { trustee, share, proof: bytes.slice(32) };
}

/** wₗ = Π_(j≠ℓ) j / (j − ℓ) mod ℓ for the distinct trustee indices given. */
export function lagrangeCoefficients(indices: readonly number[]): bigint[] {
  if (new Set(indices).size !== indices.length || indices.some((i) => !Number.isInteger(i) || i < 1)) {
    throw new RangeError('Trustee indices must be distinct positive integers.');
  }
  return indices.map((l) =>
    indices.reduce((w, j) => (j === l ? w : mod(w * BigInt(j) * invertPublic(BigInt(j - l)))), 1n),
  );
}

/**
 * m·G = B − Σ wₗ·Mₗ from the partials of at least `threshold` distinct trustees, whose proofs the
 * caller has verified. Public values only, so one variable-time multi-scalar multiplication.
 */
export function combinePartialDecryptions<E>(
  group: Group<E>,
  ciphertext: Ciphertext<E>,
  partials: readonly PartialDecryption<E>[],
  threshold: number,
): E {
  if (partials.length < threshold) {
    throw new RangeError(
      `Decryption needs ${threshold} trustees' partial decryptions; ${partials.length} given.`,
    );
  }
  const weights = lagrangeCoefficients(partials.map((p) => p.trustee));
  const combined = verifierMsm(group)(partials.map((p, i) => [p.share, weights[i] as bigint] as const));
  return group.multiply(ciphertext.b, group.invert(combined));
}

/** S = s·G and M = s·A. */
function relation<E>(
  group: Group<E>,
  verificationKey: E,
  ciphertext: Ciphertext<E>,
  share: E,
): LinearStatement<E> {
  return {
    terms: [[{ scalar: 0, base: group.generator }], [{ scalar: 0, base: ciphertext.a }]],
    images: [verificationKey, share],
  };
}

function partialChallenge<E>(
  group: Group<E>,
  trustee: number,
  verificationKey: E,
  ciphertext: Ciphertext<E>,
  share: E,
  context: Uint8Array,
  commitments: readonly Uint8Array[],
): bigint {
  return challenge('partial-decryption', [
    context,
    u32be(trustee),
    group.toBytes(verificationKey),
    ...ciphertextItems(group, ciphertext),
    group.toBytes(share),
    ...commitments,
  ]);
}
