/**
 * Helpers for the key-custody, backup, history, offline and decoder tests: the keys page driven
 * through its labels, the backup file opened independently in Node (node:crypto, following the
 * documented format), and IndexedDB read out the way any script of the origin could.
 */

import { createDecipheriv, pbkdf2Sync } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { GroupName } from '../shared/groups/group.js';
import type { PublicKeyWire } from '../shared/wire.js';

export const GOOD_PASSPHRASE = 'velvet orbit cactus lantern mosaic';

export async function shownFingerprint(page: Page): Promise<string> {
  const badge = page.getByTestId('key-fingerprint');
  await badge.waitFor();
  return (await badge.textContent()) ?? '';
}

/** Opens the keys page (a full page load) and waits for the keys in use. */
export async function openKeysPage(page: Page): Promise<void> {
  await page.goto('/keys');
  await page.getByTestId('current-keys').waitFor();
}

/** Makes a backup from the keys page (open it first) and returns the downloaded file's text. */
export async function downloadBackup(page: Page, passphrase = GOOD_PASSPHRASE): Promise<string> {
  await page.getByLabel('Passphrase', { exact: true }).fill(passphrase);
  await page.getByLabel('Passphrase again', { exact: true }).fill(passphrase);
  // Sealing the backup derives its key (PBKDF2) in the worker: on a busy 2-core CI machine this once
  // took longer than Playwright's 30 s default; the e2e project's test timeout is 60 s.
  const download = page.waitForEvent('download', { timeout: 55_000 });
  await page.getByRole('button', { name: 'Download backup' }).click();
  const path = await (await download).path();
  await page.getByTestId('backup-done').waitFor();
  return readFile(path, 'utf8');
}

/** Restores `fileText` from the keys page (open it first); returns what the page said, success or not. */
export async function restoreBackup(
  page: Page,
  fileText: string,
  passphrase = GOOD_PASSPHRASE,
): Promise<{ restored: boolean; message: string }> {
  const section = page.getByRole('region', { name: 'Restore from a backup' });
  await section.getByLabel('Backup file').setInputFiles({
    name: 'sealed-vitals-backup.json',
    mimeType: 'application/json',
    buffer: Buffer.from(fileText, 'utf8'),
  });
  await section.getByLabel('Backup passphrase').fill(passphrase);
  await section.getByRole('button', { name: 'Restore' }).click();
  const outcome = section.getByTestId('restore-done').or(section.getByRole('alert'));
  await outcome.waitFor();
  return {
    restored: (await section.getByTestId('restore-done').count()) === 1,
    message: (await outcome.textContent()) ?? '',
  };
}

export interface BackupFileJson {
  readonly format: string;
  readonly version: number;
  readonly createdAt: string;
  readonly kdf: {
    readonly name: string;
    readonly hash: string;
    readonly iterations: number;
    readonly salt: string;
  };
  readonly cipher: { readonly name: string; readonly iv: string };
  readonly ciphertext: string;
}

export interface PlainKeySet {
  readonly id: string;
  readonly keys: Readonly<
    Partial<Record<GroupName, { readonly privateKey: string; readonly publicKey: PublicKeyWire }>>
  >;
}

export interface BackupPayload {
  readonly keyring: { readonly current: string; readonly keySets: readonly PlainKeySet[] };
  readonly history: readonly { readonly id: string; readonly result: { readonly display: string } }[];
}

/**
 * Opens a backup with Node's own PBKDF2 and AES-GCM, from the format's description alone: key =
 * PBKDF2-HMAC-SHA256(NFC passphrase, salt, iterations, 32 bytes); additional data = the JSON array
 * [format, version, createdAt, kdf.name, kdf.hash, kdf.iterations, kdf.salt]; tag = last 16 bytes.
 */
export function openBackupInNode(fileText: string, passphrase = GOOD_PASSPHRASE): BackupPayload {
  const file = JSON.parse(fileText) as BackupFileJson;
  const key = pbkdf2Sync(
    passphrase.normalize('NFC'),
    Buffer.from(file.kdf.salt, 'base64url'),
    file.kdf.iterations,
    32,
    'sha256',
  );
  const sealed = Buffer.from(file.ciphertext, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(file.cipher.iv, 'base64url'));
  const { format, version, createdAt, kdf } = file;
  decipher.setAAD(
    Buffer.from(JSON.stringify([format, version, createdAt, kdf.name, kdf.hash, kdf.iterations, kdf.salt])),
  );
  decipher.setAuthTag(sealed.subarray(-16));
  const plaintext = Buffer.concat([decipher.update(sealed.subarray(0, -16)), decipher.final()]);
  return JSON.parse(plaintext.toString('utf8')) as BackupPayload;
}

