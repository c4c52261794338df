/**
 * Protection at rest, tried as an attacker would: the profile's files after the browser closed, a
 * script on the app's origin while the device is locked; unlocking with a passphrase (a wrong one is
 * harmless) and with a passkey (a CDP virtual authenticator with the PRF extension); two tabs share one
 * unlock and one lock; the idle lock; and every request carries a key of its own.
 */

import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterEach, describe, expect, test } from 'vitest';
import { evaluateRequest } from '../server/evaluation.js';
import { decryptOutputs, encryptInputs, generateGroupKeyPair } from '../shared/client.js';
import { bmi } from '../shared/computations/bmi.js';
import { serve } from '../shared/computations/test-support.js';
import { expectNoAccessibilityViolations } from './accessibility.js';
import {
  dataKeyFromPassphrase,
  downloadBackup,
  dumpIndexedDb,
  openBackupInNode,
  openSealedJson,
  readStore,
  restoreBackup,
  shownFingerprint,
  type VaultRecordJson,
} from './custody.js';
import { launchPersistentChromium, setUpBrowserTests } from './harness.js';
import { BMI_TITLE, computeResult, fillBmi, navigateToComputation } from './pages.js';

const browserTests = setUpBrowserTests();
const UNLOCK_PASSPHRASE = 'quartz meadow lantern oyster violin';
/** Below the e2e project's 60 s test timeout, above what a key derivation takes on a busy machine. */
const KEY_DERIVATION_WAIT_MS = 55_000;

/** The first-use step answered with a passphrase (the page shows the step: a fresh profile). */
async function protectWithPassphrase(page: Page, passphrase = UNLOCK_PASSPHRASE): Promise<void> {
  await page.goto('/keys');
  const choice = page.getByTestId('protection-choice');
  await choice.getByLabel('Passphrase', { exact: true }).fill(passphrase);
  await choice.getByLabel('Passphrase again', { exact: true }).fill(passphrase);
  await choice.getByRole('button', { name: 'Protect with this passphrase' }).click();
  // Argon2id (64 MiB, 3 passes) in the worker while a fresh page still starts up: on a busy 2-core
  // CI machine this once took longer than Playwright's 30 s default.
  await page.getByTestId('current-keys').waitFor({ timeout: KEY_DERIVATION_WAIT_MS });
}

async function unlockWithPassphrase(page: Page, passphrase = UNLOCK_PASSPHRASE): Promise<void> {
  await page.getByLabel('Your passphrase').fill(passphrase);
  await page.getByRole('button', { name: 'Unlock', exact: true }).click();
}

/**
 * In the app, without loading a page: a page load starts a new crypto worker, which holds no key (the
 * device locks with its last tab).
 */
async function computeBmi(page: Page, weight: string, height: string) {
  await navigateToComputation(page, BMI_TITLE);
  await fillBmi(page, { weight, weightUnit: 'kg', height, heightUnit: 'cm' });
  return computeResult(page);
}

async function follow(page: Page, link: 'History' | 'Keys'): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link, exact: true }).click();
}

/** Every file under `dir`, recursively, with its bytes. */
async function filesUnder(dir: string): Promise<{ path: string; bytes: Buffer }[]> {
  const found: { path: string; bytes: Buffer }[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    found.push({ path, bytes: await readFile(path).catch(() => Buffer.alloc(0)) });
  }
  return found;
}

/** Each way text or bytes could be written: UTF-8 and UTF-16 (V8 serializes two-byte strings so). */
function encodings(needle: string | Buffer): Buffer[] {
  if (Buffer.isBuffer(needle)) return [needle];
  return [Buffer.from(needle, 'utf8'), Buffer.from(needle, 'utf16le')];
}

/** Hex (both byte orders), decimal, base64, base64url and raw bytes of a private key or a key's bytes. */
function spellings(bytes: Buffer): (string | Buffer)[] {
  const reversed = Buffer.from(bytes).reverse();
  return [
    bytes,
    reversed,
    bytes.toString('hex'),
    reversed.toString('hex'),
    BigInt(`0x${bytes.toString('hex')}`).toString(10),
    bytes.toString('base64'),
    bytes.toString('base64url'),
  ];
}

