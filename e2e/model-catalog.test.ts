/**
 * A model written only for this test, dropped into a temporary MODELS_DIR, is served, verified (v2)
 * and used in Chromium from the catalog to the result, with no rebuild of the app: the app builds its
 * form, encoding and result from the service's catalog entry alone, and pins it on first use. The
 * web bundle holds no private weight and no ρ.
 */

import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bytesToHex, numberToBytesLE } from '@noble/curves/utils.js';
import { describe, expect, test } from 'vitest';
import { DEFAULT_MODELS_DIR } from '../server/served-catalog.js';
import { ristretto255Group } from '../shared/groups/ristretto255.js';
import { randomBelow } from '../shared/random.js';
import { setUpBrowserTests } from './harness.js';
import { computeResult, field } from './pages.js';

const STATIC_DIR = process.env.E2E_STATIC_DIR ?? fileURLToPath(new URL('../dist/web', import.meta.url));

/** A private logistic model with a stratum, as an operator would write it from docs/MODELS.md. */
const TEST_MODEL = {
  format: 'sealed-vitals-model/1',
  id: 'test-fracture-risk',
  version: 1,
  title: 'Test fracture risk',
  description: 'A model written only for this test: it exists in no build of the app.',
  citation: 'Sealed Vitals test suite (invented coefficients; not a clinical model).',
  private: true,
  fields: [
    {
      kind: 'choice',
      name: 'sex',
      label: 'Sex',
      options: [
        { value: 'female', label: 'Female' },
        { value: 'male', label: 'Male' },
      ],
    },
    {
      kind: 'number',
      name: 'age',
      label: 'Age',
      units: [{ id: 'years', label: 'years', min: 40, max: 90, step: 1 }],
    },
    {
      kind: 'number',
      name: 'weight',
      label: 'Weight',
      units: [
        { id: 'kg', label: 'kg', min: 30, max: 200, step: 0.1 },
        { id: 'lb', label: 'lb', min: 66.2, max: 440.9, step: 0.1, toBase: 0.45359237 },
      ],
    },
    { kind: 'boolean', name: 'priorFracture', label: 'Earlier fracture' },
  ],
  strata: { field: 'sex', interceptPerStratum: true },
  features: [
    { name: 'ageOver50', label: 'years over 50', from: { max: [{ centre: [{ value: 'age' }, 50] }, 0] } },
    { name: 'lnWeight', label: 'ln weight (kg)', from: { ln: { value: 'weight' } } },
    { name: 'priorFracture', label: 'earlier fracture', from: { value: 'priorFracture' } },
  ],
  precision: { features: 3, weights: 4 },
  link: { kind: 'logistic' },
  display: { template: '{value} %', decimals: 1, scale: 100 },
  grades: [
    { below: 10, category: 'Test: lower', severity: 'normal' },
    { category: 'Test: higher', severity: 'warning' },
  ],
  explanation: 'About {per100} in 100, by a model invented for a test.',
};
const WEIGHTS = {
  female: { ageOver50: 0.061, lnWeight: -0.83, priorFracture: 0.74 },
  male: { ageOver50: 0.052, lnWeight: -0.61, priorFracture: 0.69 },
};
const INTERCEPTS = { female: 0.42, male: -0.35 };
const RHO = bytesToHex(numberToBytesLE(randomBelow(ristretto255Group.order), 32));

function expectedPercent(sex: 'female' | 'male', age: number, kg: number, prior: boolean): number {
  const w = WEIGHTS[sex];
  const x =
    INTERCEPTS[sex] +
    w.ageOver50 * Math.max(age - 50, 0) +
    w.lnWeight * Math.log(kg) +
    (prior ? w.priorFracture : 0);
  return 100 / (1 + Math.exp(-x));
}

const modelsDir = mkdtempSync(join(tmpdir(), 'models-'));
for (const name of readdirSync(DEFAULT_MODELS_DIR).filter((n) => n.endsWith('.json')))
  copyFileSync(join(DEFAULT_MODELS_DIR, name), join(modelsDir, name));
writeFileSync(join(modelsDir, 'test-fracture-risk.model.json'), JSON.stringify(TEST_MODEL));
writeFileSync(
  join(modelsDir, 'test-fracture-risk.private.json'),
  JSON.stringify({ id: TEST_MODEL.id, version: 1, weights: WEIGHTS, intercept: INTERCEPTS, rho: RHO }),
);
const browserTests = setUpBrowserTests({ modelsDir });

