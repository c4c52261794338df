/**
 * The key ceremony: Feldman verifiable secret sharing as in ElectionGuard 2.0 §3.2, as pure functions
 * over messages so that a CLI can run it with files. Trustee i (1 … n) draws Pᵢ(x) = Σⱼ aᵢⱼ·xʲ of
 * degree k − 1 and
 *   round 1 publishes Kᵢⱼ = aᵢⱼ·G with a Schnorr proof of knowledge of each aᵢⱼ;
 *   round 2 sends every other trustee ℓ its share Pᵢ(ℓ), encrypted to ℓ's trustee key (share-encryption.ts);
 *   round 3 each trustee ℓ decrypts its shares, checks Pᵢ(ℓ)·G = Σⱼ ℓʲ·Kᵢⱼ, and publishes its complaints.
 * Then K = Σᵢ Kᵢ₀ is the joint key, sₗ = Σᵢ Pᵢ(ℓ) trustee ℓ's secret share, and
 * Sₗ = Σᵢ Σⱼ ℓʲ·Kᵢⱼ = sₗ·G its verification key, which anyone computes from the public record.
 */

import type { Group } from '../../groups/group.js';
import { concatBytes, item, u32be } from '../../proofs/bytes.js';
import { type Equation, equationsHold, verifierMsm } from './batch.js';
import { bytesFromWire, bytesToWire, parseElement } from './codec.js';
import {
  linearEquations,
  linearProofBytes,
  linearProofFromBytes,
  linearProofToBytes,
  proveLinear,
} from './linear-proof.js';
import { mod, type ScalarSource, systemScalars } from './scalars.js';
import {
  decryptShare,
  ENCRYPTED_SHARE_BYTES,
  encryptShare,
  ShareDecryptionError,
} from './share-encryption.js';
import { challenge } from './transcript.js';

export const COEFFICIENT_PROOF_BYTES = linearProofBytes(1, 1);
const MAX_TRUSTEES = 255;

export interface CeremonyParameters<E> {
  readonly studyId: string;
  /** k: how many trustees together can decrypt. */
  readonly threshold: number;
  /** Trustee i's public key (index i = position + 1), to which its shares are encrypted. */
  readonly trusteeKeys: readonly E[];
}

/** Round 1. */
export interface CommitmentMessage<E> {
  readonly trustee: number;
  /** Kᵢ₀ … Kᵢ₍ₖ₋₁₎. */
  readonly commitments: readonly E[];
  /** T ‖ z for each coefficient (64 bytes). */
  readonly proofs: readonly Uint8Array[];
}

/** Round 2: Pᵢ(ℓ) from trustee `from` to trustee `to`, encrypted. */
export interface ShareMessage {
  readonly from: number;
  readonly to: number;
  readonly encrypted: Uint8Array;
}

export interface Complaint {
  readonly against: number;
  readonly reason: string;
}

/** Round 3: what trustee `trustee` found wrong in the shares it received (nothing, if the ceremony holds). */
export interface VerificationMessage {
  readonly trustee: number;
  readonly complaints: readonly Complaint[];
}

export interface CeremonyRecord<E> {
  readonly commitments: readonly CommitmentMessage<E>[];
  readonly shares: readonly ShareMessage[];
  readonly verifications: readonly VerificationMessage[];
}

/** A ceremony that failed, with the trustees to blame. */
export class CeremonyError extends Error {
  override readonly name = 'CeremonyError';

  constructor(
    readonly trustees: readonly number[],
    message: string,
  ) {
    super(message);
  }
}

export function checkParameters<E>(group: Group<E>, params: CeremonyParameters<E>): void {
  const n = params.trusteeKeys.length;
  if (n < 1 || n > MAX_TRUSTEES) throw new RangeError(`A ceremony has 1 to ${MAX_TRUSTEES} trustees.`);
  if (!Number.isInteger(params.threshold) || params.threshold < 1 || params.threshold > n) {
    throw new RangeError(`The threshold must be an integer in [1, ${n}].`);
  }
  params.trusteeKeys.forEach((key, i) => {
    if (group.equals(key, group.identity)) {
      throw new RangeError(`Trustee ${i + 1}'s public key is the identity.`);
    }
    // One key for two trustees would let one of them read the other's shares.
    const first = params.trusteeKeys.findIndex((other) => group.equals(other, key));
    if (first !== i) throw new RangeError(`Trustees ${first + 1} and ${i + 1} have the same public key.`);
  });
}

