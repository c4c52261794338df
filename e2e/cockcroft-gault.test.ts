/**
 * Cockcroft–Gault creatinine clearance in the browser, in every unit the form offers: typed values →
 * encrypted on the device (ffdhe3072) → E(numerator), E(denominator) from the service → decrypted and
 * divided here, compared with the formula of clinical.md computed in the test.
 */

import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { expectNoAccessibilityViolations } from './accessibility.js';
import { setUpBrowserTests } from './harness.js';
import { evaluations, expectNoTypedValueSent, expectOnlyCiphertexts, recordExchanges } from './outgoing.js';
import { computeResult, field, openComputation } from './pages.js';

const browserTests = setUpBrowserTests();

const TITLE = 'Creatinine clearance (Cockcroft–Gault)';
const ID = 'cockcroft-gault';

interface Entry {
  readonly age: string;
  readonly sex: 'Female' | 'Male';
  readonly weight: string;
  readonly weightUnit: 'kg' | 'lb';
  readonly creatinine: string;
  readonly creatinineUnit: 'mg/dL' | 'µmol/L';
}

const KG_PER_LB = 0.45359237;
const UMOL_PER_L_PER_MG_PER_DL = 88.4;

/** clinical.md: (140 − age) · weight[kg] / (72 · creatinine[mg/dL]), × 0.85 for women. */
function clearanceByFormula(entry: Entry): number {
  const kg = Number(entry.weight) * (entry.weightUnit === 'lb' ? KG_PER_LB : 1);
  const mgPerDl =
    Number(entry.creatinine) / (entry.creatinineUnit === 'µmol/L' ? UMOL_PER_L_PER_MG_PER_DL : 1);
  return ((140 - Number(entry.age)) * kg * (entry.sex === 'Female' ? 0.85 : 1)) / (72 * mgPerDl);
}

/** KDIGO bands, lower bounds inclusive, applied to the clearance as shown (90.0 is ≥ 90). */
function band(clearance: number): string {
  if (clearance >= 90) return 'Normal or high (≥ 90 mL/min)';
  if (clearance >= 60) return 'Mildly decreased (60–89 mL/min)';
  if (clearance >= 30) return 'Moderately decreased (30–59 mL/min)';
  if (clearance >= 15) return 'Severely decreased (15–29 mL/min)';
  return 'Kidney failure range (< 15 mL/min)';
}

/** The bound (0.1 mL/min) on top of the display's rounding to 0.1. */
const TOLERANCE = 0.1 + 0.05;

async function fillCockcroftGault(page: Page, entry: Entry): Promise<void> {
  await field(page, 'Age').fill(entry.age);
  await page.getByRole('radio', { name: entry.sex, exact: true }).check();
  await field(page, 'Weight unit').selectOption({ label: entry.weightUnit });
  await field(page, 'Weight').fill(entry.weight);
  await field(page, 'Serum creatinine unit').selectOption({ label: entry.creatinineUnit });
  await field(page, 'Serum creatinine').fill(entry.creatinine);
}

/** "80.0 mL/min" → 80 */
function shownClearance(display: string): number {
  const match = /^(\d+\.\d) mL\/min$/.exec(display);
  if (!match?.[1]) throw new Error(`Not a clearance: “${display}”`);
  return Number(match[1]);
}

describe('Cockcroft–Gault', () => {
  // Both sexes, every unit pair, and a result in each of several bands.
  const entries: readonly Entry[] = [
    { age: '60', sex: 'Male', weight: '72', weightUnit: 'kg', creatinine: '1.00', creatinineUnit: 'mg/dL' },
    // Exactly 90 mL/min: on the boundary, in the upper band.
    { age: '50', sex: 'Male', weight: '72', weightUnit: 'kg', creatinine: '1.00', creatinineUnit: 'mg/dL' },
    {
      age: '45',
      sex: 'Female',
      weight: '154.3',
      weightUnit: 'lb',
      creatinine: '88.4',
      creatinineUnit: 'µmol/L',
    },
    { age: '33', sex: 'Male', weight: '95.5', weightUnit: 'kg', creatinine: '75', creatinineUnit: 'µmol/L' },
    {
      age: '82',
      sex: 'Female',
      weight: '121.7',
      weightUnit: 'lb',
      creatinine: '1.45',
      creatinineUnit: 'mg/dL',
    },
    { age: '91', sex: 'Female', weight: '45', weightUnit: 'kg', creatinine: '3.2', creatinineUnit: 'mg/dL' },
  ];

  test.each(entries)('$sex $age, $weight $weightUnit, $creatinine $creatinineUnit', async (entry) => {
    const page = await browserTests.newPage();
    await openComputation(page, TITLE);
    await fillCockcroftGault(page, entry);
    const expected = clearanceByFormula(entry);
    const shown = await computeResult(page);
    expect(Math.abs(shownClearance(shown.value) - expected)).toBeLessThanOrEqual(TOLERANCE);
    expect(shown.category).toBe(band(shownClearance(shown.value)));
  });

  test('sends only ciphertexts: no typed value, no unit, no sex in the request', async () => {
    const context = await browserTests.newContext();
    const exchanges = recordExchanges(context);
    const page = await context.newPage();
    await openComputation(page, TITLE);
    const entry: Entry = {
      age: '67',
      sex: 'Female',
      weight: '183.9',
      weightUnit: 'lb',
      creatinine: '1.37',
      creatinineUnit: 'mg/dL',
    };
    await fillCockcroftGault(page, entry);
    await computeResult(page);

    const sent = evaluations(exchanges, ID);
    expect(sent).toHaveLength(1);
    expectOnlyCiphertexts(sent[0]?.requestBody ?? null, ID);
    // What was typed, and what it is encoded to on the device (140 − age, 0.1 kg, nmol/L, sex factor).
    expectNoTypedValueSent(exchanges, ['67', '183.9', '1.37', '73', '834', '121108', '85']);
  });

  test('says what to fix for a creatinine outside the unit’s range', async () => {
    const page = await browserTests.newPage();
    await openComputation(page, TITLE);
    await fillCockcroftGault(page, {
      age: '50',
      sex: 'Male',
      weight: '80',
      weightUnit: 'kg',
      creatinine: '2500',
      creatinineUnit: 'µmol/L',
    });
    await page.getByRole('button', { name: 'Compute' }).click();
    const creatinine = field(page, 'Serum creatinine');
    expect(await creatinine.getAttribute('aria-invalid')).toBe('true');
    expect(
      await page.locator(`[id="${await creatinine.getAttribute('aria-describedby')}"]`).textContent(),
    ).toBe('Serum creatinine must be between 10 and 2000 µmol/L.');
    expect(await page.getByTestId('result-value').count()).toBe(0);
    await expectNoAccessibilityViolations(page);
  });
});
