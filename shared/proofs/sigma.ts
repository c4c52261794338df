/**
 * Fiat–Shamir proving and verification of a linear relation: the commitments go into the transcript,
 * the challenge comes out of it, and a proof is the challenge and one response per secret scalar.
 */

import { equalBytes } from '@noble/curves/utils.js';
import type { Group } from '../groups/group.js';
import {
  type MultiScalarMultiply,
  proverCommitments,
  type RelationTerms,
  verifierCommitments,
} from './linear-relation.js';
import type { ProofScalars } from './proof-scalars.js';
import { type ProofHeader, transcriptBytes } from './transcript.js';

export interface ProofBytes {
  readonly challenge: Uint8Array;
  readonly responses: readonly Uint8Array[];
}

/** zᵢ = kᵢ + e·wᵢ: constant-time for ristretto255 (libsodium), over the integers for ffdhe. */
export type Respond = (nonce: bigint, challenge: bigint, secret: bigint) => bigint;

/**
 * `witness` in scalar order; `nonces` fresh from `scalars.randomNonce` for every answer (the test
 * vectors fix them; a real prover never reuses or derives a nonce).
 */
export function prove<E>(
  group: Group<E>,
  scalars: ProofScalars,
  header: ProofHeader,
  terms: RelationTerms<E>,
  witness: readonly bigint[],
  respond: Respond,
  nonces: readonly bigint[] = witness.map(() => scalars.randomNonce()),
): ProofBytes {
  if (nonces.length !== witness.length) throw new RangeError('One nonce per secret scalar.');
  const commitments = proverCommitments(group, terms, nonces).map((t) => group.toBytes(t));
  const challenge = scalars.challenge(transcriptBytes(header, commitments));
  return {
    challenge: challenge.bytes,
    responses: witness.map((w, i) =>
      scalars.encodeResponse(respond(nonces[i] as bigint, challenge.value, w)),
    ),
  };
}

/**
 * True iff the proof is well formed (strict decoding, exactly `scalarCount` responses) and the
 * challenge recomputed from the recommitted Tᵢ is the one sent.
 */
export function verify<E>(
  group: Group<E>,
  scalars: ProofScalars,
  header: ProofHeader,
  terms: RelationTerms<E>,
  negatedImages: readonly E[],
  scalarCount: number,
  proof: ProofBytes,
  msm: MultiScalarMultiply<E>,
): boolean {
  const challenge = scalars.decodeChallenge(proof.challenge);
  if (challenge === undefined || proof.responses.length !== scalarCount) return false;
  const responses: bigint[] = [];
  for (const bytes of proof.responses) {
    const z = scalars.decodeResponse(bytes);
    if (z === undefined) return false;
    responses.push(z);
  }
  const commitments = verifierCommitments(terms, negatedImages, responses, challenge, msm).map((t) =>
    group.toBytes(t),
  );
  return equalBytes(scalars.challenge(transcriptBytes(header, commitments)).bytes, proof.challenge);
}