/** Round 1 for trustee `index`: its secret polynomial (kept) and its commitment message (published). */
export function startCeremony<E>(
  group: Group<E>,
  params: CeremonyParameters<E>,
  index: number,
  scalars: ScalarSource = systemScalars,
): { polynomial: readonly bigint[]; message: CommitmentMessage<E> } {
  checkParameters(group, params);
  checkIndex(params, index, 'trustee');
  const polynomial = Array.from({ length: params.threshold }, () => scalars.scalar());
  const commitments = polynomial.map((a) => group.powGenerator(a));
  const proofs = polynomial.map((a, j) => {
    const statement = coefficientStatement(group, commitments[j] as E);
    const proof = proveLinear(
      group,
      statement,
      [a],
      (t) => coefficientChallenge(group, params, index, j, commitments[j] as E, t),
      scalars,
    );
    return linearProofToBytes(group, proof);
  });
  return { polynomial, message: { trustee: index, commitments, proofs } };
}

/** Why a round-1 message is not acceptable, or undefined if it is. */
export function commitmentProblem<E>(
  group: Group<E>,
  params: CeremonyParameters<E>,
  message: CommitmentMessage<E>,
): string | undefined {
  const k = params.threshold;
  if (message.commitments.length !== k || message.proofs.length !== k) {
    return `it must publish ${k} commitments and ${k} proofs`;
  }
  if (message.commitments.some((K) => group.equals(K, group.identity))) return 'a commitment is the identity';
  const equations: Equation<E>[] = [];
  for (let j = 0; j < k; j++) {
    const K = message.commitments[j] as E;
    try {
      const proof = linearProofFromBytes(
        group,
        message.proofs[j] as Uint8Array,
        1,
        1,
        `coefficient ${j}'s proof`,
      );
      const c = coefficientChallenge(group, params, message.trustee, j, K, [
        group.toBytes(proof.commitments[0] as E),
      ]);
      equations.push(...linearEquations(coefficientStatement(group, K), proof, c));
    } catch (error) {
      return (error as Error).message;
    }
  }
  // All k proofs in one multi-scalar multiplication; which one failed, if any, is found one by one.
  if (equationsHold(group, equations)) return undefined;
  const bad = message.proofs.findIndex((_, j) => !equationsHold(group, equations.slice(j, j + 1)));
  return `its proof of knowledge of coefficient ${bad} does not verify`;
}

/** Round 2 for trustee `index`: its share for every other trustee, each encrypted to that trustee. */
export function encryptShares<E>(
  group: Group<E>,
  params: CeremonyParameters<E>,
  index: number,
  polynomial: readonly bigint[],
  scalars: ScalarSource = systemScalars,
): ShareMessage[] {
  return params.trusteeKeys.flatMap((key, position) => {
    const to = position + 1;
    if (to === index) return [];
    const share = evaluate(polynomial, to);
    return [
      {
        from: index,
        to,
        encrypted: encryptShare(group, key, share, shareBinding(group, params, index, to), scalars),
      },
    ];
  });
}

/**
 * Round 3 for trustee `recipient.index`: every other trustee's share decrypted and checked against its
 * commitments. The secret share sₗ is returned only when nothing is wrong; every problem is a
 * complaint naming the trustee who sent it.
 */
export function receiveShares<E>(
  group: Group<E>,
  params: CeremonyParameters<E>,
  recipient: { readonly index: number; readonly secretKey: bigint; readonly polynomial: readonly bigint[] },
  commitments: readonly CommitmentMessage<E>[],
  shares: readonly ShareMessage[],
): { secretShare: bigint | undefined; message: VerificationMessage } {
  const l = recipient.index;
  const publicKey = params.trusteeKeys[l - 1];
  if (publicKey === undefined) throw new RangeError(`There is no trustee ${l}.`);
  if (recipient.polynomial.length !== params.threshold) {
    throw new RangeError(`Trustee ${l}'s polynomial must have ${params.threshold} coefficients.`);
  }
  const complaints: Complaint[] = [];
  let secretShare = evaluate(recipient.polynomial, l);
  for (let i = 1; i <= params.trusteeKeys.length; i++) {
    if (i === l) continue;
    const fail = (reason: string) => complaints.push({ against: i, reason });
    const published = commitments.find((m) => m.trustee === i);
    const received = shares.filter((s) => s.from === i && s.to === l);
    if (!published || commitmentProblem(group, params, published) !== undefined) {
      fail('its round-1 commitments are missing or invalid');
      continue;
    }
    if (received.length !== 1) {
      fail(received.length === 0 ? 'it sent no share' : 'it sent more than one share');
      continue;
    }
    let share: bigint;
    try {
      share = decryptShare(
        group,
        { secretKey: recipient.secretKey, publicKey },
        (received[0] as ShareMessage).encrypted,
        shareBinding(group, params, i, l),
      );
    } catch (error) {
      if (!(error instanceof ShareDecryptionError)) throw error;
      fail(`its encrypted share does not decrypt: ${error.message}`);
      continue;
    }
    // The share is secret: its side by the constant-time fixed-base method; the commitments are public.
    if (!group.equals(group.powGenerator(share), committedValue(group, published.commitments, l))) {
      fail('its share does not match its commitments');
      continue;
    }
    secretShare = mod(secretShare + share);
  }
  return {
    secretShare: complaints.length === 0 ? secretShare : undefined,
    message: { trustee: l, complaints },
  };
}