function privateKeyBytes(hex: string): Buffer {
  return Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex');
}

function filesHolding(files: { path: string; bytes: Buffer }[], needle: string | Buffer): string[] {
  return files
    .filter(({ bytes }) => encodings(needle).some((form) => bytes.includes(form)))
    .map(({ path }) => path);
}

const profiles: string[] = [];
afterEach(async () => {
  await Promise.all(profiles.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('the profile on disk', () => {
  test('with a passphrase: no file holds a typed value, a private key, the unlock key or the data key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sealed-vitals-profile-'));
    profiles.push(dir);
    let context: BrowserContext | undefined = await launchPersistentChromium(dir, browserTests.baseUrl);
    const page = context.pages()[0] ?? (await context.newPage());
    await protectWithPassphrase(page);
    const typed = ['137.9', '193.7'];
    const result = await computeBmi(page, typed[0] as string, typed[1] as string);
    await follow(page, 'History');
    await page.getByTestId('history-entry').waitFor();
    // The private keys, from a backup opened in Node; the unlock and data keys, from the stored record.
    await follow(page, 'Keys');
    const { keyring } = openBackupInNode(await downloadBackup(page));
    const stored = await readStore(page, 'sealed-vitals', 'keys');
    const vault = stored.vault as VaultRecordJson;
    const { unlockKey, dataKey } = await dataKeyFromPassphrase(vault, UNLOCK_PASSPHRASE);
    // The keys found this way are the device's: its keyring opens under the data key.
    const sealedKeyring = openSealedJson(
      dataKey,
      vault.id,
      'sealed-vitals keyring v3',
      stored.keyring as never,
    ) as {
      keySets: unknown[];
    };
    expect(sealedKeyring.keySets).toEqual(
      keyring.keySets.map((set) => expect.objectContaining({ id: set.id })),
    );
    const history = await readStore(page, 'sealed-vitals-history', 'results');
    const [entryId, sealedEntry] = Object.entries(history)[0] ?? [];
    expect(
      openSealedJson(dataKey, vault.id, `sealed-vitals history entry v1\n${entryId}`, sealedEntry as never),
    ).toMatchObject({ inputs: { weight: { value: 137.9 } }, result: { display: result.value } });
    await context.close();
    context = undefined;

    const files = await filesUnder(dir);
    // The search sees what IndexedDB wrote: the sealed keyring's ciphertext is there to be found.
    const ciphertext = (stored.keyring as { ciphertext: string }).ciphertext;
    expect(filesHolding(files, ciphertext.slice(0, 64)).length).toBeGreaterThan(0);
    const secrets: [string, string | Buffer][] = [
      ...typed.map((value) => [`typed value ${value}`, value] as [string, string]),
      ['the result shown', result.value],
      ['the passphrase', UNLOCK_PASSPHRASE],
      ...spellings(unlockKey).map((form) => ['the unlock key', form] as [string, string | Buffer]),
      ...spellings(dataKey).map((form) => ['the data key', form] as [string, string | Buffer]),
      ...keyring.keySets.flatMap((set) =>
        Object.values(set.keys).flatMap((key) =>
          spellings(privateKeyBytes(key.privateKey)).map(
            (form) => [`the ${key.publicKey.group} private key`, form] as [string, string | Buffer],
          ),
        ),
      ),
    ];
    for (const [what, needle] of secrets) expect(filesHolding(files, needle), what).toEqual([]);
  });

  test('with no protection: the data key is in the profile, so a copy of it opens everything, and the app says so', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sealed-vitals-profile-'));
    profiles.push(dir);
    const context = await launchPersistentChromium(dir, browserTests.baseUrl);
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto('/keys');
    await page.getByRole('button', { name: 'No protection on this device' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Use no protection' }).click();
    await page.getByTestId('current-keys').waitFor();
    expect(await page.getByTestId('no-protection-warning').textContent()).toContain(
      'anyone who can open this browser’s files',
    );
    await computeBmi(page, '137.9', '193.7');
    const vault = (await readStore(page, 'sealed-vitals', 'keys')).vault as VaultRecordJson;
    await context.close();
    expect(vault.unlockers).toEqual([]);
    const files = await filesUnder(dir);
    expect(filesHolding(files, vault.openKey ?? '').length).toBeGreaterThan(0);
  });
});

describe('a script on the app’s origin, without the unlock', () => {
  test('finds no usable key in IndexedDB, and the app’s own worker refuses to read history or keys', async () => {
    const context = await browserTests.newContext({ protection: 'fresh' });
    const page = await context.newPage();
    await protectWithPassphrase(page);
    await computeBmi(page, '137.9', '193.7');
    await page.reload();
    // A reload of the only tab ends its worker: the device is locked again.
    await page.goto('/history');
    await page.getByTestId('unlock').waitFor();

    const text = JSON.stringify(await dumpIndexedDb(page));
    expect(text).not.toContain('"cryptoKey"');
    expect(text).not.toContain('openKey');
    expect(text).not.toContain('137.9');
    const workerUrl = await page.evaluate(
      () => performance.getEntriesByType('resource').find((entry) => /worker/.test(entry.name))?.name,
    );
    expect(workerUrl).toBeDefined();
    const answers = await page.evaluate(async (url) => {
      const worker = new Worker(url as string, { type: 'module' });
      const ask = (id: number, request: unknown) =>
        new Promise<{ ok: boolean; message?: string }>((resolve) => {
          const listener = (event: MessageEvent<{ id: number; ok: boolean; message?: string }>) => {
            if (event.data.id !== id) return;
            worker.removeEventListener('message', listener);
            resolve(event.data);
          };
          worker.addEventListener('message', listener);
          worker.postMessage({ id, request });
        });
      return Promise.all([
        ask(1, { kind: 'history-read' }),
        ask(2, { kind: 'key-info' }),
        ask(3, { kind: 'make-backup', passphrase: 'attacker chosen passphrase words' }),
      ]);
    }, workerUrl);
    for (const answer of answers) {
      expect(answer).toEqual({
        id: expect.any(Number),
        ok: false,
        errorName: 'LockedError',
        message: expect.stringContaining('locked'),
      });
    }
  });
});

describe('unlocking', () => {
  test('with the passphrase after a reload; a wrong one is refused and changes nothing; Lock now locks every tab', async () => {
    const context = await browserTests.newContext({ protection: 'fresh' });
    const page = await context.newPage();
    await protectWithPassphrase(page);
    const fingerprint = await shownFingerprint(page);
    const result = await computeBmi(page, '81.2', '170');
    await follow(page, 'History');
    await page.getByTestId('history-entry').waitFor();
    await page.reload();
    await page.getByTestId('unlock').waitFor();
    expect(await page.getByTestId('key-locked').textContent()).toBe('locked');
    // What is sealed (the decoder's table of public constants, built in idle time, aside).
    const sealedState = async () => {
      const { 'sealed-vitals-decoder': _publicConstants, ...sealed } = (await dumpIndexedDb(page)) as Record<
        string,
        unknown
      >;
      return sealed;
    };
    const before = await sealedState();

    await unlockWithPassphrase(page, `${UNLOCK_PASSPHRASE}!`);
    const refusal = page.getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.textContent()).toBe('The passphrase is not the one that protects this device.');
    expect(await sealedState()).toEqual(before);

    await unlockWithPassphrase(page);
    await page.getByTestId('history-entry').filter({ hasText: result.value }).waitFor();
    expect(await shownFingerprint(page)).toBe(fingerprint);

    // A second tab opens unlocked: the unlock is shared, not repeated.
    const other = await context.newPage();
    await other.goto('/history');
    await other.getByTestId('history-entry').filter({ hasText: result.value }).waitFor();
    expect(await shownFingerprint(other)).toBe(fingerprint);

    // Lock now, in one tab, locks the other.
    await follow(other, 'Keys');
    await other.getByRole('button', { name: 'Lock now' }).click();
    await other.getByTestId('unlock').waitFor();
    await page.getByTestId('unlock').waitFor();
    expect(await page.getByTestId('history-entry').count()).toBe(0);
  });

  test('with a passkey (a virtual authenticator with PRF), offline too', async () => {
    const context = await browserTests.newContext({ protection: 'fresh' });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        ctap2Version: 'ctap2_1',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        hasPrf: true,
        automaticPresenceSimulation: true,
      },
    });
    // A passkey needs a registrable domain: the same server, as localhost.
    const origin = `http://localhost:${new URL(browserTests.baseUrl).port}`;
    await page.goto(`${origin}/keys`);
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    await page.getByTestId('current-keys').waitFor();
    const fingerprint = await shownFingerprint(page);
    const vault = (await readStore(page, 'sealed-vitals', 'keys')).vault as VaultRecordJson;
    expect(vault.unlockers.map((unlocker) => unlocker.kind)).toEqual(['passkey']);
    expect(vault.openKey).toBeUndefined();
    const result = await computeBmi(page, '81.2', '170');

    await page.goto(`${origin}/history`);
    await page.getByTestId('unlock').waitFor();
    await context.setOffline(true);
    await page.getByRole('button', { name: 'Unlock with your passkey' }).click();
    await page.getByTestId('history-entry').filter({ hasText: result.value }).waitFor();
    expect(await shownFingerprint(page)).toBe(fingerprint);
    await context.setOffline(false);
  });

  test('locks by itself after the idle time the patient chose', { timeout: 150_000 }, async () => {
    const context = await browserTests.newContext({ protection: 'fresh' });
    const page = await context.newPage();
    await protectWithPassphrase(page);
    await page.getByLabel('Lock by itself after').selectOption({ label: '1 minute without use' });
    await page.getByTestId('unlock').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('current-keys').count()).toBe(0);
    expect(await page.getByTestId('key-locked').textContent()).toBe('locked');
  });
});

