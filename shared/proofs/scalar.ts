/**
 * ristretto255 scalars on the wire (spec: "Notation"): 32 bytes little-endian with value < ℓ.
 * `scalarFromBytes` is the strict decoder: any other length or a non-canonical value is refused.
 */

import { bytesToNumberLE, numberToBytesLE } from '@noble/curves/utils.js';
import { ristretto255Group } from '../groups/ristretto255.js';

export const SCALAR_BYTES = 32;
const ORDER = ristretto255Group.order;

/** The integer k mod ℓ, as a number in [0, ℓ). */
export function reduceScalar(k: bigint): bigint {
  return ((k % ORDER) + ORDER) % ORDER;
}

/** scalar(k): k mod ℓ (so −2 is ℓ − 2), 32 bytes little-endian. */
export function scalarToBytes(k: bigint): Uint8Array {
  return numberToBytesLE(reduceScalar(k), SCALAR_BYTES);
}

/** Decodes an untrusted scalar; undefined unless it is exactly 32 bytes with value < ℓ. */
export function scalarFromBytes(bytes: Uint8Array): bigint | undefined {
  if (bytes.length !== SCALAR_BYTES) return undefined;
  const value = bytesToNumberLE(bytes);
  return value < ORDER ? value : undefined;
}
