/**
 * The passphrase-protected backup file: versioned JSON with the key-derivation parameters inside,
 * and the payload (keys and history, as JSON) sealed with AES-256-GCM under a key derived from the
 * passphrase with PBKDF2-HMAC-SHA256 at 600,000 iterations — the OWASP Password Storage Cheat Sheet's
 * figure for PBKDF2-SHA256 — through WebCrypto, so the browser's native code does the slow part.
 *
 * Every header field is bound to the ciphertext as GCM additional data: a file whose salt, IV,
 * iteration count or date was changed fails to open exactly like a wrong passphrase.
 */

import { base64urlnopad } from '@scure/base';
import { isRecord } from '../../shared/records.js';
import { IV_BYTES, openBytes, sealBytes, TAG_BYTES } from './aes-gcm.js';
import { BackupError } from './backup-error.js';
import { MAX_BACKUP_BYTES } from './protocol.js';

export const BACKUP_FORMAT = 'sealed-vitals-backup';
export const BACKUP_VERSION = 1;
/** OWASP Password Storage Cheat Sheet, PBKDF2-HMAC-SHA256. */
export const KDF_ITERATIONS = 600_000;
/** Opening refuses fewer (a weakened file) or far more (a file made to hang the page). */
const KDF_ITERATIONS_ACCEPTED = { min: KDF_ITERATIONS, max: 10_000_000 } as const;
const SALT_BYTES = 16;
const SALT_BYTES_ACCEPTED = { min: 16, max: 64 } as const;

export const WRONG_PASSPHRASE_OR_CHANGED =
  'The passphrase is wrong, or the file was changed after it was saved.';

interface BackupHeader {
  readonly format: typeof BACKUP_FORMAT;
  readonly version: typeof BACKUP_VERSION;
  readonly createdAt: string;
  readonly kdf: {
    readonly name: 'PBKDF2';
    readonly hash: 'SHA-256';
    readonly iterations: number;
    readonly salt: string;
  };
  readonly cipher: { readonly name: 'AES-GCM'; readonly iv: string };
}

export interface BackupFile extends BackupHeader {
  readonly ciphertext: string;
}

export interface SealedBackup {
  /** The file's text: JSON, one field per line. */
  readonly text: string;
  /** How long deriving the key from the passphrase took on this device. */
  readonly kdfMilliseconds: number;
}

const utf8 = new TextEncoder();

/** Seals `payload` (any JSON value) under `passphrase`. */
export async function sealBackup(
  payload: unknown,
  passphrase: string,
  now = new Date(),
): Promise<SealedBackup> {
  if (passphrase.length === 0) throw new BackupError('Choose a passphrase to protect the backup.');
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const kdf = {
    name: 'PBKDF2',
    hash: 'SHA-256',
    iterations: KDF_ITERATIONS,
    salt: base64urlnopad.encode(salt),
  } as const;
  const started = performance.now();
  const key = await deriveKey(passphrase, salt, KDF_ITERATIONS, 'encrypt');
  const kdfMilliseconds = performance.now() - started;
  const createdAt = now.toISOString();
  const sealed = await sealBytes(
    key,
    utf8.encode(JSON.stringify(payload)),
    headerContext({ format: BACKUP_FORMAT, version: BACKUP_VERSION, createdAt, kdf }),
  );
  const file: BackupFile = {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    createdAt,
    kdf,
    cipher: { name: 'AES-GCM', iv: base64urlnopad.encode(sealed.iv) },
    ciphertext: base64urlnopad.encode(sealed.ciphertext),
  };
  return { text: `${JSON.stringify(file, null, 2)}\n`, kdfMilliseconds };
}

/**
 * The payload of a backup file, after checking its format and authenticating it under the
 * passphrase. Throws `BackupError` with a message saying which of those failed.
 */