/** K = Σᵢ Kᵢ₀. */
export function jointKey<E>(group: Group<E>, commitments: readonly CommitmentMessage<E>[]): E {
  return commitments.reduce((sum, m) => group.multiply(sum, m.commitments[0] as E), group.identity);
}

/** Sₗ = Σⱼ ℓʲ·(Σᵢ Kᵢⱼ). */
export function verificationKey<E>(
  group: Group<E>,
  commitments: readonly CommitmentMessage<E>[],
  index: number,
): E {
  const k = commitments[0]?.commitments.length ?? 0;
  const summed = Array.from({ length: k }, (_, j) =>
    commitments.reduce((sum, m) => group.multiply(sum, m.commitments[j] as E), group.identity),
  );
  return committedValue(group, summed, index);
}

/**
 * Checks a whole ceremony's public record: every trustee's commitments and proofs, that every share
 * was sent (as a well-formed ciphertext) and that every trustee published a verification without
 * complaints. Returns the joint key and every trustee's verification key; otherwise a `CeremonyError`
 * naming the trustees at fault (a complaint names the accused: the record alone cannot tell a false
 * accusation from a bad share, which the accused answers by publishing the share, as in ElectionGuard).
 */
export function checkCeremonyRecord<E>(
  group: Group<E>,
  params: CeremonyParameters<E>,
  record: CeremonyRecord<E>,
): { jointKey: E; verificationKeys: E[] } {
  checkParameters(group, params);
  const n = params.trusteeKeys.length;
  const indices = Array.from({ length: n }, (_, i) => i + 1);
  const problems: { trustee: number; why: string }[] = [];
  const blame = (trustee: number, why: string) => problems.push({ trustee, why });
  for (const i of indices) {
    const messages = record.commitments.filter((m) => m.trustee === i);
    if (messages.length !== 1) {
      blame(i, messages.length === 0 ? 'published no commitments' : 'published commitments twice');
      continue;
    }
    const problem = commitmentProblem(group, params, messages[0] as CommitmentMessage<E>);
    if (problem !== undefined) blame(i, `round 1: ${problem}`);
  }
  for (const m of record.commitments) if (!indices.includes(m.trustee)) blame(m.trustee, 'is not a trustee');
  for (const i of indices) {
    for (const l of indices) {
      if (i === l) continue;
      const sent = record.shares.filter((s) => s.from === i && s.to === l);
      if (sent.length !== 1) blame(i, `sent ${sent.length} shares to trustee ${l}, not 1`);
      else if ((sent[0] as ShareMessage).encrypted.length !== ENCRYPTED_SHARE_BYTES) {
        blame(i, `its share for trustee ${l} is not ${ENCRYPTED_SHARE_BYTES} bytes`);
      }
    }
    const verifications = record.verifications.filter((v) => v.trustee === i);
    if (verifications.length !== 1) blame(i, 'did not publish exactly one verification');
    for (const complaint of verifications[0]?.complaints ?? []) {
      blame(complaint.against, `trustee ${i} complains: ${complaint.reason}`);
    }
  }
  if (problems.length > 0) {
    const trustees = [...new Set(problems.map((p) => p.trustee))].sort((a, b) => a - b);
    throw new CeremonyError(
      trustees,
      `The key ceremony failed: ${problems.map((p) => `trustee ${p.trustee} ${p.why}`).join('; ')}.`,
    );
  }
  const ordered = indices.map((i) => record.commitments.find((m) => m.trustee === i) as CommitmentMessage<E>);
  return {
    jointKey: jointKey(group, ordered),
    verificationKeys: indices.map((l) => verificationKey(group, ordered, l)),
  };
}

/** Everything a ceremony's hashes are bound to: the study, n, k and the trustees' keys. */
export function ceremonyBinding<E>(group: Group<E>, params: CeremonyParameters<E>): Uint8Array {
  return concatBytes([
    item(params.studyId),
    u32be(params.trusteeKeys.length),
    u32be(params.threshold),
    ...params.trusteeKeys.map((key) => group.toBytes(key)),
  ]);
}

/** What trustee `from`'s encrypted share for trustee `to` is bound to. */
export function shareBinding<E>(
  group: Group<E>,
  params: CeremonyParameters<E>,
  from: number,
  to: number,
): Uint8Array {
  return concatBytes([ceremonyBinding(group, params), u32be(from), u32be(to)]);
}

function coefficientStatement<E>(group: Group<E>, commitment: E) {
  return { terms: [[{ scalar: 0, base: group.generator }]], images: [commitment] };
}