describe('unlinkable requests', () => {
  test('two requests of one patient carry unrelated keys, neither the stored one; both results are right and decrypt again after a reload', async () => {
    const context = await browserTests.newContext();
    const page = await context.newPage();
    const sent: { publicKey: { group: string; y: string } }[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().includes('/evaluate'))
        sent.push(JSON.parse(request.postData() ?? '{}'));
    });
    await page.goto('/');
    const first = await computeBmi(page, '83.7', '176.4');
    const second = await computeBmi(page, '83.7', '176.4');
    expect(first.value).toBe('26.9 kg/m²');
    expect(second.value).toBe(first.value);
    expect(sent).toHaveLength(2);
    const [one, two] = sent.map((body) => body.publicKey);
    expect(one?.group).toBe('ffdhe3072');
    expect(one?.y).not.toBe(two?.y);

    // The stored key is neither: each was blinded from it, and the history keeps how (sealed).
    const vault = (await readStore(page, 'sealed-vitals', 'keys')).vault as VaultRecordJson;
    const dataKey = Buffer.from(vault.openKey ?? '', 'base64url');
    const stored = await readStore(page, 'sealed-vitals', 'keys');
    const keyring = openSealedJson(
      dataKey,
      vault.id,
      'sealed-vitals keyring v3',
      stored.keyring as never,
    ) as {
      keySets: { keys: Record<string, { publicKey: { y: string } }> }[];
    };
    const storedKey = keyring.keySets[0]?.keys.ffdhe3072?.publicKey.y;
    expect([one?.y, two?.y]).not.toContain(storedKey);
    const history = await readStore(page, 'sealed-vitals-history', 'results');
    const entries = Object.entries(history).map(
      ([id, sealed]) =>
        openSealedJson(dataKey, vault.id, `sealed-vitals history entry v1\n${id}`, sealed as never) as {
          sealed: { publicKey: { y: string }; blinding: { base: { y: string }; delta: string } };
        },
    );
    expect(entries.map((entry) => entry.sealed.publicKey.y).sort()).toEqual([one?.y, two?.y].sort());
    for (const entry of entries) expect(entry.sealed.blinding.base.y).toBe(storedKey);

    // "What left this device" says the key was made for this request.
    await page.getByText('What left this device').click();
    expect(await page.getByTestId('request-key-note').textContent()).toContain('made for this request only');

    await page.goto('/history');
    await page.getByTestId('history-entry').first().waitFor();
    for (const row of await page.getByTestId('history-entry').all()) {
      await row.getByRole('button', { name: /^Decrypt again/ }).click();
      expect(await row.getByTestId('decrypted-again').textContent()).toBe(
        `Decrypted again: ${first.value}, as recorded.`,
      );
    }
  });
});