/** How many baby steps the worker's decoder table kept in IndexedDB holds (0: none yet). */
export function storedDecoderEntries(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('sealed-vitals-decoder');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('tables')) return resolve(0);
          const get = db.transaction('tables').objectStore('tables').get('ristretto255-baby-steps-v1');
          get.onsuccess = () => resolve(get.result instanceof Float64Array ? get.result.length : 0);
          get.onerror = () => reject(get.error);
        };
      }),
  );
}

/**
 * Every IndexedDB database of the page's origin, every store, every key and value, as JSON-safe
 * data: binary values become `{ bytes: <hex> }` and CryptoKeys `{ cryptoKey: { … } }` (only what
 * the browser tells about them: a non-extractable key's bytes cannot be had at all).
 */
export function dumpIndexedDb(page: Page): Promise<unknown> {
  return page.evaluate(async () => {
    const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    const plain = (value: unknown): unknown => {
      if (value instanceof CryptoKey) {
        return {
          cryptoKey: {
            type: value.type,
            extractable: value.extractable,
            algorithm: value.algorithm,
            usages: value.usages,
          },
        };
      }
      if (value instanceof ArrayBuffer) return { bytes: hex(new Uint8Array(value)) };
      if (ArrayBuffer.isView(value))
        return { bytes: hex(new Uint8Array(value.buffer, value.byteOffset, value.byteLength)) };
      if (Array.isArray(value)) return value.map(plain);
      if (typeof value === 'object' && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
      }
      return value;
    };
    const request = <T>(r: IDBRequest<T>) =>
      new Promise<T>((resolve, reject) => {
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
    const dump: Record<string, Record<string, unknown[]>> = {};
    for (const { name } of await indexedDB.databases()) {
      if (!name) continue;
      const db = await request(indexedDB.open(name));
      dump[name] = {};
      for (const store of Array.from(db.objectStoreNames)) {
        const objects = db.transaction(store).objectStore(store);
        const [keys, values] = await Promise.all([request(objects.getAllKeys()), request(objects.getAll())]);
        dump[name][store] = keys.map((key, i) => ({ key: plain(key), value: plain(values[i]) }));
      }
      db.close();
    }
    return dump;
  });
}

/**
 * The stored keyring of a device with no protection, opened with the data key stored beside it (as
 * any script of the origin could): what the keystore sealed.
 */
export async function readKeyRecord(page: Page): Promise<{
  current: string;
  keySets: {
    id: string;
    keys: Record<string, { publicKey: { group: string; y: string }; privateKey: string }>;
  }[];
}> {
  const stored = await readStore(page, 'sealed-vitals', 'keys');
  const vault = stored.vault as VaultRecordJson;
  expect(vault).toMatchObject({ version: 1, openKey: expect.any(String) });
  return openSealedJson(
    Buffer.from(vault.openKey ?? '', 'base64url'),
    vault.id,
    'sealed-vitals keyring v3',
    stored.keyring as { iv: string; ciphertext: string },
  ) as Awaited<ReturnType<typeof readKeyRecord>>;
}

/**
 * Dates the history entries of a device with no protection back (oldest first gets `dates[0]`), in
 * the page, with WebCrypto and the data key stored in the clear: what any script of the origin can do
 * to such a device.
 */
export function backdateHistory(page: Page, isoDates: readonly string[]): Promise<void> {
  return page.evaluate(async (dates) => {
    const request = <T>(r: IDBRequest<T>) =>
      new Promise<T>((resolve, reject) => {
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
    const openDb = (name: string) => request(indexedDB.open(name));
    const b64 = (text: string) =>
      Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
    const toB64 = (bytes: Uint8Array) =>
      btoa(String.fromCharCode(...bytes))
        .replace(/\+/g, '-')
        .replace(/\//g, '_')
        .replace(/=+$/, '');
    const keys = await openDb('sealed-vitals');
    const vault = (await request(keys.transaction('keys').objectStore('keys').get('vault'))) as {
      id: string;
      openKey: string;
    };
    const key = await crypto.subtle.importKey('raw', b64(vault.openKey), 'AES-GCM', false, [
      'encrypt',
      'decrypt',
    ]);
    const db = await openDb('sealed-vitals-history');
    const store = () => db.transaction('results', 'readwrite').objectStore('results');
    const ids = (await request(store().getAllKeys())) as string[];
    const entries: { id: string; computedAt: string }[] = [];
    for (const id of ids) {
      const sealed = (await request(store().get(id))) as { iv: string; ciphertext: string };
      const additionalData = new TextEncoder().encode(`sealed-vitals history entry v1\n${id}\n${vault.id}`);
      const plain = await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: b64(sealed.iv), additionalData },
        key,
        b64(sealed.ciphertext),
      );
      entries.push(JSON.parse(new TextDecoder().decode(plain)));
    }
    entries.sort((a, b) => a.computedAt.localeCompare(b.computedAt));
    for (const [i, original] of entries.entries()) {
      const entry = { ...original, computedAt: dates[i] };
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const additionalData = new TextEncoder().encode(
        `sealed-vitals history entry v1\n${entry.id}\n${vault.id}`,
      );
      const ciphertext = new Uint8Array(
        await crypto.subtle.encrypt(
          { name: 'AES-GCM', iv, additionalData },
          key,
          new TextEncoder().encode(JSON.stringify(entry)),
        ),
      );
      await request(store().put({ iv: toB64(iv), ciphertext: toB64(ciphertext) }, entry.id));
    }
  }, isoDates);
}

/** Every key and value of one IndexedDB store of the page's origin, as the page's scripts read it. */
export async function readStore(
  page: Page,
  database: string,
  store: string,
): Promise<Record<string, unknown>> {
  const dump = (await dumpIndexedDb(page)) as Record<
    string,
    Record<string, { key: unknown; value: unknown }[]>
  >;
  return Object.fromEntries((dump[database]?.[store] ?? []).map(({ key, value }) => [String(key), value]));
}

export interface VaultRecordJson {
  readonly version: 1;
  readonly id: string;
  readonly openKey?: string;
  readonly idleMinutes: number;
  readonly unlockers: readonly {
    readonly kind: 'passphrase' | 'passkey';
    readonly kdf?: {
      readonly name: string;
      readonly opslimit: number;
      readonly memlimit: number;
      readonly salt: string;
    };
    readonly sealedKey: { readonly iv: string; readonly ciphertext: string };
  }[];
}

/**
 * The data key of a device protected with `passphrase`, found from the stored record alone, in Node
 * (libsodium's Argon2id, node:crypto's AES-GCM), following docs/SECURITY.md: the unlock key is
 * Argon2id(NFC passphrase, salt, opslimit, memlimit) and wraps the data key with AES-256-GCM, additional
 * data "sealed-vitals data key v1\n<id>\npassphrase". Returns both keys' bytes.
 */
export async function dataKeyFromPassphrase(
  vault: VaultRecordJson,
  passphrase: string,
): Promise<{ unlockKey: Buffer; dataKey: Buffer }> {
  const { default: sodium } = await import('libsodium-wrappers-sumo');
  await sodium.ready;
  const unlocker = vault.unlockers.find((candidate) => candidate.kind === 'passphrase');
  if (!unlocker?.kdf) throw new Error('The device is not protected with a passphrase.');
  const unlockKey = Buffer.from(
    sodium.crypto_pwhash(
      32,
      passphrase.normalize('NFC'),
      Buffer.from(unlocker.kdf.salt, 'base64url'),
      unlocker.kdf.opslimit,
      unlocker.kdf.memlimit,
      sodium.crypto_pwhash_ALG_ARGON2ID13,
    ),
  );
  const dataKey = openAesGcm(
    unlockKey,
    unlocker.sealedKey,
    `sealed-vitals data key v1\n${vault.id}\npassphrase`,
  );
  return { unlockKey, dataKey };
}

/** AES-256-GCM open of a stored `{ iv, ciphertext }` (tag last) with the given additional data. */
export function openAesGcm(key: Buffer, sealed: { iv: string; ciphertext: string }, context: string): Buffer {
  const bytes = Buffer.from(sealed.ciphertext, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64url'));
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(bytes.subarray(-16));
  return Buffer.concat([decipher.update(bytes.subarray(0, -16)), decipher.final()]);
}

/** A sealed record's JSON, opened with the data key: `<context>\n<vault id>` is its additional data. */
export function openSealedJson(
  dataKey: Buffer,
  vaultId: string,
  context: string,
  sealed: { iv: string; ciphertext: string },
): unknown {
  return JSON.parse(openAesGcm(dataKey, sealed, `${context}\n${vaultId}`).toString('utf8'));
}

export interface SealedHistoryEntryJson {
  readonly id: string;
  readonly result: { readonly display: string };
  readonly sealed: {
    readonly publicKey: PublicKeyWire;
    readonly response: unknown;
    readonly blinding?: { readonly base: PublicKeyWire; readonly delta: string };
  };
}

/** The history entries of a device with no protection, opened with the data key stored beside them. */
export async function readHistoryEntries(page: Page): Promise<SealedHistoryEntryJson[]> {
  const vault = (await readStore(page, 'sealed-vitals', 'keys')).vault as VaultRecordJson;
  const dataKey = Buffer.from(vault.openKey ?? '', 'base64url');
  const stored = await readStore(page, 'sealed-vitals-history', 'results');
  return Object.entries(stored).map(
    ([id, sealed]) =>
      openSealedJson(
        dataKey,
        vault.id,
        `sealed-vitals history entry v1\n${id}`,
        sealed as never,
      ) as SealedHistoryEntryJson,
  );
}
