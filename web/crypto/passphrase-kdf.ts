/**
 * The key an unlock passphrase gives: Argon2id (RFC 9106) from libsodium's `crypto_pwhash`, loaded
 * with libsodium's WASM build; where WebAssembly cannot run (a CSP without 'wasm-unsafe-eval'),
 * PBKDF2-HMAC-SHA256 at the OWASP Password Storage Cheat Sheet's 600,000 iterations through WebCrypto.
 * The parameters are stored with what they protect, so either opens on any device.
 */

import { base64urlnopad } from '@scure/base';

/** libsodium's INTERACTIVE memory (64 MiB) with one pass more: above OWASP's 19 MiB × 2 minimum. */
export const ARGON2ID = { opslimit: 3, memlimit: 64 * 1024 * 1024 } as const;
export const PBKDF2_ITERATIONS = 600_000;
const SALT_BYTES = 16;

export type PassphraseKdf =
  | { readonly name: 'argon2id'; readonly opslimit: number; readonly memlimit: number; readonly salt: string }
  | { readonly name: 'PBKDF2'; readonly hash: 'SHA-256'; readonly iterations: number; readonly salt: string };

/** A stored record refuses weaker settings (a downgraded record) or far heavier ones (a hang). */
export function isAcceptedKdf(value: unknown): value is PassphraseKdf {
  if (typeof value !== 'object' || value === null) return false;
  const kdf = value as Record<string, unknown>;
  if (typeof kdf.salt !== 'string') return false;
  if (kdf.name === 'argon2id') {
    return (
      typeof kdf.opslimit === 'number' &&
      typeof kdf.memlimit === 'number' &&
      kdf.opslimit >= ARGON2ID.opslimit &&
      kdf.opslimit <= 16 &&
      kdf.memlimit >= ARGON2ID.memlimit &&
      kdf.memlimit <= 1024 * 1024 * 1024
    );
  }
  return (
    kdf.name === 'PBKDF2' &&
    kdf.hash === 'SHA-256' &&
    typeof kdf.iterations === 'number' &&
    kdf.iterations >= PBKDF2_ITERATIONS &&
    kdf.iterations <= 10_000_000
  );
}

type Sodium = typeof import('libsodium-wrappers-sumo').default;

let sodium: Promise<Sodium | undefined> | undefined;

function loadSodium(): Promise<Sodium | undefined> {
  sodium ??= import('libsodium-wrappers-sumo').then(
    async ({ default: lib }) => {
      await lib.ready;
      return lib;
    },
    () => undefined,
  );
  return sodium;
}

/** Settings for a new passphrase: Argon2id where libsodium loads, PBKDF2 otherwise. */
export async function newPassphraseKdf(): Promise<PassphraseKdf> {
  const salt = base64urlnopad.encode(crypto.getRandomValues(new Uint8Array(SALT_BYTES)));
  return (await loadSodium())
    ? { name: 'argon2id', ...ARGON2ID, salt }
    : { name: 'PBKDF2', hash: 'SHA-256', iterations: PBKDF2_ITERATIONS, salt };
}

const utf8 = new TextEncoder();

/**
 * An AES-256-GCM key (non-extractable) from the passphrase, normalized to NFC (RFC 8265 §4.2), so
 * one passphrase typed on systems that compose accents differently gives one key.
 */
export async function passphraseKey(passphrase: string, kdf: PassphraseKdf): Promise<CryptoKey> {
  const password = utf8.encode(passphrase.normalize('NFC'));
  const salt = new Uint8Array(base64urlnopad.decode(kdf.salt));
  if (kdf.name === 'PBKDF2') {
    const material = await crypto.subtle.importKey('raw', password, 'PBKDF2', false, ['deriveKey']);
    password.fill(0);
    return crypto.subtle.deriveKey(
      { name: 'PBKDF2', hash: 'SHA-256', salt, iterations: kdf.iterations },
      material,
      { name: 'AES-GCM', length: 256 },
      false,
      ['encrypt', 'decrypt'],
    );
  }
  const lib = await loadSodium();
  if (!lib) throw new Error('This browser cannot run the passphrase’s key derivation (Argon2id).');
  const derived = lib.crypto_pwhash(
    32,
    password,
    salt,
    kdf.opslimit,
    kdf.memlimit,
    lib.crypto_pwhash_ALG_ARGON2ID13,
  );
  password.fill(0);
  const bytes = new Uint8Array(derived);
  lib.memzero(derived);
  try {
    return await crypto.subtle.importKey('raw', bytes, 'AES-GCM', false, ['encrypt', 'decrypt']);
  } finally {
    bytes.fill(0);
  }
}

/** An AES-256-GCM key (non-extractable) from a passkey's PRF output (HKDF-SHA256, RFC 5869). */
export async function passkeyKey(prfOutput: Uint8Array<ArrayBuffer>, vaultId: string): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey('raw', prfOutput, 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    {
      name: 'HKDF',
      hash: 'SHA-256',
      salt: utf8.encode(vaultId),
      info: utf8.encode('sealed-vitals unlock v1 passkey'),
    },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}
