/** Byte strings as the RFCs' presentation language writes them: big-endian integers, concatenation. */

export { concatBytes } from '../../proofs/bytes.js';

export function uint16Bytes(value: number): Uint8Array {
  return Uint8Array.of(value >> 8, value & 0xff);
}

/** RFC 8017 OS2IP. */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

/** RFC 8017 I2OSP; the caller guarantees value < 256^length. */
export function bigIntToBytes(value: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let rest = value;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return out;
}

/** For public values only (digests, key IDs): it returns at the first difference. */
export function publicBytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
