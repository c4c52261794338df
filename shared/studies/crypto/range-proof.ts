/**
 * The range proof: a GIVEN ciphertext C (fresh, or derived by the verifier: V − lo·G, V − Σ loₖ·Bₖ)
 * encrypts v ∈ [0, R], for any R ≥ 1. With n = bitlength(R), the weights are wᵢ = 2ⁱ (i < n − 1) and
 * w_(n−1) = R − (2ⁿ⁻¹ − 1), so Σ wᵢ·bᵢ over bits bᵢ covers exactly [0, R]. The proof is n digit
 * ciphertexts Dᵢ, each with a bit proof; the prover solves the last digit's randomness so that
 * Σ wᵢ·Dᵢ = C exactly, which the verifier checks (two equations) with the bit proofs.
 * Layout: for each digit i, Dᵢ.A ‖ Dᵢ.B ‖ bit proof (224 bytes): 288·n bytes.
 */

import { ProtocolError } from '../../errors.js';
import type { Group } from '../../groups/group.js';
import { concatBytes, u32be } from '../../proofs/bytes.js';
import { scalarToBytes } from '../../proofs/scalar.js';
import type { Equation } from './batch.js';
import { BIT_PROOF_BYTES, type BitDomain, bitEquationsIn, proveBitIn } from './bit-proof.js';
import {
  CIPHERTEXT_BYTES,
  type Ciphertext,
  ciphertextFromBytes,
  ciphertextItems,
  ciphertextToBytes,
  encryptWith,
  type Opening,
} from './ciphertext.js';
import { invertPublic, mod, type ScalarSource, systemScalars } from './scalars.js';

/** Ranges above this are out of scope (the transcript holds R as a 32-byte scalar; 128 digits at most). */
export const MAX_RANGE = (1n << 128n) - 1n;
const DIGIT_BYTES = CIPHERTEXT_BYTES + BIT_PROOF_BYTES;

export function rangeWeights(max: bigint): bigint[] {
  if (max < 1n || max > MAX_RANGE) throw new RangeError(`A range's upper bound must be in [1, 2¹²⁸).`);
  const n = max.toString(2).length;
  return Array.from({ length: n }, (_, i) =>
    i < n - 1 ? 1n << BigInt(i) : max - ((1n << BigInt(n - 1)) - 1n),
  );
}

export function rangeProofBytes(max: bigint): number {
  return rangeWeights(max).length * DIGIT_BYTES;
}

/** The digits bᵢ ∈ {0, 1} with Σ wᵢ·bᵢ = v: the top one set exactly when v exceeds 2ⁿ⁻¹ − 1. */
function digitsOf(value: bigint, weights: readonly bigint[]): bigint[] {
  const n = weights.length;
  const top = value > (1n << BigInt(n - 1)) - 1n ? 1n : 0n;
  const low = value - top * (weights[n - 1] as bigint);
  return weights.map((_, i) => (i < n - 1 ? (low >> BigInt(i)) & 1n : top));
}

export function proveRange<E>(
  group: Group<E>,
  key: E,
  ciphertext: Ciphertext<E>,
  opening: Opening,
  max: bigint,
  context: Uint8Array,
  scalars: ScalarSource = systemScalars,
): Uint8Array {
  const weights = rangeWeights(max);
  if (opening.value < 0n || opening.value > max)
    throw new RangeError('The value is outside the range it is proved in.');
  const bits = digitsOf(opening.value, weights);
  const n = weights.length;
  const randomness = weights.slice(0, n - 1).map(() => scalars.scalar());
  const covered = randomness.reduce((sum, r, i) => sum + (weights[i] as bigint) * r, 0n);
  // Σ wᵢ·rᵢ = r, so that Σ wᵢ·Dᵢ is C itself.
  randomness.push(mod((opening.randomness - covered) * invertPublic(weights[n - 1] as bigint)));
  const keyBytes = group.toBytes(key);
  const statement = ciphertextItems(group, ciphertext);
  return concatBytes(
    bits.flatMap((bit, i) => {
      const digitOpening = { value: bit, randomness: randomness[i] as bigint };
      const digit = encryptWith(group, key, digitOpening);
      const digitBytes = ciphertextToBytes(group, digit);
      const domain = rangeDomain(statement, max, i, context, keyBytes, digitBytes);
      return [digitBytes, proveBitIn(group, key, digit, digitOpening, domain, scalars)];
    }),
  );
}

export function rangeProofEquations<E>(
  group: Group<E>,
  key: E,
  ciphertext: Ciphertext<E>,
  max: bigint,
  proof: Uint8Array,
  context: Uint8Array,
): Equation<E>[] {
  const weights = rangeWeights(max);
  if (proof.length !== weights.length * DIGIT_BYTES) {
    throw new ProtocolError(
      'invalid-encoding',
      `range proof must be ${weights.length * DIGIT_BYTES} bytes for the range [0, ${max}], not ${proof.length}.`,
    );
  }
  const equations: Equation<E>[] = [];
  const keyBytes = group.toBytes(key);
  const statement = ciphertextItems(group, ciphertext);
  const digits = weights.map((_, i) => {
    const at = i * DIGIT_BYTES;
    const digitBytes = proof.subarray(at, at + CIPHERTEXT_BYTES);
    const digit = ciphertextFromBytes(group, digitBytes, `range proof: digit ${i}`);
    const bitProof = proof.subarray(at + CIPHERTEXT_BYTES, at + DIGIT_BYTES);
    const domain = rangeDomain(statement, max, i, context, keyBytes, digitBytes);
    equations.push(
      ...bitEquationsIn(group, key, digit, bitProof, domain, `range proof: digit ${i}'s bit proof`),
    );
    return digit;
  });
  const minusOne = mod(-1n);
  equations.push(
    [...digits.map((d, i) => [d.a, weights[i] as bigint] as const), [ciphertext.a, minusOne]],
    [...digits.map((d, i) => [d.b, weights[i] as bigint] as const), [ciphertext.b, minusOne]],
  );
  return equations;
}

/** `statement` is enc(C.A), enc(C.B); `digit` is enc(Dᵢ.A) ‖ enc(Dᵢ.B). */
function rangeDomain(
  statement: readonly Uint8Array[],
  max: bigint,
  index: number,
  context: Uint8Array,
  key: Uint8Array,
  digit: Uint8Array,
): BitDomain {
  return {
    purpose: 'range-bit',
    prefix: [context, ...statement, scalarToBytes(max), u32be(index)],
    encoded: [key, digit.subarray(0, 32), digit.subarray(32, 64)],
  };
}
