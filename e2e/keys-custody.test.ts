/**
 * Key custody: one identity across tabs, keys and history kept across reloads, private keys never in
 * IndexedDB in the clear, rotation (old keys kept and still working) and deletion (confirmed, and
 * then results encrypted to them are unreadable), persistent storage asked for and shown.
 */

import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { decryptOutputs } from '../shared/client.js';
import { findComputation } from '../shared/computations/catalog.js';
import { withScheme } from '../shared/scheme.js';
import { publicKeyToWire } from '../shared/wire.js';
import {
  downloadBackup,
  dumpIndexedDb,
  openBackupInNode,
  openKeysPage,
  readHistoryEntries,
  readKeyRecord,
  readStore,
  shownFingerprint,
} from './custody.js';
import { setUpBrowserTests } from './harness.js';
import { BMI_TITLE, computeResult, fillBmi, openComputation } from './pages.js';

const browserTests = setUpBrowserTests();

async function computeBmi(page: Page, weight = '83.7', height = '176.4') {
  await openComputation(page, BMI_TITLE);
  await fillBmi(page, { weight, weightUnit: 'kg', height, heightUnit: 'cm' });
  return computeResult(page);
}

/** Every way a private key could be written down: hex (either byte order), decimal, base64(url), raw bytes. */
function spellings(privateKeyHex: string): string[] {
  const bytes = Buffer.from(privateKeyHex.length % 2 === 0 ? privateKeyHex : `0${privateKeyHex}`, 'hex');
  const reversed = Buffer.from(bytes).reverse();
  return [
    privateKeyHex,
    bytes.toString('hex'),
    reversed.toString('hex'),
    BigInt(`0x${privateKeyHex}`).toString(10),
    bytes.toString('base64'),
    bytes.toString('base64url'),
    reversed.toString('base64url'),
    bytes.toString('latin1'),
  ];
}

describe('one identity', () => {
  test('two tabs opened at once on a fresh profile end up with the same keys, and never show others', async () => {
    // A few fresh profiles, since a lost race shows only now and then.
    for (let round = 0; round < 4; round++) {
      const context = await browserTests.newContext();
      // Every fingerprint a tab ever shows: a tab that made its own keys and later adopted the
      // other's would pass a check of the final state alone.
      await context.addInitScript(() => {
        const seen = new Set<string>();
        Object.assign(window, { fingerprintsSeen: seen });
        new MutationObserver(() => {
          const shown = document.querySelector('[data-testid="key-fingerprint"]')?.textContent;
          if (shown) seen.add(shown);
        }).observe(document, { subtree: true, childList: true, characterData: true });
      });
      const [one, two] = await Promise.all([context.newPage(), context.newPage()]);
      await Promise.all([one.goto('/keys'), two.goto('/')]);
      const [first, second] = await Promise.all([shownFingerprint(one), shownFingerprint(two)]);
      expect(second).toBe(first);
      const seen = async (page: Page) =>
        page.evaluate(() => [...(window as unknown as { fingerprintsSeen: Set<string> }).fingerprintsSeen]);
      expect([...(await seen(one)), ...(await seen(two))]).toEqual([first, first]);
      expect((await readKeyRecord(one)).keySets).toHaveLength(1);
      await context.close();
    }
  });

  test('a reload keeps the keys and the history', async () => {
    const page = await browserTests.newPage();
    const result = await computeBmi(page);
    const fingerprint = await shownFingerprint(page);
    await page.goto('/history');
    await page.reload();
    expect(await shownFingerprint(page)).toBe(fingerprint);
    const entry = page.getByTestId('history-entry');
    await entry.waitFor();
    expect(await entry.getByTestId('history-value').textContent()).toBe(result.value);
  });
});

describe('keys at rest', () => {
  test('private keys are never in IndexedDB in the clear, and no key is stored as a CryptoKey', async () => {
    const context = await browserTests.newContext();
    const page = await context.newPage();
    let answer: unknown;
    page.on('response', async (response) => {
      if (response.request().method() === 'POST') answer = await response.json();
    });
    const shown = await computeBmi(page);
    await openKeysPage(page);
    // The private keys themselves, from a backup opened in Node without the app's code.
    const { keyring } = openBackupInNode(await downloadBackup(page));
    const [keySet] = keyring.keySets;
    if (!keySet) throw new Error('The backup holds no key set.');

    // They are the device's real keys: each gives its public key, and the ffdhe one opens the result.
    for (const key of Object.values(keySet.keys)) {
      const privateKey = BigInt(`0x${key.privateKey}`);
      const publicKey = withScheme(key.publicKey.group, ({ group: g }) =>
        publicKeyToWire(g, g.powGenerator(privateKey)),
      );
      expect(publicKey).toEqual(key.publicKey);
    }
    const bmi = findComputation('bmi');
    const ffdhe = keySet.keys.ffdhe3072;
    if (!bmi || !ffdhe) throw new Error('No bmi computation or ffdhe3072 key.');
    // The request's key was blinded from the stored one (x′ = x + δ, δ kept with the history entry).
    const [entry] = await readHistoryEntries(page);
    expect(entry?.sealed.blinding?.base).toEqual(ffdhe.publicKey);
    const delta = BigInt(`0x${entry?.sealed.blinding?.delta ?? '0'}`);
    const outputs = decryptOutputs(
      bmi,
      {
        group: 'ffdhe3072',
        privateKey: BigInt(`0x${ffdhe.privateKey}`) + delta,
        publicKey: entry?.sealed.publicKey as never,
      },
      answer,
    );
    const weightDecigrams = 837n;
    expect(outputs.numerator).toBe(weightDecigrams * 100_000n);
    expect(shown.value).toMatch(/kg\/m²$/);

    const dump = await dumpIndexedDb(page);
    const text = JSON.stringify(dump);
    // The search works: the sealed keyring is there to be found (as are, here, the keys that open it).
    const { keyring: sealedKeyring } = await readStore(page, 'sealed-vitals', 'keys');
    expect(text).toContain((sealedKeyring as { ciphertext: string }).ciphertext);
    for (const key of Object.values(keySet.keys)) {
      for (const spelling of spellings(key.privateKey)) {
        expect(text.toLowerCase().includes(spelling.toLowerCase()), 'a private key in IndexedDB').toBe(false);
      }
    }
    // No key is kept as a CryptoKey: a stored non-extractable key would still be usable by any script
    // of the origin, and Chromium writes its bytes to the profile. Protection at rest: protection.test.ts.
    expect(text).not.toContain('"cryptoKey"');
  });
});

