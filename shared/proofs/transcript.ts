/**
 * The Fiat–Shamir transcript and challenge (spec v2: "Transcript and challenge"). Strong Fiat–Shamir:
 * the kind, the computation, the whole statement, the request's own public key and ciphertexts and the
 * outputs are all hashed with the prover's commitments, so a proof answers exactly one request.
 */

import { bytesToNumberBE, bytesToNumberLE } from '@noble/curves/utils.js';
import { sha512 } from '@noble/hashes/sha2.js';
import type { DeclarationKind } from '../declaration.js';
import type { GroupName } from '../groups/group.js';
import { concatBytes, item, u32be } from './bytes.js';
import { reduceScalar, scalarToBytes } from './scalar.js';

/** A named ciphertext as canonical element bytes. */
export interface NamedCiphertextBytes {
  readonly name: string;
  readonly a: Uint8Array;
  readonly b: Uint8Array;
}

/** Everything the transcript binds before the prover's commitments. */
export interface ProofHeader {
  readonly kind: DeclarationKind;
  readonly id: string;
  readonly version: number;
  readonly group: GroupName;
  readonly statement: Uint8Array;
  readonly publicKey: Uint8Array;
  /** Catalog order. */
  readonly inputs: readonly NamedCiphertextBytes[];
  /** Catalog order. */
  readonly outputs: readonly NamedCiphertextBytes[];
}

export function transcriptBytes(header: ProofHeader, commitments: readonly Uint8Array[]): Uint8Array {
  const ciphertexts = (list: readonly NamedCiphertextBytes[]) =>
    list.flatMap(({ name, a, b }) => [item(name), item(a), item(b)]);
  return concatBytes([
    item('sealed-vitals/v2/proof'),
    item(header.kind),
    item(header.id),
    item(u32be(header.version)),
    item(header.group),
    item(header.statement),
    item(header.publicKey),
    ...ciphertexts(header.inputs),
    ...ciphertexts(header.outputs),
    ...commitments.map((t) => item(t)),
  ]);
}

export interface Challenge {
  readonly value: bigint;
  /** As sent in the proof. */
  readonly bytes: Uint8Array;
}

/** ristretto255: SHA-512(transcript) as a 64-byte little-endian integer, mod ℓ. */
export function ristrettoChallenge(transcript: Uint8Array): Challenge {
  const value = reduceScalar(bytesToNumberLE(sha512(transcript)));
  return { value, bytes: scalarToBytes(value) };
}

/** ffdhe: the first 32 bytes of SHA-512(transcript), big-endian (0 ≤ e < 2²⁵⁶). */
export function ffdheChallenge(transcript: Uint8Array): Challenge {
  const bytes = sha512(transcript).slice(0, FFDHE_CHALLENGE_BYTES);
  return { value: bytesToNumberBE(bytes), bytes };
}

export const FFDHE_CHALLENGE_BYTES = 32;