describe('a model that exists only in MODELS_DIR', () => {
  test('is found in the catalog, filled in, computed, verified and explained', async () => {
    const context = await browserTests.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const proofs: boolean[] = [];
    page.on('response', async (response) => {
      if (response.url().includes('/api/v2/computations/test-fracture-risk/evaluate'))
        proofs.push('proof' in ((await response.json()) as object));
    });
    await page.goto('/');
    await page.getByLabel('Search the calculators').fill('fracture');
    const card = page.locator('.catalog-card', { hasText: 'Test fracture risk' });
    await card.waitFor();
    expect(await page.locator('.catalog-card').count()).toBe(1);
    expect(await card.textContent()).toContain('The service keeps this model private');
    expect(await card.textContent()).toContain('Needs: Sex, Age, Weight, Earlier fracture');
    if (process.env.SCREENSHOT_DIR)
      await page.screenshot({ path: `${process.env.SCREENSHOT_DIR}/catalog-1280.png` });

    await card.getByRole('link', { name: 'Test fracture risk' }).click();
    await page.getByRole('heading', { level: 1, name: 'Test fracture risk' }).waitFor();
    await page.getByRole('radio', { name: 'Female', exact: true }).check();
    await field(page, 'Age').fill('72');
    await field(page, 'Weight').fill('154');
    await field(page, 'Weight unit').selectOption('lb');
    await field(page, 'Earlier fracture').check();
    const result = await computeResult(page);
    const expected = expectedPercent('female', 72, 154 * 0.45359237, true);
    expect(result.value).toContain(`${expected.toFixed(1)} %`);
    expect(result.category).toBe(expected < 10 ? 'Test: lower' : 'Test: higher');
    expect(proofs).toEqual([true]);
    if (process.env.SCREENSHOT_DIR)
      await page.screenshot({ path: `${process.env.SCREENSHOT_DIR}/result-1280.png`, fullPage: true });
  }, 90_000);

  test('lays out on a phone', async () => {
    const context = await browserTests.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto('/');
    await page.locator('.catalog-card', { hasText: 'Test fracture risk' }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    if (process.env.SCREENSHOT_DIR)
      await page.screenshot({ path: `${process.env.SCREENSHOT_DIR}/catalog-390.png`, fullPage: true });
    await page.goto('/computations/ckd-epi-2021');
    await page.getByRole('heading', { level: 1, name: 'Kidney function (eGFR, CKD-EPI 2021)' }).waitFor();
    await page.getByRole('radio', { name: 'Male', exact: true }).check();
    await field(page, 'Age').fill('50');
    await field(page, 'Serum creatinine').fill('1');
    const result = await computeResult(page);
    expect(result.value).toContain('92 mL/min/1.73 m²');
    if (process.env.SCREENSHOT_DIR)
      await page.screenshot({ path: `${process.env.SCREENSHOT_DIR}/result-390.png`, fullPage: true });
  }, 90_000);
});

// preventr's documented example of the PREVENT base equations (README.md; tests/testthat/test-estimate_risk.R):
// 0.147 for this woman. A built-in model of 40 inputs, typed, encrypted, verified and decoded in the browser.
test('the built-in PREVENT model gives its documented example in Chromium', async () => {
  const context = await browserTests.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto('/computations/prevent-2023');
  await page.getByRole('heading', { level: 1, name: 'PREVENT 10-year cardiovascular risk (AHA)' }).waitFor();
  await page.getByRole('radio', { name: 'Female', exact: true }).check();
  await field(page, 'Age').fill('50');
  await field(page, 'Total cholesterol').fill('200');
  await field(page, 'HDL cholesterol').fill('45');
  await field(page, 'Systolic blood pressure').fill('160');
  await field(page, 'Kidney function (eGFR)').fill('90');
  await field(page, 'Diabetes').check();
  await field(page, 'On blood-pressure medication').check();
  const result = await computeResult(page);
  expect(result.value).toContain('14.7 %');
  expect(result.category).toBe('Intermediate (7.5–20 %)');
}, 90_000);

test('the web bundle holds no private weight and no ρ', () => {
  const files = readdirSync(join(STATIC_DIR, 'assets')).map((name) => join(STATIC_DIR, 'assets', name));
  const bundle = files.map((file) => readFileSync(file, 'latin1')).join('\n');
  const secret = JSON.parse(readFileSync(join(DEFAULT_MODELS_DIR, 'framingham-2008.private.json'), 'utf8'));
  expect(bundle.includes(secret.rho)).toBe(false);
  const weights = Object.values(secret.weights as Record<string, Record<string, number>>).flatMap((w) =>
    Object.values(w),
  );
  // Minified, 0.93263 may be written .93263: the digits after the point are searched.
  const digits = (x: number) => String(Math.abs(x)).replace(/^0/, '');
  for (const weight of weights) expect(bundle.includes(digits(weight)), String(weight)).toBe(false);
  // The positive control: the public part of the same model (its baseline survival) is in the bundle.
  expect(bundle.includes(digits(0.88936))).toBe(true);
});
