/**
 * "Decrypt again" re-checks a kept answer's proof before it decrypts (finding 6 of issue 17): an
 * honest Framingham result decrypts again as recorded, says its proof was checked again and sends
 * nothing. A backup is the way a kept answer comes from outside the device: one whose answer was
 * changed (opened and sealed again in Node with its passphrase, from the format's description)
 * decrypts nothing, and one whose entry has no kept request (as an earlier version kept it) decrypts
 * and says its proof could not be checked again.
 */

import { createCipheriv, pbkdf2Sync, randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { CATALOG_PATH_V2, LOG_PATH } from '../shared/api.js';
import {
  type BackupFileJson,
  downloadBackup,
  GOOD_PASSPHRASE,
  openBackupInNode,
  openKeysPage,
  restoreBackup,
} from './custody.js';
import { setUpBrowserTests } from './harness.js';
import { type Exchange, recordExchanges } from './outgoing.js';
import { computeResult, field, openComputation, type ShownResult } from './pages.js';

const browserTests = setUpBrowserTests();

const TITLE = 'Framingham 10-year cardiovascular risk';
const ID = 'framingham-2008';

const CHECKED_AGAIN = 'Its proof was checked again before decrypting.';
const NOT_CHECKED_AGAIN =
  'Its proof could not be checked again: an earlier version of this app kept it without the request ' +
  'its proof is bound to. The proof was checked when it was computed.';
const CHANGED =
  'This result no longer proves itself: its answer or request was changed after it was computed. ' +
  'Nothing was decrypted.';

interface Patient {
  readonly sex: 'Female' | 'Male';
  readonly age: number;
  /** mg/dL */
  readonly totalCholesterol: number;
  readonly hdl: number;
  /** mmHg */
  readonly sbp: number;
  readonly treated: boolean;
  readonly smoker: boolean;
  readonly diabetes: boolean;
}

/** Three of clinical.md's pinned patients: three different risks, so each row is found by its result. */
const PATIENTS: readonly Patient[] = [
  {
    sex: 'Female',
    age: 61,
    totalCholesterol: 180,
    hdl: 47,
    sbp: 124,
    treated: false,
    smoker: true,
    diabetes: false,
  },
  {
    sex: 'Male',
    age: 53,
    totalCholesterol: 161,
    hdl: 55,
    sbp: 125,
    treated: true,
    smoker: false,
    diabetes: true,
  },
  {
    sex: 'Male',
    age: 45,
    totalCholesterol: 200,
    hdl: 50,
    sbp: 120,
    treated: false,
    smoker: false,
    diabetes: false,
  },
];

async function computeFramingham(page: Page, patient: Patient): Promise<ShownResult> {
  await openComputation(page, TITLE);
  await page.getByRole('radio', { name: patient.sex, exact: true }).check();
  await field(page, 'Age').fill(String(patient.age));
  await field(page, 'Total cholesterol').fill(String(patient.totalCholesterol));
  await field(page, 'HDL cholesterol').fill(String(patient.hdl));
  await field(page, 'Systolic blood pressure').fill(String(patient.sbp));
  await field(page, 'On blood-pressure medication').setChecked(patient.treated);
  await field(page, 'Current smoker').setChecked(patient.smoker);
  await field(page, 'Diabetes').setChecked(patient.diabetes);
  return computeResult(page);
}

async function openHistory(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'History' }).click();
  await page.getByRole('heading', { level: 1, name: 'Your history' }).waitFor();
}

/** Presses "Decrypt again" on the row of `result`; what it then says, decrypted or refused. */
async function decryptAgain(page: Page, result: ShownResult) {
  const row = page.getByTestId('history-entry').filter({ hasText: result.value });
  await row.getByRole('button', { name: /^Decrypt again/ }).click();
  const outcome = row.getByTestId('decrypted-again').or(row.getByRole('alert'));
  await outcome.waitFor();
  if ((await row.getByTestId('decrypted-again').count()) === 0) {
    return { refused: (await row.getByRole('alert').textContent()) ?? '' };
  }
  return {
    decrypted: (await row.getByTestId('decrypted-again').textContent()) ?? '',
    proof: (await row.getByTestId('proof-rechecked').textContent()) ?? '',
  };
}

interface KeptEntryJson {
  readonly result: { readonly display: string };
  readonly computationId: string;
  readonly computationVersion: number;
  readonly sealed: {
    readonly publicKey: unknown;
    readonly response: { readonly proof: { readonly challenge: string } };
    readonly request?: { readonly publicKey: unknown; readonly inputs: Record<string, unknown> };
    readonly catalogEntry?: { readonly id: string; readonly version: number; readonly evaluation: unknown };
  };
}

/**
 * Seals `payload` into the backup file `original` came from, as its format is described (the
 * counterpart of custody.ts `openBackupInNode`): what anyone holding a backup and its passphrase can do.
 */
