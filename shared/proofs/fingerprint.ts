/**
 * A private model's short fingerprint: the first 16 hex digits of SHA-256 over its commitment W, in
 * groups of 4, for a patient to compare with what the operator publishes.
 */

import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { base64UrlToBytes } from '../wire.js';

export function modelFingerprint(commitment: string): string {
  const digits = bytesToHex(sha256(base64UrlToBytes(commitment, 'commitment'))).slice(0, 16);
  return digits.match(/.{4}/g)?.join(' ') ?? digits;
}
