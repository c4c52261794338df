/**
 * C2SP tlog-cosignature v1, Ed25519 (https://c2sp.org/tlog-cosignature, "Ed25519 signed message"):
 * a witness's timestamped signature (key type 0x04) on a checkpoint's note text.
 */

import { ed25519 } from '@noble/curves/ed25519.js';
import {
  COSIGNATURE_V1_KEY_TYPE,
  NoteError,
  type NoteSignature,
  type SignerKey,
  type VerifierKey,
} from './note.js';

const TIMESTAMP_BYTES = 8;
const ED25519_SIGNATURE_BYTES = 64;
const utf8 = new TextEncoder();

function checkTimestamp(timestamp: number): void {
  // The spec allows up to 2^63 - 1; a number is exact only up to 2^53 - 1, far beyond any real clock.
  if (!Number.isSafeInteger(timestamp) || timestamp < 0)
    throw new NoteError('a cosignature timestamp is a non-negative safe integer of Unix seconds');
}

/**
 * "cosignature/v1\ntime <decimal>\n" followed by the whole checkpoint text with its final newline
 * (extension lines included): the bytes a v1 cosigner signs.
 */
export function cosignedMessage(checkpointText: string, timestamp: number): Uint8Array {
  checkTimestamp(timestamp);
  // String(n) of a safe non-negative integer is decimal without leading zeros, as the spec asks.
  return utf8.encode(`cosignature/v1\ntime ${String(timestamp)}\n${checkpointText}`);
}

/**
 * The caller checks that `checkpointText` is a checkpoint it means to vouch for (consistent with what
 * it cosigned before): this only signs.
 */
export function cosign(checkpointText: string, timestamp: number, key: SignerKey): NoteSignature {
  // Only a cosigner key: the same key signing plain notes would blur the two statements.
  if (key.type !== COSIGNATURE_V1_KEY_TYPE)
    throw new NoteError('only a type 0x04 (cosignature/v1) key cosigns');
  const message = cosignedMessage(checkpointText, timestamp);
  const signature = new Uint8Array(TIMESTAMP_BYTES + ED25519_SIGNATURE_BYTES);
  new DataView(signature.buffer).setBigUint64(0, BigInt(timestamp));
  signature.set(ed25519.sign(message, key.seed), TIMESTAMP_BYTES);
  return { name: key.name, keyHash: key.keyHash, signature };
}

/** `timestamp` is the cosignature's time when `valid`, else 0. Never throws. */
export function verifyCosignature(
  checkpointText: string,
  signature: NoteSignature,
  key: VerifierKey,
): { valid: boolean; timestamp: number } {
  const invalid = { valid: false, timestamp: 0 };
  try {
    if (
      key.type !== COSIGNATURE_V1_KEY_TYPE ||
      signature.name !== key.name ||
      signature.keyHash !== key.keyHash
    )
      return invalid;
    const bytes = signature.signature;
    if (bytes.length !== TIMESTAMP_BYTES + ED25519_SIGNATURE_BYTES) return invalid;
    const timestamp = Number(new DataView(bytes.buffer, bytes.byteOffset, TIMESTAMP_BYTES).getBigUint64(0));
    if (!Number.isSafeInteger(timestamp)) return invalid;
    const message = cosignedMessage(checkpointText, timestamp);
    // Strict RFC 8032 encodings, as for note signatures.
    const valid = ed25519.verify(bytes.subarray(TIMESTAMP_BYTES), message, key.publicKey, { zip215: false });
    return valid ? { valid, timestamp } : invalid;
  } catch {
    return invalid;
  }
}