function sealBackupInNode(original: string, payload: unknown, passphrase = GOOD_PASSPHRASE): string {
  const file = JSON.parse(original) as BackupFileJson;
  const { format, version, createdAt, kdf } = file;
  const key = pbkdf2Sync(
    passphrase.normalize('NFC'),
    Buffer.from(kdf.salt, 'base64url'),
    kdf.iterations,
    32,
    'sha256',
  );
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(
    Buffer.from(JSON.stringify([format, version, createdAt, kdf.name, kdf.hash, kdf.iterations, kdf.salt])),
  );
  const sealed = Buffer.concat([
    cipher.update(JSON.stringify(payload), 'utf8'),
    cipher.final(),
    cipher.getAuthTag(),
  ]);
  return JSON.stringify({
    ...file,
    cipher: { ...file.cipher, iv: iv.toString('base64url') },
    ciphertext: sealed.toString('base64url'),
  });
}

/** The base64url text with one bit of its first byte changed (a proof's challenge stays a valid scalar). */
function withChangedByte(text: string): string {
  const bytes = Buffer.from(text, 'base64url');
  bytes[0] = (bytes[0] as number) ^ 1;
  return bytes.toString('base64url');
}

/**
 * What was asked of the service, but for the public reads a page makes on its own (the catalog and
 * the transparency log, the same for every patient) and the app's own files (libsodium's on first use).
 */
function toTheService(exchanges: readonly Exchange[]): string[] {
  return exchanges
    .filter((exchange) => exchange.method !== 'GET' || isPrivateRead(new URL(exchange.url).pathname))
    .map((exchange) => `${exchange.method} ${exchange.url}`);
}

function isPrivateRead(path: string): boolean {
  return path.startsWith('/api/') && path !== CATALOG_PATH_V2 && !path.startsWith(`${LOG_PATH}/`);
}

describe('decrypt again', () => {
  test('an honest Framingham result decrypts again as recorded, its proof checked again first, and nothing is sent', async () => {
    const page = await browserTests.newPage();
    const result = await computeFramingham(page, PATIENTS[0] as Patient);
    await openHistory(page);
    await page.getByTestId('history-entry').first().waitFor();
    const exchanges = recordExchanges(page.context());
    expect(await decryptAgain(page, result)).toEqual({
      decrypted: `Decrypted again: ${result.value}, as recorded.`,
      proof: CHECKED_AGAIN,
    });
    expect(toTheService(exchanges)).toEqual([]);
  });

  // Two profiles, three runs, a backup and a restore (two passphrase derivations): more than one run's time.
  test('from a backup: a kept answer changed by one bit decrypts nothing; an entry without its kept request decrypts and says its proof was not checked again', async () => {
    const page = await browserTests.newPage();
    const results: ShownResult[] = [];
    for (const patient of PATIENTS) results.push(await computeFramingham(page, patient));
    const [honest, changed, older] = results as [ShownResult, ShownResult, ShownResult];
    expect(new Set(results.map((result) => result.value)).size).toBe(3);

    // What each entry keeps: the request its proof is bound to and the catalog entry it was verified against.
    await openKeysPage(page);
    const fileText = await downloadBackup(page);
    const payload = openBackupInNode(fileText) as unknown as {
      keyring: unknown;
      history: KeptEntryJson[];
    };
    expect(payload.history).toHaveLength(3);
    for (const entry of payload.history) {
      expect(entry.sealed.request?.publicKey).toEqual(entry.sealed.publicKey);
      expect(Object.keys(entry.sealed.request?.inputs ?? {}).length).toBeGreaterThan(0);
      expect(entry.sealed.catalogEntry).toMatchObject({
        id: ID,
        version: entry.computationVersion,
        evaluation: { kind: 'private-linear' },
      });
    }

    // One answer changed by a bit, one entry as an earlier version kept it, one as kept.
    const history = payload.history.map((entry): KeptEntryJson => {
      const { sealed } = entry;
      if (entry.result.display === changed.value) {
        const { response } = sealed;
        const proof = { ...response.proof, challenge: withChangedByte(response.proof.challenge) };
        return { ...entry, sealed: { ...sealed, response: { ...response, proof } } };
      }
      if (entry.result.display === older.value) {
        const { request: _, catalogEntry: _entry, ...earlier } = sealed;
        return { ...entry, sealed: earlier };
      }
      return entry;
    });
    const forged = sealBackupInNode(fileText, { ...payload, history });

    const restored = await (await browserTests.newContext({ keys: 'own' })).newPage();
    await openKeysPage(restored);
    expect(await restoreBackup(restored, forged)).toMatchObject({ restored: true });
    await restored.goto('/history');
    await restored.getByTestId('history-entry').first().waitFor();
    const exchanges = recordExchanges(restored.context());
    expect(await decryptAgain(restored, changed)).toEqual({ refused: CHANGED });
    expect(await decryptAgain(restored, older)).toEqual({
      decrypted: `Decrypted again: ${older.value}, as recorded.`,
      proof: NOT_CHECKED_AGAIN,
    });
    expect(await decryptAgain(restored, honest)).toEqual({
      decrypted: `Decrypted again: ${honest.value}, as recorded.`,
      proof: CHECKED_AGAIN,
    });
    expect(toTheService(exchanges)).toEqual([]);
  }, 90_000);
});