describe('an older version’s store', () => {
  test('moves under the protection on set-up: same keys, same history, which still decrypts; nothing left in the clear', async () => {
    // What the version before protection at rest wrote: key pairs wrapped under a non-extractable
    // AES-GCM key stored beside them, and history entries in the clear.
    const keys = {
      ffdhe3072: generateGroupKeyPair('ffdhe3072'),
      ristretto255: generateGroupKeyPair('ristretto255'),
    };
    const inputs = { weight: { value: 137.9, unit: 'kg' }, height: { value: 193.7, unit: 'cm' } };
    const request = encryptInputs(bmi, keys.ffdhe3072, bmi.encodeInputs(inputs));
    const response = JSON.parse(JSON.stringify(evaluateRequest(serve(bmi), request)));
    const result = bmi.interpret(decryptOutputs(bmi, keys.ffdhe3072, response), inputs);
    const setId = crypto.randomUUID();
    const entry = {
      id: crypto.randomUUID(),
      computationId: 'bmi',
      computationVersion: bmi.version,
      computedAt: new Date().toISOString(),
      inputs,
      result,
      sealed: { publicKey: keys.ffdhe3072.publicKey, response },
    };
    const context = await browserTests.newContext({ protection: 'fresh' });
    const page = await context.newPage();
    await page.goto('/');
    await page.evaluate(
      async ({ setId, pairs, entry }) => {
        const request = <T>(r: IDBRequest<T>) =>
          new Promise<T>((resolve, reject) => {
            r.onsuccess = () => resolve(r.result);
            r.onerror = () => reject(r.error);
          });
        const openDb = (name: string, store: string) =>
          new Promise<IDBDatabase>((resolve, reject) => {
            const open = indexedDB.open(name);
            open.onupgradeneeded = () => open.result.createObjectStore(store);
            open.onsuccess = () => resolve(open.result);
            open.onerror = () => reject(open.error);
          });
        const b64 = (bytes: Uint8Array) =>
          btoa(String.fromCharCode(...bytes))
            .replace(/\+/g, '-')
            .replace(/\//g, '_')
            .replace(/=+$/, '');
        const wrappingKey = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, [
          'encrypt',
          'decrypt',
        ]);
        const stored: Record<string, unknown> = {};
        for (const pair of pairs) {
          const hex = pair.privateKey.length % 2 === 0 ? pair.privateKey : `0${pair.privateKey}`;
          const bytes = Uint8Array.from(hex.match(/../g) ?? [], (byte) => Number.parseInt(byte, 16));
          const iv = crypto.getRandomValues(new Uint8Array(12));
          const additionalData = new TextEncoder().encode(
            `sealed-vitals private key v2\n${setId}\n${pair.publicKey.group}\n${pair.publicKey.y}`,
          );
          const ciphertext = new Uint8Array(
            await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData }, wrappingKey, bytes),
          );
          stored[pair.publicKey.group] = {
            publicKey: pair.publicKey,
            wrappedPrivateKey: { iv: b64(iv), ciphertext: b64(ciphertext) },
          };
        }
        const record = {
          version: 2,
          current: setId,
          keySets: [{ id: setId, createdAt: '2026-01-05T09:00:00.000Z', keys: stored }],
        };
        const keysDb = await openDb('sealed-vitals', 'keys');
        const keysStore = keysDb.transaction('keys', 'readwrite').objectStore('keys');
        await request(keysStore.put(wrappingKey, 'wrapping-key'));
        await request(keysDb.transaction('keys', 'readwrite').objectStore('keys').put(record, 'device-keys'));
        const historyDb = await openDb('sealed-vitals-history', 'results');
        await request(
          historyDb.transaction('results', 'readwrite').objectStore('results').put(entry, entry.id),
        );
      },
      {
        setId,
        pairs: Object.values(keys).map((pair) => ({
          publicKey: pair.publicKey,
          privateKey: pair.privateKey.toString(16),
        })),
        entry,
      },
    );
    await page.goto('/keys');
    expect(await page.getByTestId('protection-choice').textContent()).toContain(
      'The keys and history already on this device are moved under it; nothing is lost.',
    );
    const choice = page.getByTestId('protection-choice');
    await choice.getByLabel('Passphrase', { exact: true }).fill(UNLOCK_PASSPHRASE);
    await choice.getByLabel('Passphrase again', { exact: true }).fill(UNLOCK_PASSPHRASE);
    await choice.getByRole('button', { name: 'Protect with this passphrase' }).click();
    await page.getByTestId('current-keys').waitFor();
    const fingerprint = await shownFingerprint(page);
    await follow(page, 'History');
    const row = page.getByTestId('history-entry').filter({ hasText: result.display });
    await row.getByText(`${fingerprint} (in use)`).waitFor();
    await row.getByRole('button', { name: /^Decrypt again/ }).click();
    expect(await row.getByTestId('decrypted-again').textContent()).toBe(
      `Decrypted again: ${result.display}, as recorded.`,
    );

    // The old records are gone; what is left is sealed.
    const dump = JSON.stringify(await dumpIndexedDb(page));
    for (const gone of [
      'device-keys',
      'wrapping-key',
      '"cryptoKey"',
      '137.9',
      result.display,
      keys.ffdhe3072.publicKey.y,
    ]) {
      expect(dump, gone).not.toContain(gone);
    }
    expect(Object.keys(await readStore(page, 'sealed-vitals', 'keys')).sort()).toEqual(['keyring', 'vault']);
  });
});

