/**
 * AES-256-GCM through WebCrypto, used both to wrap the device's private keys at rest and to seal
 * backup files. Every message gets a fresh random 96-bit IV (NIST SP 800-38D §8.2.2: with one key,
 * random IVs stay safe for up to 2^32 messages, far more than a device ever wraps) and names what it
 * is in the additional data, so a ciphertext moved to another slot fails authentication.
 */

export const IV_BYTES = 12;
/** GCM's authentication tag, appended to the ciphertext by WebCrypto. */
export const TAG_BYTES = 16;

export interface SealedBytes {
  readonly iv: Uint8Array<ArrayBuffer>;
  /** Ciphertext followed by the 16-byte tag. */
  readonly ciphertext: Uint8Array<ArrayBuffer>;
}

const utf8 = new TextEncoder();

export async function sealBytes(
  key: CryptoKey,
  plaintext: Uint8Array<ArrayBuffer>,
  context: string,
): Promise<SealedBytes> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const ciphertext = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: utf8.encode(context), tagLength: TAG_BYTES * 8 },
    key,
    plaintext,
  );
  return { iv, ciphertext: new Uint8Array(ciphertext) };
}

/** Rejects (WebCrypto's `OperationError`) when the key, the context or a single bit of `sealed` differs. */
export async function openBytes(
  key: CryptoKey,
  sealed: SealedBytes,
  context: string,
): Promise<Uint8Array<ArrayBuffer>> {
  const plaintext = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: sealed.iv, additionalData: utf8.encode(context), tagLength: TAG_BYTES * 8 },
    key,
    sealed.ciphertext,
  );
  return new Uint8Array(plaintext);
}
