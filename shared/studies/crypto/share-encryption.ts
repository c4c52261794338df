/**
 * Hashed ElGamal for a trustee's share (ElectionGuard 2.0 §3.2.2 in spirit), on ristretto255 with
 * SHA-512: the sender draws ξ, sends α = ξ·G, and both sides derive from the Diffie–Hellman point
 * β = ξ·X = x·α the 64 bytes
 *   k = SHA-512(item("sealed-vitals/study/v1/share-key") ‖ item(binding) ‖ item(X) ‖ item(α) ‖ item(β)),
 * whose first 32 bytes mask the share (32-byte little-endian scalar) and last 32 key the MAC:
 *   tag = HMAC-SHA-512(k[32..64], item("sealed-vitals/study/v1/share-mac") ‖ item(binding) ‖ item(α) ‖ item(masked))[0..32].
 * Layout: α ‖ masked ‖ tag (96 bytes). `binding` names the ceremony, sender and recipient, so a share
 * cannot be replayed to another recipient or another ceremony.
 */

import { equalBytes } from '@noble/curves/utils.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha512 } from '@noble/hashes/sha2.js';
import type { Group } from '../../groups/group.js';
import { concatBytes } from '../../proofs/bytes.js';
import { scalarToBytes } from '../../proofs/scalar.js';
import { FieldReader, parseScalar } from './codec.js';
import type { ScalarSource } from './scalars.js';
import { transcript } from './transcript.js';

export const ENCRYPTED_SHARE_BYTES = 96;

export class ShareDecryptionError extends Error {
  override readonly name = 'ShareDecryptionError';
}

export function encryptShare<E>(
  group: Group<E>,
  recipientKey: E,
  share: bigint,
  binding: Uint8Array,
  scalars: ScalarSource,
): Uint8Array {
  const ephemeral = scalars.scalar();
  const alpha = group.toBytes(group.powGenerator(ephemeral));
  const beta = group.toBytes(group.pow(recipientKey, ephemeral));
  const { mask, macKey } = shareKeys(group.toBytes(recipientKey), alpha, beta, binding);
  const masked = xor(scalarToBytes(share), mask);
  return concatBytes([alpha, masked, tagOf(macKey, binding, alpha, masked)]);
}

/** The share, or a `ShareDecryptionError` (bad tag, bad α, not a scalar) that blames its sender. */
export function decryptShare<E>(
  group: Group<E>,
  recipient: { readonly secretKey: bigint; readonly publicKey: E },
  encrypted: Uint8Array,
  binding: Uint8Array,
): bigint {
  try {
    const reader = new FieldReader(group, encrypted, 'encrypted share', ENCRYPTED_SHARE_BYTES);
    const alphaElement = reader.element('α');
    const alpha = encrypted.subarray(0, 32);
    const masked = encrypted.subarray(32, 64);
    const beta = group.toBytes(group.pow(alphaElement, recipient.secretKey));
    const { mask, macKey } = shareKeys(group.toBytes(recipient.publicKey), alpha, beta, binding);
    // equalBytes compares every byte (constant-time), so the tag's first wrong byte is not revealed.
    if (!equalBytes(tagOf(macKey, binding, alpha, masked), encrypted.subarray(64))) {
      throw new ShareDecryptionError('its MAC does not verify');
    }
    return parseScalar(xor(masked, mask), 'decrypted share');
  } catch (error) {
    if (error instanceof ShareDecryptionError) throw error;
    throw new ShareDecryptionError((error as Error).message);
  }
}

function shareKeys(recipientKey: Uint8Array, alpha: Uint8Array, beta: Uint8Array, binding: Uint8Array) {
  const k = sha512(transcript('share-key', [binding, recipientKey, alpha, beta]));
  return { mask: k.slice(0, 32), macKey: k.slice(32) };
}

function tagOf(macKey: Uint8Array, binding: Uint8Array, alpha: Uint8Array, masked: Uint8Array): Uint8Array {
  return hmac(sha512, macKey, transcript('share-mac', [binding, alpha, masked])).slice(0, 32);
}

function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  return a.map((byte, i) => byte ^ (b[i] as number));
}
