/**
 * "Fill from a health record" in Chromium: a synthetic FHIR bundle in US units (pounds, inches, mg/dL
 * and mmol/L mixed, with older and preliminary values; shared/fhir/fixtures/us-units.bundle.json)
 * fills Framingham, BMI, CKD-EPI 2021 and PREVENT (two model files) after the patient reviews and
 * confirms it; each computes, and what reaches the service is ciphertexts only. A file that is not
 * JSON is refused with a message and fills nothing.
 */

import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { ageOn, calendarDay } from '../shared/fhir/age.js';
import { isRecord } from '../shared/records.js';
import { expectNoAccessibilityViolations } from './accessibility.js';
import { setUpBrowserTests } from './harness.js';
import { evaluations, expectNoTypedValueSent, recordExchanges } from './outgoing.js';
import { computeResult, field } from './pages.js';

const browserTests = setUpBrowserTests();

const BUNDLE = fileURLToPath(new URL('../shared/fhir/fixtures/us-units.bundle.json', import.meta.url));
const IMPORT = 'Fill from a health record';

/** The fixture's patient is born 1961-07-04; the age is taken on this machine's calendar day, as the page does. */
function expectedAge(): string {
  const age = ageOn('1961-07-04', calendarDay(new Date()));
  if (!('years' in age)) throw new Error('the fixture gives an exact birth date');
  return String(age.years);
}

async function open(page: Page, id: string, title: string): Promise<void> {
  await page.goto(`/computations/${id}`);
  await page.getByRole('heading', { level: 1, name: title }).waitFor();
}

/** Picks the bundle, checks the review lists `rows` (label → shown value), and confirms. */
async function fillFromBundle(page: Page, rows: Readonly<Record<string, string>>): Promise<void> {
  await page.getByLabel(IMPORT).setInputFiles(BUNDLE);
  const review = page.getByRole('region', { name: 'What your health record gives' });
  await review.waitFor();
  for (const [label, shown] of Object.entries(rows)) {
    const box = review.getByRole('checkbox', { name: `${label}: ${shown}`, exact: true });
    expect(await box.isChecked(), `${label}: ${shown}`).toBe(true);
  }
  await expectNoAccessibilityViolations(page);
  // Nothing is filled before the patient confirms.
  for (const label of Object.keys(rows).filter((l) => l !== 'Sex' && !/smoker|Diabetes/.test(l)))
    expect(await field(page, label).inputValue(), label).toBe('');
  await review.getByRole('button', { name: 'Fill the form' }).click();
  await page.getByRole('status').filter({ hasText: 'from the health record' }).waitFor();
}

async function expectQuantity(page: Page, label: string, value: string, unit?: string): Promise<void> {
  expect(await field(page, label).inputValue(), label).toBe(value);
  if (unit) expect(await field(page, `${label} unit`).inputValue(), `${label} unit`).toBe(unit);
}

/** The evaluate request's body is a public key and one ciphertext per input the served entry declares. */
async function expectCiphertextsOnly(body: string | null, id: string): Promise<void> {
  const catalog = (await (await fetch(`${browserTests.baseUrl}/api/v2/computations`)).json()) as {
    computations: { id: string; group: string; inputs: { name: string }[] }[];
  };
  const entry = catalog.computations.find((c) => c.id === id);
  if (!entry) throw new Error(`${id} is not served`);
  const parsed: unknown = JSON.parse(body ?? 'null');
  if (!isRecord(parsed) || !isRecord(parsed.inputs) || !isRecord(parsed.publicKey))
    throw new Error('not a request');
  expect(Object.keys(parsed).sort()).toEqual(['inputs', 'publicKey']);
  expect(Object.keys(parsed.publicKey).sort()).toEqual(['group', 'y']);
  expect(parsed.publicKey.group).toBe(entry.group);
  expect(Object.keys(parsed.inputs).sort()).toEqual(entry.inputs.map((i) => i.name).sort());
  for (const ciphertext of Object.values(parsed.inputs)) {
    expect(isRecord(ciphertext) && Object.keys(ciphertext).sort()).toEqual(['a', 'b']);
    if (!isRecord(ciphertext)) continue;
    for (const part of [ciphertext.a, ciphertext.b]) expect(part).toMatch(/^[A-Za-z0-9_-]{43,}$/);
  }
}