export async function openBackup(fileText: string, passphrase: string): Promise<unknown> {
  const file = parseBackupFile(fileText);
  const { iterations } = file.kdf;
  if (iterations < KDF_ITERATIONS_ACCEPTED.min || iterations > KDF_ITERATIONS_ACCEPTED.max) {
    throw new BackupError(
      `This backup asks for ${iterations.toLocaleString('en')} key-derivation rounds; this app only ` +
        `opens files with ${KDF_ITERATIONS_ACCEPTED.min.toLocaleString('en')} to ` +
        `${KDF_ITERATIONS_ACCEPTED.max.toLocaleString('en')}.`,
    );
  }
  const salt = fieldBytes(file.kdf.salt, 'kdf.salt');
  if (salt.length < SALT_BYTES_ACCEPTED.min || salt.length > SALT_BYTES_ACCEPTED.max) {
    throw damaged('kdf.salt');
  }
  const iv = fieldBytes(file.cipher.iv, 'cipher.iv');
  if (iv.length !== IV_BYTES) throw damaged('cipher.iv');
  const ciphertext = fieldBytes(file.ciphertext, 'ciphertext');
  if (ciphertext.length < TAG_BYTES) throw damaged('ciphertext');

  const key = await deriveKey(passphrase, salt, iterations, 'decrypt');
  let plaintext: Uint8Array;
  try {
    plaintext = await openBytes(key, { iv, ciphertext }, headerContext(file));
  } catch {
    // GCM cannot tell a wrong key from a changed file, and neither can anyone else without the key.
    throw new BackupError(WRONG_PASSPHRASE_OR_CHANGED);
  }
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plaintext));
  } catch {
    throw damaged('payload');
  }
}

/**
 * What the ciphertext is bound to: every header field except the IV, which GCM authenticates by
 * itself. Built from the parsed fields in a fixed order, so it never depends on the file's layout.
 */
function headerContext(header: Pick<BackupHeader, 'format' | 'version' | 'createdAt' | 'kdf'>): string {
  const { format, version, createdAt, kdf } = header;
  return JSON.stringify([format, version, createdAt, kdf.name, kdf.hash, kdf.iterations, kdf.salt]);
}

/**
 * The passphrase is normalized to NFC first (as RFC 8265 §4.2 does for passwords), so the same
 * passphrase typed on a system that composes accents differently still opens the file.
 */
async function deriveKey(
  passphrase: string,
  salt: Uint8Array<ArrayBuffer>,
  iterations: number,
  usage: 'encrypt' | 'decrypt',
): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey(
    'raw',
    utf8.encode(passphrase.normalize('NFC')),
    'PBKDF2',
    false,
    ['deriveKey'],
  );
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    [usage],
  );
}

function parseBackupFile(text: string): BackupFile {
  if (text.length > MAX_BACKUP_BYTES) throw new BackupError('This file is too large to be a backup.');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BackupError(NOT_A_BACKUP);
  }
  if (!isRecord(value) || value.format !== BACKUP_FORMAT) throw new BackupError(NOT_A_BACKUP);
  if (value.version !== BACKUP_VERSION) {
    throw new BackupError(
      typeof value.version === 'number' && value.version > BACKUP_VERSION
        ? 'This backup was made by a newer version of Sealed Vitals: update the app to restore it.'
        : 'This backup’s version is not one this app knows.',
    );
  }
  const { createdAt, kdf, cipher, ciphertext } = value;
  if (typeof createdAt !== 'string' || Number.isNaN(Date.parse(createdAt))) throw damaged('createdAt');
  if (
    !isRecord(kdf) ||
    kdf.name !== 'PBKDF2' ||
    kdf.hash !== 'SHA-256' ||
    !Number.isSafeInteger(kdf.iterations) ||
    typeof kdf.iterations !== 'number' ||
    typeof kdf.salt !== 'string'
  ) {
    throw damaged('kdf');
  }
  if (!isRecord(cipher) || cipher.name !== 'AES-GCM' || typeof cipher.iv !== 'string')
    throw damaged('cipher');
  if (typeof ciphertext !== 'string') throw damaged('ciphertext');
  return {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    createdAt,
    kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations: kdf.iterations, salt: kdf.salt },
    cipher: { name: 'AES-GCM', iv: cipher.iv },
    ciphertext,
  };
}

const NOT_A_BACKUP = 'This file is not a Sealed Vitals backup.';

function damaged(field: string): BackupError {
  return new BackupError(`This backup file is damaged (its ${field} is not valid).`);
}

function fieldBytes(text: string, field: string): Uint8Array<ArrayBuffer> {
  try {
    return new Uint8Array(base64urlnopad.decode(text));
  } catch {
    throw damaged(field);
  }
}
