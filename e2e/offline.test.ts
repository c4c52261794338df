/**
 * The installable, offline app: after one visit the app shell, the keys, the key page and the
 * history open with the service gone and the browser offline; computing then says the service is
 * unreachable and keeps what was typed; nothing from the API is ever cached.
 */

import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { openKeysPage, shownFingerprint } from './custody.js';
import { setUpBrowserTests } from './harness.js';
import {
  BMI_TITLE,
  type BmiEntry,
  computeExpectingAlert,
  computeResult,
  field,
  fillBmi,
  openComputation,
} from './pages.js';

const browserTests = setUpBrowserTests();

const ENTRY: BmiEntry = { weight: '77.3', weightUnit: 'kg', height: '169.5', heightUnit: 'cm' };

/** Every URL in the page's Cache Storage. */
function cachedUrls(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const urls: string[] = [];
    for (const name of await caches.keys()) {
      for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname);
    }
    return urls.sort();
  });
}

test('after one visit, keys, key page and history open offline; computing says the service is unreachable', async () => {
  const context = await browserTests.newContext();
  const page = await context.newPage();
  await openComputation(page, BMI_TITLE);
  await fillBmi(page, ENTRY);
  const result = await computeResult(page);
  const fingerprint = await shownFingerprint(page);
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  // From the next load on, the service worker answers; one more result goes through it.
  await page.reload();
  expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  await fillBmi(page, ENTRY);
  await computeResult(page);

  const shell = await cachedUrls(page);
  expect(shell).toContain('/index.html');
  expect(shell).toContain('/manifest.webmanifest');
  expect(shell.filter((path) => path.startsWith('/assets/')).length).toBeGreaterThanOrEqual(3);
  expect(shell.filter((path) => path.startsWith('/api/'))).toEqual([]);

  await browserTests.stopServer();
  await context.setOffline(true);
  try {
    await page.reload();
    expect(await shownFingerprint(page)).toBe(fingerprint);

    await openKeysPage(page);
    expect(await page.getByTestId('current-keys').textContent()).toContain(fingerprint);

    await page.goto('/history');
    const values = page.getByTestId('history-entry').getByTestId('history-value');
    await values.first().waitFor();
    expect(await values.allTextContents()).toEqual([result.value, result.value]);

    await page.goto('/computations/bmi');
    await fillBmi(page, ENTRY);
    expect(await computeExpectingAlert(page)).toContain('The health service could not be reached.');
    expect(await field(page, 'Weight').inputValue()).toBe(ENTRY.weight);
    expect(await field(page, 'Height').inputValue()).toBe(ENTRY.height);
  } finally {
    await context.setOffline(false);
    await browserTests.startServer();
  }
  // Back online, the same entries compute.
  await computeResult(page);
});

test('is installable: the manifest parses, its icons load, and Chromium reports nothing missing', async () => {
  const context = await browserTests.newContext();
  const page = await context.newPage();
  await page.goto('/');
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  const devtools = await context.newCDPSession(page);
  const { errors, manifest: parsed } = (await devtools.send('Page.getAppManifest')) as {
    errors: unknown[];
    manifest?: { name?: string; display?: string; startUrl?: string };
  };
  expect(errors).toEqual([]);
  expect(parsed).toMatchObject({
    name: 'Sealed Vitals',
    display: 'kStandalone',
    startUrl: `${browserTests.baseUrl}/`,
  });
  const { installabilityErrors } = await devtools.send('Page.getInstallabilityErrors');
  // Playwright's contexts are off the record; that is the only reason Chromium may give.
  expect(installabilityErrors.map((error) => error.errorId).filter((id) => id !== 'in-incognito')).toEqual(
    [],
  );

  // Each PNG icon is the size the manifest says (the width and height in its IHDR header).
  const manifest = (await (await page.request.get('/manifest.webmanifest')).json()) as {
    icons: { src: string; sizes: string; type: string }[];
  };
  for (const icon of manifest.icons.filter((candidate) => candidate.type === 'image/png')) {
    const png = await (await page.request.get(icon.src)).body();
    expect(`${png.readUInt32BE(16)}x${png.readUInt32BE(20)}`).toBe(icon.sizes);
  }
});
