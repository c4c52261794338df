/**
 * The bit proof: a ciphertext (A, B) under K encrypts 0 or 1. A disjunctive Chaum–Pedersen proof
 * (Cramer–Damgård–Schoenmakers OR) of "A = r·G and B − j·G = r·K" for j = 0 or j = 1, in commitment
 * form so the batch verifier can merge it: T_A0 ‖ T_B0 ‖ T_A1 ‖ T_B1 ‖ c0 ‖ z0 ‖ z1 (224 bytes),
 * c1 = c − c0 with c the challenge. Each branch j must satisfy
 *   z_j·G = T_Aj + c_j·A,   z_j·K = T_Bj + c_j·(B − j·G).
 */

import type { Group } from '../../groups/group.js';
import { concatBytes } from '../../proofs/bytes.js';
import { scalarToBytes } from '../../proofs/scalar.js';
import type { Equation } from './batch.js';
import { type Ciphertext, ciphertextItems, type Opening } from './ciphertext.js';
import { FieldReader } from './codec.js';
import { mod, type ScalarSource, systemScalars } from './scalars.js';
import { challenge, type Purpose } from './transcript.js';

export const BIT_PROOF_BYTES = 7 * 32;

/** What a bit proof's challenge hashes before K, A, B and the commitments. */
export interface BitDomain {
  readonly purpose: Extract<Purpose, 'bit' | 'range-bit' | 'one-hot-bit'>;
  readonly prefix: readonly Uint8Array[];
  /**
   * enc(K), enc(A), enc(B) when the caller already has them (a range proof encodes K once for all its
   * digits, and a verifier has the bytes it parsed): an encoding costs about half a scalar multiplication in noble.
   */
  readonly encoded?: readonly [Uint8Array, Uint8Array, Uint8Array];
}

/** A standalone bit proof; `context` binds it to one statement (study, contribution). */
export function proveBit<E>(
  group: Group<E>,
  key: E,
  ciphertext: Ciphertext<E>,
  opening: Opening,
  context: Uint8Array,
  scalars: ScalarSource = systemScalars,
): Uint8Array {
  return proveBitIn(group, key, ciphertext, opening, { purpose: 'bit', prefix: [context] }, scalars);
}

export function bitProofEquations<E>(
  group: Group<E>,
  key: E,
  ciphertext: Ciphertext<E>,
  proof: Uint8Array,
  context: Uint8Array,
): Equation<E>[] {
  return bitEquationsIn(group, key, ciphertext, proof, { purpose: 'bit', prefix: [context] }, 'bit proof');
}

/**
 * Both branches are computed by the same operations (the real one as a simulated one with c' = 0 and
 * z' = the nonce), on G and K only (the prover knows r, so z·G − c·A = (z − c·r)·G), so neither the
 * sequence of constant-time multiplications nor their bases depend on the secret bit.
 */
export function proveBitIn<E>(
  group: Group<E>,
  key: E,
  ciphertext: Ciphertext<E>,
  opening: Opening,
  domain: BitDomain,
  scalars: ScalarSource,
): Uint8Array {
  const v = opening.value;
  if (v !== 0n && v !== 1n) throw new RangeError('A bit proof needs an opening whose value is 0 or 1.');
  const r = opening.randomness;
  const nonce = scalars.scalar();
  const fakeChallenge = scalars.scalar();
  const fakeResponse = scalars.scalar();
  const select = (bit: bigint, ifZero: bigint, ifOne: bigint) => mod(ifZero + bit * (ifOne - ifZero));
  const commitments = [0n, 1n].flatMap((j) => {
    const isReal = 1n - (v ^ j);
    const c = select(isReal, fakeChallenge, 0n);
    const z = select(isReal, fakeResponse, nonce);
    const s = mod(z - c * r);
    // T_Bj = z·K − c·(B − j·G) = s·K + c·(j − v)·G.
    return [group.powGenerator(s), group.multiply(group.pow(key, s), group.powGenerator(c * (j - v)))];
  });
  const encoded = commitments.map((t) => group.toBytes(t));
  const c = bitChallenge(group, key, ciphertext, encoded, domain);
  const realChallenge = mod(c - fakeChallenge);
  const realResponse = mod(nonce + realChallenge * r);
  const c0 = select(v, realChallenge, fakeChallenge);
  const z0 = select(v, realResponse, fakeResponse);
  const z1 = select(v, fakeResponse, realResponse);
  return concatBytes([...encoded, ...[c0, z0, z1].map(scalarToBytes)]);
}

export function bitEquationsIn<E>(
  group: Group<E>,
  key: E,
  ciphertext: Ciphertext<E>,
  proof: Uint8Array,
  domain: BitDomain,
  what: string,
): Equation<E>[] {
  const reader = new FieldReader(group, proof, what, BIT_PROOF_BYTES);
  const commitments = ['T_A0', 'T_B0', 'T_A1', 'T_B1'].map((name) => reader.element(name));
  const c0 = reader.scalar('c0');
  const z = [reader.scalar('z0'), reader.scalar('z1')];
  const c = bitChallenge(
    group,
    key,
    ciphertext,
    [0, 1, 2, 3].map((i) => proof.subarray(32 * i, 32 * (i + 1))),
    domain,
  );
  const branchChallenges = [c0, mod(c - c0)];
  const minusOne = mod(-1n);
  return [0, 1].flatMap((j) => {
    const cj = branchChallenges[j] as bigint;
    const zj = z[j] as bigint;
    return [
      [
        [group.generator, zj],
        [ciphertext.a, mod(-cj)],
        [commitments[2 * j] as E, minusOne],
      ],
      [
        [key, zj],
        [ciphertext.b, mod(-cj)],
        [group.generator, mod(cj * BigInt(j))],
        [commitments[2 * j + 1] as E, minusOne],
      ],
    ] satisfies Equation<E>[];
  });
}

function bitChallenge<E>(
  group: Group<E>,
  key: E,
  ciphertext: Ciphertext<E>,
  commitments: readonly Uint8Array[],
  domain: BitDomain,
): bigint {
  const statement = domain.encoded ?? [group.toBytes(key), ...ciphertextItems(group, ciphertext)];
  return challenge(domain.purpose, [...domain.prefix, ...statement, ...commitments]);
}