test('a backup restores onto a protected device, and its results decrypt again there', async () => {
  const source = await browserTests.newPage();
  await source.goto('/');
  const result = await computeBmi(source, '92.4', '181');
  await follow(source, 'Keys');
  await source.getByTestId('current-keys').waitFor();
  const fileText = await downloadBackup(source);

  const context = await browserTests.newContext({ protection: 'fresh' });
  const page = await context.newPage();
  await protectWithPassphrase(page);
  const outcome = await restoreBackup(page, fileText);
  expect(outcome.restored).toBe(true);
  await follow(page, 'History');
  const row = page.getByTestId('history-entry').filter({ hasText: result.value });
  await row.getByRole('button', { name: /^Decrypt again/ }).click();
  expect(await row.getByTestId('decrypted-again').textContent()).toBe(
    `Decrypted again: ${result.value}, as recorded.`,
  );
  // Sealed under this device's protection: nothing of it readable in IndexedDB.
  expect(JSON.stringify(await dumpIndexedDb(page))).not.toContain('92.4');
});

test('the first-use step and the unlock screen have no accessibility violations, on a phone and a laptop', async () => {
  const context = await browserTests.newContext({ protection: 'fresh' });
  const page = await context.newPage();
  for (const width of [390, 1280]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 800 });
    await page.goto('/keys');
    await page.getByTestId('protection-choice').waitFor();
    await expectNoAccessibilityViolations(page);
  }
  await protectWithPassphrase(page);
  await page.reload();
  await page.getByTestId('unlock').waitFor();
  await unlockWithPassphrase(page, 'not the passphrase at all');
  await page.getByRole('alert').waitFor();
  await expectNoAccessibilityViolations(page);
  await page.setViewportSize({ width: 390, height: 844 });
  await expectNoAccessibilityViolations(page);
});