describe('rotation and deletion', () => {
  test('new keys are used from then on; old ones stay, still decrypt old results, and other tabs follow', async () => {
    const context = await browserTests.newContext();
    const page = await context.newPage();
    const otherTab = await context.newPage();
    const before = await computeBmi(page);
    const oldFingerprint = await shownFingerprint(page);
    await otherTab.goto('/');
    expect(await shownFingerprint(otherTab)).toBe(oldFingerprint);

    await openKeysPage(page);
    await page.getByRole('button', { name: 'Make new keys' }).click();
    await page.getByRole('status').filter({ hasText: 'New keys made' }).waitFor();
    const newFingerprint =
      (await page.getByTestId('current-keys').locator('code').first().textContent()) ?? '';
    expect(newFingerprint).not.toBe(oldFingerprint);
    expect(await shownFingerprint(page)).toBe(newFingerprint);
    // The other tab hears of it without a reload.
    await expect.poll(() => shownFingerprint(otherTab)).toBe(newFingerprint);

    const older = page.getByRole('region', { name: 'Older keys' });
    expect(await older.textContent()).toContain(oldFingerprint);
    expect(await older.textContent()).toContain('1 result in your history was encrypted to these keys.');

    // A new computation goes to the new keys…
    const sent: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST') sent.push(request.postData() ?? '');
    });
    await computeBmi(page, '61.5', '158');
    const record = await readKeyRecord(page);
    const current = record.keySets.find((set) => set.id === record.current);
    const request = JSON.parse(sent[0] ?? '{}') as { publicKey: { y: string } };
    const newest = (await readHistoryEntries(page)).find(
      (entry) => entry.sealed.publicKey.y === request.publicKey.y,
    );
    expect(newest?.sealed.blinding?.base).toEqual(current?.keys.ffdhe3072?.publicKey);

    // …and the old result still decrypts, with the older keys.
    await page.goto('/history');
    const oldRow = page.getByTestId('history-entry').filter({ hasText: before.value });
    await oldRow.getByText(`${oldFingerprint} (older keys)`).waitFor();
    await oldRow.getByRole('button', { name: /^Decrypt again/ }).click();
    expect(await oldRow.getByTestId('decrypted-again').textContent()).toBe(
      `Decrypted again: ${before.value}, as recorded.`,
    );
  });

  test('deleting older keys asks first, warns what becomes unreadable, and then it is', async () => {
    const page = await browserTests.newPage();
    const before = await computeBmi(page);
    await openKeysPage(page);
    await page.getByRole('button', { name: 'Make new keys' }).click();
    const older = page.getByRole('region', { name: 'Older keys' });
    const deleteButton = older.getByRole('button', { name: /^Delete keys/ });
    await deleteButton.waitFor();
    // The keys in use have no delete button at all.
    expect(await page.getByRole('button', { name: /^Delete keys/ }).count()).toBe(1);

    await deleteButton.click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    const warning = (await dialog.textContent()) ?? '';
    expect(warning).toContain('Results encrypted to these keys become unreadable');
    expect(warning).toContain('1 result in your history was encrypted to these keys.');
    // Focus starts on Cancel; Escape closes without deleting.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect((await readKeyRecord(page)).keySets).toHaveLength(2);

    await deleteButton.click();
    await dialog.getByRole('button', { name: 'Delete these keys' }).click();
    await older.getByText('None.').waitFor();
    expect((await readKeyRecord(page)).keySets).toHaveLength(1);

    await page.goto('/history');
    const row = page.getByTestId('history-entry').filter({ hasText: before.value });
    await row.getByText('keys no longer on this device').waitFor();
    await row.getByRole('button', { name: /^Decrypt again/ }).click();
    expect(await row.getByRole('alert').textContent()).toContain(
      'The keys this result was encrypted to are not on this device',
    );
  });
});

test('persistent storage is asked for and the answer shown, with the space used', async () => {
  const page = await browserTests.newPage();
  await computeBmi(page);
  await openKeysPage(page);
  const persisted = await page.evaluate(() => navigator.storage.persisted());
  const shown = (await page.getByTestId('storage-persistent').textContent()) ?? '';
  expect(shown.startsWith(persisted ? 'Granted' : 'Not granted')).toBe(true);
  const { usage, quota } = await page.evaluate(() => navigator.storage.estimate());
  expect(await page.getByTestId('storage-usage').textContent()).toMatch(
    /^(less than 0\.1 MB|[\d.,]+ (MB|GB))(, with plenty of room left \(this browser allows about [\d.,]+ (MB|GB)\)| of the [\d.,]+ (MB|GB) this browser allows: .+ left)$/,
  );
  // Measured for the note: one key set and one history result.
  console.info(`storage: persisted=${persisted}, usage=${usage} bytes of quota ${quota}`);
});
