/**
 * The app follows the catalog the service serves, not the one it was built with: with a MODELS_DIR
 * that holds only the Mayo lung-nodule model, the start page lists the code calculators and Mayo (not
 * the shipped CHA₂DS₂-VASc and Framingham, nor CKD-EPI), and still does offline, from the catalog it
 * kept, and so do How it works and the keys page; the worker's decoder table is built for that catalog's widest
 * output range; and a result of the model, which no build of the app ships, is named in the history
 * by its catalog entry's title.
 */

import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { DEFAULT_MODELS_DIR, loadServedCatalog, publicModelFile } from '../server/served-catalog.js';
import { additiveDecodingTableWidth, COMPUTATIONS } from '../shared/computations/catalog.js';
import { storedDecoderEntries } from './custody.js';
import { setUpBrowserTests } from './harness.js';
import { computeResult, field } from './pages.js';

const MAYO = 'mayo-lung-nodule';
const modelsDir = mkdtempSync(join(tmpdir(), 'models-'));
copyFileSync(publicModelFile(DEFAULT_MODELS_DIR, MAYO), publicModelFile(modelsDir, MAYO));
const served = loadServedCatalog(modelsDir);
const browserTests = setUpBrowserTests({ modelsDir });

const titleOf = (id: string) => served.get(id)?.computation.title ?? id;

/** The start page's cards, once the service's catalog has replaced the shipped one. */
async function cardTitles(page: Page): Promise<string[]> {
  await page.locator('.catalog-card', { hasText: titleOf(MAYO) }).waitFor();
  return (await page.locator('.catalog-card h3').allTextContents()).sort();
}

test('the start page lists what the service serves, online and offline', async () => {
  const context = await browserTests.newContext();
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
}, 60_000);

test('how it works names the served calculators of each group', async () => {
  const page = await browserTests.newPage();
  await page.goto('/how-it-works');
  const additive = page.locator('.key-facts dd').nth(1);
  await additive.getByText(titleOf(MAYO)).waitFor();
  expect(await additive.textContent()).not.toContain(titleOf('cha2ds2-vasc'));
});

test('the keys page says which served calculators each key is for', async () => {
  const page = await browserTests.newPage();
  await page.goto('/keys');
  const facts = page.getByTestId('current-keys');
  await facts.getByText(`For calculators that add up: Readings summary, ${titleOf(MAYO)}`).waitFor();
  expect(await facts.textContent()).not.toContain(titleOf('cha2ds2-vasc'));
});

test('the decoder table is built for the served catalog’s widest output range', async () => {
  const page = await browserTests.newPage();
  await page.goto(`/computations/${MAYO}`);
  await page.getByRole('heading', { level: 1, name: titleOf(MAYO) }).waitFor();
  const width = additiveDecodingTableWidth([...served.values()].map(({ computation }) => computation));
  // The shipped catalog's widest range (Framingham's) would need a far wider table.
  expect(width).toBeLessThan(additiveDecodingTableWidth(COMPUTATIONS));
  await expect.poll(() => storedDecoderEntries(page), { timeout: 30_000, interval: 250 }).toBe(width);
}, 60_000);

test('a result of a model only the service has is named by its title in the history and its summary', async () => {
  const page = await browserTests.newPage();
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
}, 60_000);
