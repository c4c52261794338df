/**
 * The one-hot proof: ciphertexts C₁ … C_c encrypt a vector with exactly one 1 (a choice among c
 * options). Each Cᵢ has a bit proof, and a Chaum–Pedersen proof shows that ΣCᵢ encrypts 1:
 * ΣAᵢ = R·G and ΣBᵢ − G = R·K with R = Σrᵢ. Layout: c bit proofs (224 bytes each), then
 * T₁ ‖ T₂ ‖ z (96 bytes).
 */

import { ProtocolError } from '../../errors.js';
import type { Group } from '../../groups/group.js';
import { concatBytes, u32be } from '../../proofs/bytes.js';
import type { Equation } from './batch.js';
import { BIT_PROOF_BYTES, type BitDomain, bitEquationsIn, proveBitIn } from './bit-proof.js';
import {
  type Ciphertext,
  ciphertextItems,
  combineOpenings,
  type Opening,
  subtractPlaintext,
  sumCiphertexts,
} from './ciphertext.js';
import { FieldReader } from './codec.js';
import {
  type LinearStatement,
  linearEquations,
  linearProofBytes,
  linearProofToBytes,
  proveLinear,
  readLinearProof,
} from './linear-proof.js';
import { type ScalarSource, systemScalars } from './scalars.js';
import { challenge } from './transcript.js';

const SUM_PROOF_BYTES = linearProofBytes(2, 1);

export function oneHotProofBytes(count: number): number {
  return count * BIT_PROOF_BYTES + SUM_PROOF_BYTES;
}

export function proveOneHot<E>(
  group: Group<E>,
  key: E,
  ciphertexts: readonly Ciphertext<E>[],
  openings: readonly Opening[],
  context: Uint8Array,
  scalars: ScalarSource = systemScalars,
): Uint8Array {
  if (ciphertexts.length < 1 || openings.length !== ciphertexts.length) {
    throw new RangeError('A one-hot proof needs one opening per ciphertext, and at least one.');
  }
  if (openings.reduce((sum, o) => sum + o.value, 0n) !== 1n) {
    throw new RangeError('A one-hot vector has exactly one 1.');
  }
  const bits = ciphertexts.map((c, i) =>
    proveBitIn(group, key, c, openings[i] as Opening, bitDomain(ciphertexts.length, i, context), scalars),
  );
  const total = combineOpenings(openings.map((o) => [o, 1n] as const));
  const statement = sumStatement(group, key, ciphertexts);
  const sum = proveLinear(
    group,
    statement,
    [total.randomness],
    (t) => sumChallenge(group, key, ciphertexts, context, t),
    scalars,
  );
  return concatBytes([...bits, linearProofToBytes(group, sum)]);
}

export function oneHotProofEquations<E>(
  group: Group<E>,
  key: E,
  ciphertexts: readonly Ciphertext<E>[],
  proof: Uint8Array,
  context: Uint8Array,
): Equation<E>[] {
  const count = ciphertexts.length;
  if (count < 1) throw new RangeError('A one-hot proof is about at least one ciphertext.');
  if (proof.length !== oneHotProofBytes(count)) {
    throw new ProtocolError(
      'invalid-encoding',
      `one-hot proof must be ${oneHotProofBytes(count)} bytes for ${count} options, not ${proof.length}.`,
    );
  }
  const equations = ciphertexts.flatMap((c, i) =>
    bitEquationsIn(
      group,
      key,
      c,
      proof.subarray(i * BIT_PROOF_BYTES, (i + 1) * BIT_PROOF_BYTES),
      bitDomain(count, i, context),
      `one-hot proof: option ${i}'s bit proof`,
    ),
  );
  const reader = new FieldReader(
    group,
    proof.subarray(count * BIT_PROOF_BYTES),
    'one-hot proof: sum proof',
    SUM_PROOF_BYTES,
  );
  const sum = readLinearProof(reader, 2, 1, { commitment: (i) => `T${i + 1}`, response: () => 'z' });
  const c = sumChallenge(
    group,
    key,
    ciphertexts,
    context,
    sum.commitments.map((t) => group.toBytes(t)),
  );
  return [...equations, ...linearEquations(sumStatement(group, key, ciphertexts), sum, c)];
}

function bitDomain(count: number, index: number, context: Uint8Array): BitDomain {
  return { purpose: 'one-hot-bit', prefix: [context, u32be(count), u32be(index)] };
}

/** ΣAᵢ = R·G, ΣBᵢ − G = R·K. */
function sumStatement<E>(group: Group<E>, key: E, ciphertexts: readonly Ciphertext<E>[]): LinearStatement<E> {
  const shifted = subtractPlaintext(group, sumCiphertexts(group, ciphertexts), 1n);
  return {
    terms: [[{ scalar: 0, base: group.generator }], [{ scalar: 0, base: key }]],
    images: [shifted.a, shifted.b],
  };
}

function sumChallenge<E>(
  group: Group<E>,
  key: E,
  ciphertexts: readonly Ciphertext<E>[],
  context: Uint8Array,
  commitments: readonly Uint8Array[],
): bigint {
  return challenge('one-hot-sum', [
    context,
    u32be(ciphertexts.length),
    group.toBytes(key),
    ...ciphertexts.flatMap((c) => ciphertextItems(group, c)),
    ...commitments,
  ]);
}
