/** The device's keys: generated once per browser profile, kept in IndexedDB, shown as a fingerprint. */

import { createHash } from 'node:crypto';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { openSealedJson, readStore, type VaultRecordJson } from './custody.js';
import { setUpBrowserTests } from './harness.js';

const browserTests = setUpBrowserTests();

async function shownFingerprint(page: Page): Promise<string> {
  return (await page.getByTestId('key-fingerprint').textContent()) ?? '';
}

/** The stored key record, read the way any script of the origin could (in the page). */
function readKeyRecord(page: Page): Promise<unknown> {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('sealed-vitals');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const read = open.result.transaction('keys').objectStore('keys').get('keyring');
          read.onsuccess = () => resolve(read.result);
          read.onerror = () => reject(read.error);
        };
      }),
  );
}

function writeKeyRecord(page: Page, record: unknown): Promise<void> {
  return page.evaluate(
    (value) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('sealed-vitals');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const transaction = open.result.transaction('keys', 'readwrite');
          transaction.objectStore('keys').put(value, 'keyring');
          transaction.oncomplete = () => resolve();
          transaction.onerror = () => reject(transaction.error);
        };
      }),
    record,
  );
}

const base64url = (bytes: number) => new RegExp(`^[A-Za-z0-9_-]{${Math.ceil((bytes * 4) / 3)}}$`);

describe('device keys', () => {
  test('the fingerprint is the same after a reload and in another tab, and differs in a new profile', async () => {
    const context = await browserTests.newContext();
    const page = await context.newPage();
    await page.goto('/');
    const first = await shownFingerprint(page);
    expect(first).toMatch(/^[0-9a-f]{4}( [0-9a-f]{4}){3}$/);

    await page.reload();
    expect(await shownFingerprint(page)).toBe(first);
    const otherTab = await context.newPage();
    await otherTab.goto('/keys');
    expect(await shownFingerprint(otherTab)).toBe(first);

    const otherProfile = await (await browserTests.newContext({ keys: 'own' })).newPage();
    await otherProfile.goto('/');
    const second = await shownFingerprint(otherProfile);
    expect(second).toMatch(/^[0-9a-f]{4}( [0-9a-f]{4}){3}$/);
    expect(second).not.toBe(first);
  });

  test('without protection: a vault record holding the data key in the clear and the keyring sealed under it, nothing in localStorage', async () => {
    const page = await browserTests.newPage();
    await page.goto('/');
    const shown = await shownFingerprint(page);
    const stored = await readStore(page, 'sealed-vitals', 'keys');
    expect(Object.keys(stored).sort()).toEqual(['keyring', 'vault']);
    const vault = stored.vault as VaultRecordJson;
    // "No protection on this device": the data key itself is stored, which the keys page says.
    expect(vault).toMatchObject({ version: 1, unlockers: [], openKey: expect.stringMatching(base64url(32)) });
    const sealed = {
      iv: expect.stringMatching(base64url(12)),
      ciphertext: expect.stringMatching(/^[A-Za-z0-9_-]{30,}$/),
    };
    expect(stored.keyring).toEqual(sealed);
    // So any script of the origin, or a copy of the profile, can open the keyring: shown here in Node.
    const keyring = openSealedJson(
      Buffer.from(vault.openKey ?? '', 'base64url'),
      vault.id,
      'sealed-vitals keyring v3',
      stored.keyring as { iv: string; ciphertext: string },
    ) as {
      current: string;
      keySets: {
        id: string;
        keys: Record<string, { publicKey: { group: string; y: string }; privateKey: string }>;
      }[];
    };
    // Element sizes from the spec's group table: ffdhe3072 384 bytes, ristretto255 32 bytes.
    expect(keyring).toEqual({
      current: expect.any(String),
      keySets: [
        {
          id: expect.any(String),
          createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
          keys: {
            ffdhe3072: {
              privateKey: expect.stringMatching(/^[0-9a-f]+$/),
              publicKey: { group: 'ffdhe3072', y: expect.stringMatching(base64url(384)) },
            },
            ristretto255: {
              privateKey: expect.stringMatching(/^[0-9a-f]+$/),
              publicKey: { group: 'ristretto255', y: expect.stringMatching(base64url(32)) },
            },
          },
        },
      ],
    });
    const { current, keySets } = keyring;
    expect(keySets[0]?.id).toBe(current);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);

    // The fingerprint's definition (web/crypto/keyring-records.ts), recomputed independently.
    const lines = Object.values(keySets[0]?.keys ?? {})
      .map(({ publicKey }) => `${publicKey.group} ${publicKey.y}\n`)
      .sort()
      .join('');
    const digest = createHash('sha256').update(lines, 'utf8').digest('hex');
    expect(shown).toBe(digest.slice(0, 16).replace(/(.{4})(?=.)/g, '$1 '));

    await page.goto('/keys');
    expect(await page.getByTestId('no-protection-warning').textContent()).toContain(
      'No protection on this device.',
    );
  });

  test('the keys page shows the fingerprint, the creation date and what each kind of key is for', async () => {
    const page = await browserTests.newPage();
    await page.goto('/');
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Keys', exact: true })
      .click();
    await page.getByRole('heading', { level: 1, name: 'Your keys' }).waitFor();
    const facts = page.getByTestId('current-keys');
    await facts.waitFor();
    const text = (await facts.textContent()) ?? '';
    expect(text).toContain(await shownFingerprint(page));
    expect(text).toContain('For calculators that multiply: Body-mass index');
    expect(text).toContain('For calculators that add up: CHA₂DS₂-VASc stroke risk');
    const created = await facts.locator('time').getAttribute('datetime');
    expect(Date.now() - Date.parse(created ?? '')).toBeLessThan(5 * 60_000);
  });

  test('a record this version cannot read is reported and left as it is, never overwritten', async () => {
    const page = await browserTests.newPage();
    await page.goto('/keys');
    await page.getByTestId('key-fingerprint').waitFor();
    const fromTheFuture = { version: 99, iv: 'AAAA', ciphertext: 'AAAA', keys: {} };
    await writeKeyRecord(page, fromTheFuture);

    await page.reload();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('damaged or from another version');
    expect(await page.getByTestId('key-fingerprint').count()).toBe(0);
    expect(await readKeyRecord(page)).toEqual(fromTheFuture);
  });
});
