/**
 * How each kind of group derives, sends and checks a proof's numbers (spec v2: "Transcript and
 * challenge", "Proofs", "What a client does with an answer", step 2). The decoders are strict:
 * anything but the exact length, or (ristretto255) a scalar ≥ ℓ, is `undefined`, a failed proof.
 */

import { bytesToNumberBE, numberToBytesBE } from '@noble/curves/utils.js';
import { SECRET_EXPONENT_BITS } from '../groups/ffdhe.js';
import { FFDHE_PRIMES } from '../groups/ffdhe-primes.js';
import type { GroupName } from '../groups/group.js';
import { ristretto255Group } from '../groups/ristretto255.js';
import { randomBelow, randomNonzeroBits } from '../random.js';
import { scalarFromBytes, scalarToBytes } from './scalar.js';
import { type Challenge, FFDHE_CHALLENGE_BYTES, ffdheChallenge, ristrettoChallenge } from './transcript.js';

export interface ProofScalars {
  challenge(transcript: Uint8Array): Challenge;
  decodeChallenge(bytes: Uint8Array): bigint | undefined;
  encodeResponse(z: bigint): Uint8Array;
  decodeResponse(bytes: Uint8Array): bigint | undefined;
  /** A fresh prover nonce from the CSPRNG. */
  randomNonce(): bigint;
}

const ristretto255Scalars: ProofScalars = {
  challenge: ristrettoChallenge,
  decodeChallenge: scalarFromBytes,
  encodeResponse: scalarToBytes,
  decodeResponse: scalarFromBytes,
  randomNonce: () => randomBelow(ristretto255Group.order),
};

/**
 * The ffdhe prover's re-randomization secrets are short exponents (sⱼ < 2^κ, RFC 7919 §5.2), so its
 * nonces are drawn from [0, 2^(κ+384)) and zⱼ = kⱼ + e·sⱼ over the integers: statistically hiding
 * (e·sⱼ < 2^(κ+256), 128 bits below the nonces' range), and far cheaper to verify than a z mod q.
 */
function ffdheScalars(group: Exclude<GroupName, 'ristretto255'>): ProofScalars {
  const responseBytes = FFDHE_PRIMES[group].bits / 8;
  const nonceBits = SECRET_EXPONENT_BITS[group] + 384;
  return {
    challenge: ffdheChallenge,
    decodeChallenge: (bytes) => (bytes.length === FFDHE_CHALLENGE_BYTES ? bytesToNumberBE(bytes) : undefined),
    encodeResponse: (z) => numberToBytesBE(z, responseBytes),
    decodeResponse: (bytes) => (bytes.length === responseBytes ? bytesToNumberBE(bytes) : undefined),
    randomNonce: () => randomNonzeroBits(nonceBits),
  };
}

/**
 * The bit length of an honest ffdhe response: z = k + e·s < 2^(κ+384) + 2^(κ+256) < 2^(κ+385). A
 * verifier that raises fixed bases to many of them prepares its tables this far.
 */
export function honestResponseBits(group: Exclude<GroupName, 'ristretto255'>): number {
  return SECRET_EXPONENT_BITS[group] + 385;
}

export function proofScalars(group: GroupName): ProofScalars {
  return group === 'ristretto255' ? ristretto255Scalars : ffdheScalars(group);
}
