/**
 * The backup file format: round trip, an independent decryption with Node's crypto following the
 * documented construction, and refusal of wrong passphrases, changed files and weakened parameters.
 * Runs on Node's WebCrypto, the same API the browser's worker uses.
 */

import { createDecipheriv, pbkdf2Sync } from 'node:crypto';
import { beforeAll, describe, expect, test } from 'vitest';
import { BACKUP_FORMAT, type BackupFile, KDF_ITERATIONS, openBackup, sealBackup } from './backup.js';

const PASSPHRASE = 'correct horse battery staple';
const PAYLOAD = { keyring: { current: 'a', keySets: [] }, history: [{ value: 22.9, note: 'é' }] };

let file: BackupFile;
let text: string;
beforeAll(async () => {
  text = (await sealBackup(PAYLOAD, PASSPHRASE, new Date('2026-03-01T10:00:00.000Z'))).text;
  file = JSON.parse(text) as BackupFile;
});

const base64url = (bytes: number) => new RegExp(`^[A-Za-z0-9_-]{${Math.ceil((bytes * 4) / 3)}}$`);

/** Reports the error message `openBackup` refuses `changed` with. */
function refusal(changed: unknown, passphrase = PASSPHRASE): Promise<string> {
  return openBackup(JSON.stringify(changed), passphrase).then(
    () => 'opened',
    (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : 'not an Error'),
  );
}

describe('sealBackup', () => {
  test('writes the versioned header with the KDF parameters, and the payload opens again', async () => {
    expect(file).toEqual({
      format: BACKUP_FORMAT,
      version: 1,
      createdAt: '2026-03-01T10:00:00.000Z',
      kdf: {
        name: 'PBKDF2',
        hash: 'SHA-256',
        iterations: 600_000,
        salt: expect.stringMatching(base64url(16)),
      },
      cipher: { name: 'AES-GCM', iv: expect.stringMatching(base64url(12)) },
      ciphertext: expect.any(String),
    });
    expect(KDF_ITERATIONS).toBeGreaterThanOrEqual(600_000);
    expect(await openBackup(text, PASSPHRASE)).toEqual(PAYLOAD);
  });

  test('is the documented construction: Node derives the same key and opens it on its own', () => {
    const key = pbkdf2Sync(PASSPHRASE, Buffer.from(file.kdf.salt, 'base64url'), 600_000, 32, 'sha256');
    const sealed = Buffer.from(file.ciphertext, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(file.cipher.iv, 'base64url'));
    const { format, version, createdAt, kdf } = file;
    decipher.setAAD(
      Buffer.from(JSON.stringify([format, version, createdAt, kdf.name, kdf.hash, kdf.iterations, kdf.salt])),
    );
    decipher.setAuthTag(sealed.subarray(-16));
    const plaintext = Buffer.concat([decipher.update(sealed.subarray(0, -16)), decipher.final()]);
    expect(JSON.parse(plaintext.toString('utf8'))).toEqual(PAYLOAD);
  });

  test('draws a fresh salt and IV every time', async () => {
    const again = JSON.parse((await sealBackup(PAYLOAD, PASSPHRASE)).text) as BackupFile;
    expect(again.kdf.salt).not.toBe(file.kdf.salt);
    expect(again.cipher.iv).not.toBe(file.cipher.iv);
    expect(again.ciphertext).not.toBe(file.ciphertext);
  });

  test('refuses an empty passphrase', async () => {
    await expect(sealBackup(PAYLOAD, '')).rejects.toThrow('Choose a passphrase');
  });

  test('the passphrase is compared after NFC normalization (é typed as one or two code points)', async () => {
    const { text: accented } = await sealBackup(PAYLOAD, 'caf\u00e9 au lait sans sucre');
    expect(await openBackup(accented, 'cafe\u0301 au lait sans sucre')).toEqual(PAYLOAD);
  });
});

describe('openBackup refuses', () => {
  const changedOrWrong = 'BackupError: The passphrase is wrong, or the file was changed after it was saved.';

  test('a wrong passphrase', async () => {
    expect(await refusal(file, `${PASSPHRASE}!`)).toBe(changedOrWrong);
  });

  /** Flips the lowest bit of one base64url character (A↔B, …), keeping the text valid base64url. */
  function flipped(text: string, at: number): string {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const index = alphabet.indexOf(text.charAt(at));
    return text.slice(0, at) + alphabet.charAt(index ^ 1) + text.slice(at + 1);
  }

  test.each([
    ['a bit of the ciphertext', (f: BackupFile) => ({ ...f, ciphertext: flipped(f.ciphertext, 5) })],
    [
      'a bit of the tag',
      (f: BackupFile) => ({ ...f, ciphertext: flipped(f.ciphertext, f.ciphertext.length - 3) }),
    ],
    ['the IV', (f: BackupFile) => ({ ...f, cipher: { ...f.cipher, iv: flipped(f.cipher.iv, 0) } })],
    ['the salt', (f: BackupFile) => ({ ...f, kdf: { ...f.kdf, salt: flipped(f.kdf.salt, 0) } })],
    ['the date', (f: BackupFile) => ({ ...f, createdAt: '2026-03-02T10:00:00.000Z' })],
  ])('a file with %s changed, as a wrong passphrase', async (_what, change) => {
    expect(await refusal(change(file))).toBe(changedOrWrong);
  });

  test.each([
    ['fewer iterations', 100_000],
    ['absurdly many iterations', 2 ** 40],
  ])('%s, before deriving anything', async (_what, iterations) => {
    expect(await refusal({ ...file, kdf: { ...file.kdf, iterations } })).toMatch(
      /^BackupError: This backup asks for [\d,]+ key-derivation rounds/,
    );
  });

  test.each([
    ['text that is not JSON', 'not json', 'This file is not a Sealed Vitals backup.'],
    ['another JSON document', '{"format":"something-else"}', 'This file is not a Sealed Vitals backup.'],
    ['a newer version', `{"format":"${BACKUP_FORMAT}","version":2}`, 'made by a newer version'],
  ])('%s', async (_what, text, message) => {
    await expect(openBackup(text, PASSPHRASE)).rejects.toThrow(message);
  });

  test.each([
    ['a missing salt', (f: BackupFile) => ({ ...f, kdf: { ...f.kdf, salt: undefined } }), 'kdf'],
    ['a short salt', (f: BackupFile) => ({ ...f, kdf: { ...f.kdf, salt: 'AAAA' } }), 'kdf.salt'],
    ['a 15-byte IV', (f: BackupFile) => ({ ...f, cipher: { ...f.cipher, iv: 'A'.repeat(20) } }), 'cipher.iv'],
    ['a ciphertext that is not base64url', (f: BackupFile) => ({ ...f, ciphertext: '+/==' }), 'ciphertext'],
    ['an unparseable date', (f: BackupFile) => ({ ...f, createdAt: 'yesterday' }), 'createdAt'],
  ])('%s, as a damaged file', async (_what, change, field) => {
    expect(await refusal(change(file))).toBe(
      `BackupError: This backup file is damaged (its ${field} is not valid).`,
    );
  });
});