describe('fill from a health record', () => {
  test('a US-units bundle fills Framingham, BMI, CKD-EPI and PREVENT; each computes on ciphertexts only', async () => {
    const context = await browserTests.newContext({ viewport: { width: 375, height: 800 } });
    const exchanges = recordExchanges(context);
    const page = await context.newPage();
    const age = expectedAge();

    await open(page, 'framingham-2008', 'Framingham 10-year cardiovascular risk');
    await fillFromBundle(page, {
      Sex: 'Male',
      Age: `${age} years`,
      'Total cholesterol': '5.4 mmol/L',
      'HDL cholesterol': '48 mg/dL',
      'Systolic blood pressure': '138 mmHg',
      'Current smoker': 'No',
      Diabetes: 'No',
    });
    expect(await page.getByRole('radio', { name: 'Male', exact: true }).isChecked()).toBe(true);
    await expectQuantity(page, 'Age', age);
    await expectQuantity(page, 'Total cholesterol', '5.4', 'mmol/L');
    await expectQuantity(page, 'HDL cholesterol', '48', 'mg/dL');
    await expectQuantity(page, 'Systolic blood pressure', '138');
    expect(await field(page, 'Current smoker').isChecked()).toBe(false);
    // The page does not overflow a 375 px phone with the review and the form.
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
    ).toBeLessThanOrEqual(0);
    expect((await computeResult(page)).value).toMatch(/%/);

    await open(page, 'bmi', 'Body-mass index');
    await fillFromBundle(page, { Weight: '185.0 lb', Height: '70.0 in' });
    await expectQuantity(page, 'Weight', '185', 'lb');
    await expectQuantity(page, 'Height', '70', 'in');
    // 185 lb at 70 in: 83.91 kg / (1.778 m)² = 26.5 kg/m².
    expect((await computeResult(page)).value).toContain('26.5 kg/m²');

    await open(page, 'ckd-epi-2021', 'Kidney function (eGFR, CKD-EPI 2021)');
    await fillFromBundle(page, { Sex: 'Male', Age: `${age} years`, 'Serum creatinine': '1.10 mg/dL' });
    await expectQuantity(page, 'Serum creatinine', '1.1', 'mg/dL');
    expect((await computeResult(page)).value).toMatch(/mL\/min\/1\.73 m²/);

    await open(page, 'prevent-2023', 'PREVENT 10-year cardiovascular risk (AHA)');
    await fillFromBundle(page, {
      Sex: 'Male',
      Age: `${age} years`,
      'Total cholesterol': '5.40 mmol/L',
      'HDL cholesterol': '48 mg/dL',
      'Systolic blood pressure': '138 mmHg',
      'Kidney function (eGFR)': '74 mL/min/1.73 m²',
      Diabetes: 'No',
      'Current smoker': 'No',
    });
    await expectQuantity(page, 'Kidney function (eGFR)', '74');
    await expectQuantity(page, 'Total cholesterol', '5.4', 'mmol/L');
    expect((await computeResult(page)).value).toMatch(/%/);

    for (const id of ['framingham-2008', 'bmi', 'ckd-epi-2021', 'prevent-2023']) {
      const sent = evaluations(exchanges, id);
      expect(sent, id).toHaveLength(1);
      await expectCiphertextsOnly(sent[0]?.requestBody ?? null, id);
    }
    // Neither the values nor the record's own words leave the device.
    expectNoTypedValueSent(exchanges, [
      '5.4',
      '185',
      '1.1',
      '138',
      '1961-07-04',
      'example-patient',
      'Synthetic',
    ]);
  }, 120_000);

  test('a file that is not JSON is refused, naming why, and fills nothing', async () => {
    const page = await browserTests.newPage();
    await open(page, 'bmi', 'Body-mass index');
    await field(page, 'Weight').fill('70');
    await page.getByLabel(IMPORT).setInputFiles({
      name: 'record.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from('%PDF-1.7 not a FHIR bundle'),
    });
    const alert = page.getByRole('alert').filter({ hasText: 'This file cannot fill the form' });
    await alert.waitFor();
    expect(await alert.textContent()).toContain('The file is not JSON');
    await expectNoAccessibilityViolations(page);
    expect(await field(page, 'Weight').inputValue()).toBe('70');
    expect(await field(page, 'Height').inputValue()).toBe('');
  }, 60_000);
});