function coefficientChallenge<E>(
  group: Group<E>,
  params: CeremonyParameters<E>,
  trustee: number,
  j: number,
  commitment: E,
  proofCommitments: readonly Uint8Array[],
): bigint {
  return challenge('coefficient', [
    ceremonyBinding(group, params),
    u32be(trustee),
    u32be(j),
    group.toBytes(commitment),
    ...proofCommitments,
  ]);
}

/** Σⱼ xʲ·Cⱼ over public commitments. */
function committedValue<E>(group: Group<E>, commitments: readonly E[], x: number): E {
  let power = 1n;
  const terms = commitments.map((c) => {
    const term = [c, power] as const;
    power = mod(power * BigInt(x));
    return term;
  });
  return verifierMsm(group)(terms);
}

/** Pᵢ(x) by Horner's rule mod ℓ. */
function evaluate(polynomial: readonly bigint[], x: number): bigint {
  return polynomial.reduceRight((acc, a) => mod(acc * BigInt(x) + a), 0n);
}

function checkIndex<E>(params: CeremonyParameters<E>, index: number, what: string): void {
  if (!Number.isInteger(index) || index < 1 || index > params.trusteeKeys.length) {
    throw new RangeError(`A ${what} index is in [1, ${params.trusteeKeys.length}].`);
  }
}

/* Wire forms: JSON with elements and byte strings as unpadded base64url, parsed strictly. */

export interface CommitmentMessageWire {
  readonly trustee: number;
  readonly commitments: readonly string[];
  readonly proofs: readonly string[];
}

export interface ShareMessageWire {
  readonly from: number;
  readonly to: number;
  readonly encrypted: string;
}

export function commitmentMessageToWire<E>(group: Group<E>, m: CommitmentMessage<E>): CommitmentMessageWire {
  return {
    trustee: m.trustee,
    commitments: m.commitments.map((K) => bytesToWire(group.toBytes(K))),
    proofs: m.proofs.map(bytesToWire),
  };
}

export function commitmentMessageFromWire<E>(group: Group<E>, value: unknown): CommitmentMessage<E> {
  const record = objectWith(value, ['trustee', 'commitments', 'proofs'], 'commitment message');
  const trustee = trusteeNumber(record.trustee, 'commitment message: trustee');
  const what = `trustee ${trustee}'s commitment message`;
  return {
    trustee,
    commitments: arrayOf(record.commitments, `${what}: commitments`).map((text, j) =>
      parseElement(group, bytesFromWire(text, `${what}: K${j}`, 32), `${what}: K${j}`),
    ),
    proofs: arrayOf(record.proofs, `${what}: proofs`).map((text, j) =>
      bytesFromWire(text, `${what}: proof ${j}`, COEFFICIENT_PROOF_BYTES),
    ),
  };
}

export function shareMessageToWire(m: ShareMessage): ShareMessageWire {
  return { from: m.from, to: m.to, encrypted: bytesToWire(m.encrypted) };
}

export function shareMessageFromWire(value: unknown): ShareMessage {
  const record = objectWith(value, ['from', 'to', 'encrypted'], 'share message');
  const from = trusteeNumber(record.from, 'share message: from');
  const to = trusteeNumber(record.to, 'share message: to');
  return {
    from,
    to,
    encrypted: bytesFromWire(record.encrypted, `share from ${from} to ${to}`, ENCRYPTED_SHARE_BYTES),
  };
}

export function verificationMessageFromWire(value: unknown): VerificationMessage {
  const record = objectWith(value, ['trustee', 'complaints'], 'verification message');
  const trustee = trusteeNumber(record.trustee, 'verification message: trustee');
  const complaints = arrayOf(record.complaints, `trustee ${trustee}'s complaints`).map((c) => {
    const complaint = objectWith(c, ['against', 'reason'], `trustee ${trustee}'s complaint`);
    if (typeof complaint.reason !== 'string')
      throw new TypeError(`trustee ${trustee}'s complaint needs a reason.`);
    return { against: trusteeNumber(complaint.against, 'complaint: against'), reason: complaint.reason };
  });
  return { trustee, complaints };
}

function objectWith(value: unknown, keys: readonly string[], what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new TypeError(`${what} must be an object.`);
  const actual = Object.keys(value).sort();
  if (actual.join() !== [...keys].sort().join())
    throw new TypeError(`${what} must have exactly: ${keys.join(', ')}.`);
  return value as Record<string, unknown>;
}

function arrayOf(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new TypeError(`${what} must be an array.`);
  return value;
}

function trusteeNumber(value: unknown, what: string): number {
  if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > MAX_TRUSTEES) {
    throw new TypeError(`${what} must be a trustee index in [1, ${MAX_TRUSTEES}].`);
  }
  return value as number;
}
