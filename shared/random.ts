/** Uniform random integers from the platform CSPRNG (`crypto.getRandomValues`) only. */

import { bytesToNumberBE } from '@noble/curves/utils.js';

/** Uniform in [1, 2^bits): rejection-free because every nonzero value is allowed; 0 is redrawn. */
export function randomNonzeroBits(bits: number): bigint {
  for (;;) {
    const value = randomBits(bits);
    if (value !== 0n) return value;
  }
}

/** Uniform in [1, bound) by rejection sampling on the bit length of bound. */
export function randomBelow(bound: bigint): bigint {
  const bits = bound.toString(2).length;
  for (;;) {
    const value = randomBits(bits);
    if (value !== 0n && value < bound) return value;
  }
}

function randomBits(bits: number): bigint {
  const bytes = new Uint8Array(Math.ceil(bits / 8));
  crypto.getRandomValues(bytes);
  const excess = bytes.length * 8 - bits;
  bytes[0] = (bytes[0] ?? 0) & (0xff >> excess);
  return bytesToNumberBE(bytes);
}
