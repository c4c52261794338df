/**
 * How the crypto worker computes in a real browser: libsodium's WASM build loaded only for the
 * ristretto255 computations, and the decoder's table of public constants kept in IndexedDB.
 */

import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { storedDecoderEntries } from './custody.js';
import { setUpBrowserTests } from './harness.js';
import {
  BMI_TITLE,
  CHA2DS2_VASC_TITLE,
  computeResult,
  fillBmi,
  fillCha2ds2Vasc,
  openComputation,
} from './pages.js';

const browserTests = setUpBrowserTests();
const LIBSODIUM_CHUNK = /\/assets\/ristretto255-sodium-[\w-]+\.js$/;

/** Every script URL the page and its workers request from now on. */
function scriptsRequested(page: Page): string[] {
  const urls: string[] = [];
  page.on('request', (request) => {
    if (request.resourceType() === 'script' || request.url().endsWith('.js')) urls.push(request.url());
  });
  return urls;
}

test('libsodium loads for a ristretto255 computation only, and computes the right score', async () => {
  const page = await browserTests.newPage();
  const scripts = scriptsRequested(page);
  await openComputation(page, BMI_TITLE);
  await fillBmi(page, { weight: '70', weightUnit: 'kg', height: '175', heightUnit: 'cm' });
  expect((await computeResult(page)).value).toMatch(/^22\.9 kg\/m²$/);
  expect(scripts.filter((url) => LIBSODIUM_CHUNK.test(url))).toEqual([]);

  await openComputation(page, CHA2DS2_VASC_TITLE);
  await fillCha2ds2Vasc(page, { age: 70, sex: 'Female', conditions: ['Hypertension'] });
  expect((await computeResult(page)).value).toBe('3 of 9');
  expect(scripts.filter((url) => LIBSODIUM_CHUNK.test(url)).length).toBeGreaterThan(0);
});

test('the decoder table is stored as public constants, and a new page computes with it', async () => {
  const page = await browserTests.newPage();
  await openComputation(page, CHA2DS2_VASC_TITLE);
  // Built in the worker's idle time and stored along the way.
  const storedEntries = () => storedDecoderEntries(page);
  await expect.poll(storedEntries, { timeout: 30_000, interval: 250 }).toBeGreaterThan(2 ** 16 - 1);

  await page.reload();
  await fillCha2ds2Vasc(page, {
    age: 80,
    sex: 'Male',
    conditions: ['Diabetes mellitus', 'Prior stroke, TIA or thromboembolism'],
  });
  expect((await computeResult(page)).value).toBe('5 of 9');
});
