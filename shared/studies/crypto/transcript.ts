/**
 * The Fiat–Shamir challenge of every study proof (docs/STUDIES.md, "Cryptography", "Challenges"), in the
 * house convention of docs/PROTOCOL.md: SHA-512 over length-prefixed items, the first one the label
 * `sealed-vitals/study/v1/<purpose>`, read as a 64-byte little-endian integer and reduced mod ℓ.
 */

import { bytesToNumberLE } from '@noble/curves/utils.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { concatBytes, item } from '../../proofs/bytes.js';
import { mod } from './scalars.js';

export type Purpose =
  | 'bit'
  | 'range-bit'
  | 'one-hot-bit'
  | 'one-hot-sum'
  | 'product'
  | 'coefficient'
  | 'partial-decryption'
  | 'share-key'
  | 'share-mac';

export function studyLabel(purpose: Purpose): string {
  return `sealed-vitals/study/v1/${purpose}`;
}

/** item(label) ‖ item(x₁) ‖ … ‖ item(xₙ). */
export function transcript(purpose: Purpose, items: readonly Uint8Array[]): Uint8Array {
  return concatBytes([item(studyLabel(purpose)), ...items.map((x) => item(x))]);
}

export function challenge(purpose: Purpose, items: readonly Uint8Array[]): bigint {
  return mod(bytesToNumberLE(sha512(transcript(purpose, items))));
}
