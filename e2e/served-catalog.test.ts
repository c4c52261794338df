/**
 * The app follows the catalog the service serves, not the one it was built with: with a MODELS_DIR
 * that holds only the Mayo lung-nodule model, the start page lists the code calculators and Mayo (not
 * the shipped CHA₂DS₂-VASc and Framingham, nor CKD-EPI), and still does offline, from the catalog it
 * kept; the worker's decoder table is built for that catalog's widest output range; and a result of
 * the model, which no build of the app ships, is named in the history by its catalog entry's title.
 */

import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { buildApp } from '../server/app.js';
import { DEFAULT_MODELS_DIR, loadServedCatalog, publicModelFile } from '../server/served-catalog.js';
import { additiveDecodingTableWidth, COMPUTATIONS } from '../shared/computations/catalog.js';
import { launchChromium, setUpWithoutProtection } from './harness.js';
import { computeResult, field } from './pages.js';

const STATIC_DIR = process.env.E2E_STATIC_DIR ?? fileURLToPath(new URL('../dist/web', import.meta.url));
const MAYO = 'mayo-lung-nodule';

let server: Awaited<ReturnType<typeof buildApp>>;
let browser: Browser;
let baseURL: string;
let served: ReturnType<typeof loadServedCatalog>;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'models-'));
  copyFileSync(publicModelFile(DEFAULT_MODELS_DIR, MAYO), publicModelFile(dir, MAYO));
  served = loadServedCatalog(dir);
  server = await buildApp({
    staticDir: STATIC_DIR,
    modelsDir: dir,
    logger: false,
    rateLimit: false,
    overload: false,
  });
  baseURL = await server.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const titleOf = (id: string) => served.get(id)?.computation.title ?? id;

/** The start page's cards, once the service's catalog has replaced the shipped one. */
async function cardTitles(page: Page): Promise<string[]> {
  await page.locator('.catalog-card', { hasText: titleOf(MAYO) }).waitFor();
  return (await page.locator('.catalog-card h3').allTextContents()).sort();
}

test('the start page lists what the service serves, online and offline', async () => {
  const context = await browser.newContext({ baseURL });
  await setUpWithoutProtection(context);
  const page = await context.newPage();
  await page.goto('/');
  const expected = [...served.values()].map(({ computation }) => computation.title).sort();
  expect(expected).not.toContain(titleOf('cha2ds2-vasc'));
  expect(await cardTitles(page)).toEqual(expected);
  for (const shipped of COMPUTATIONS.filter((c) => !served.has(c.id))) {
    expect(await page.getByRole('link', { name: shipped.title }).count()).toBe(0);
  }

  // Offline, the service worker serves the app and the catalog kept on the device lists the same.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await page.reload();
  await context.setOffline(true);
  try {
    await page.reload();
    expect(await cardTitles(page)).toEqual(expected);
  } finally {
    await context.setOffline(false);
  }
  await context.close();
}, 60_000);

test('the decoder table is built for the served catalog’s widest output range', async () => {
  const context = await browser.newContext({ baseURL });
  await setUpWithoutProtection(context);
  const page = await context.newPage();
  await page.goto(`/computations/${MAYO}`);
  await page.getByRole('heading', { level: 1, name: titleOf(MAYO) }).waitFor();
  const width = additiveDecodingTableWidth([...served.values()].map(({ computation }) => computation));
  // The shipped catalog's widest range (Framingham's) would need a far wider table.
  expect(width).toBeLessThan(additiveDecodingTableWidth(COMPUTATIONS));
  const storedEntries = () =>
    page.evaluate(
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
  await expect.poll(storedEntries, { timeout: 30_000, interval: 250 }).toBe(width);
  await context.close();
}, 60_000);

test('a result of a model only the service has is named by its title in the history and its summary', async () => {
  const context = await browser.newContext({ baseURL });
  await setUpWithoutProtection(context);
  const page = await context.newPage();
  const mayo = served.get(MAYO)?.computation;
  if (!mayo) throw new Error('Mayo is served');
  await page.goto(`/computations/${MAYO}`);
  await page.getByRole('heading', { level: 1, name: mayo.title }).waitFor();
  await field(page, 'Age').fill('64');
  await field(page, 'Current or former smoker').check();
  await field(page, 'Nodule diameter').fill('12');
  await computeResult(page);

  await page.goto('/history');
  await page.getByRole('heading', { level: 2, name: mayo.title }).waitFor();
  const summary = page.getByTestId('print-summary');
  expect(await summary.locator('caption').allTextContents()).toEqual([mayo.title]);
  expect(await summary.locator('tbody td').last().textContent()).toBe(
    `${mayo.title}, version ${mayo.version}`,
  );
  expect(await summary.locator('tbody td').nth(1).textContent()).toContain('Age 64 years');
  await context.close();
}, 60_000);
