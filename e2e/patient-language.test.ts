/**
 * What a patient reads and does (issue 13, items 4–9): messages that name the problem, plain words on
 * the result and keys pages, one restore message at a time, deletes that can be undone, readings in
 * mmol/L with dates and a graded mean, the BMI's healthy range, and the history exported for a doctor.
 */

import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { openKeysPage } from './custody.js';
import { setUpBrowserTests } from './harness.js';
import { BMI_TITLE, computeResult, field, fillBmi, openComputation } from './pages.js';

const browserTests = setUpBrowserTests();

const FRAMINGHAM_TITLE = 'Framingham 10-year cardiovascular risk';

/** The error shown under a field after Compute was pressed. */
async function errorFor(page: Page, label: string): Promise<string> {
  const described = (await field(page, label).getAttribute('aria-describedby')) ?? '';
  const id = described.split(' ').find((part) => part.endsWith('-error'));
  return id ? ((await page.locator(`[id="${id}"]`).textContent()) ?? '') : '';
}

/** RFC 4180 read back by a maintained parser (not the module's own code): strict quotes, CRLF rows. */
function parseCsv(text: string): string[][] {
  return parse(text, { bom: true, record_delimiter: '\r\n' });
}

/** The keys of the stored history's records (their entry ids), as any script of the origin could read them. */
function storedHistoryIds(page: Page): Promise<string[]> {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('sealed-vitals-history');
        open.onsuccess = () => {
          const keys = open.result.transaction('results').objectStore('results').getAllKeys();
          keys.onsuccess = () => resolve((keys.result as string[]).sort() as never);
          keys.onerror = () => reject(keys.error);
        };
      }),
  );
}

describe('validation names the problem', () => {
  test('not a number, a unit typed along, an exponent, words: each says so', async () => {
    const page = await browserTests.newPage();
    await openComputation(page, BMI_TITLE);
    await field(page, 'Height').fill('175');
    const cases = [
      ['abc', 'Weight must be written in digits (0–9), not in words.'],
      ['seventy', 'Weight must be written in digits (0–9), not in words.'],
      ['70kg', 'Type only the number for weight: the unit (kg) is already next to it.'],
      ['1e2', 'Write weight as a plain number (such as 100, not 1e2).'],
    ] as const;
    for (const [typed, message] of cases) {
      await field(page, 'Weight').fill(typed);
      await page.getByRole('button', { name: 'Compute' }).click();
      await expect.poll(() => errorFor(page, 'Weight')).toBe(message);
    }
    await field(page, 'Weight').fill('');
    await expect.poll(() => errorFor(page, 'Weight')).toBe('Enter weight.');
  });

  test('out of range: the error alone, no fitted-range warning; the likely unit; an implausible pair', async () => {
    const page = await browserTests.newPage();
    await openComputation(page, FRAMINGHAM_TITLE);
    await field(page, 'Age').fill('100');
    await field(page, 'Total cholesterol').fill('5.5');
    await page.getByRole('button', { name: 'Compute' }).click();
    await expect.poll(() => errorFor(page, 'Age')).toBe('Age must be between 20 and 95 years.');
    expect(await page.locator('.field-warning').count()).toBe(0);
    expect(await errorFor(page, 'Total cholesterol')).toBe(
      'Total cholesterol must be between 50 and 600 mg/dL. Did you mean mmol/L? Then choose mmol/L next to the number.',
    );
    // In range but outside the model's: the warning, and no error.
    await field(page, 'Age').fill('80');
    await expect.poll(() => errorFor(page, 'Age')).toBe('');
    await page.locator('.field-warning').first().waitFor();

    await openComputation(page, BMI_TITLE);
    await fillBmi(page, { weight: '40', weightUnit: 'kg', height: '250', heightUnit: 'cm' });
    expect(await page.getByTestId('plausibility').textContent()).toContain('rarely if ever together');
    await field(page, 'Height').fill('160');
    await page.getByTestId('plausibility').waitFor({ state: 'detached' });
  });
});

describe('plain language', () => {
  test('a result explains itself without formulas; the technical sum is under "What left this device"', async () => {
    const page = await browserTests.newPage();
    await openComputation(page, FRAMINGHAM_TITLE);
    expect(await page.locator('.lead').textContent()).not.toContain('keeps its model private');
    await page.getByRole('radio', { name: 'Female', exact: true }).check();
    await field(page, 'Age').fill('61');
    await field(page, 'Total cholesterol').fill('180');
    await field(page, 'HDL cholesterol').fill('47');
    await field(page, 'Systolic blood pressure').fill('124');
    await computeResult(page);
    const explanation = (await page.getByTestId('result-explanation').textContent()) ?? '';
    expect(explanation).not.toContain('Σ');
    expect(explanation).toMatch(/^About \d+ in 100 people/);
    expect(await page.getByTestId('result-service-saw').textContent()).toBe(
      'The service saw only 14 encrypted numbers and your public key, none of what you typed; only this browser could decrypt its answer.',
    );
    expect(await page.getByTestId('transcript-decrypted').textContent()).toMatch(
      /^Linear predictor Σβx = \d+\.\d{4}/,
    );
  });

  test('the BMI comes with the healthy weight range for the height entered', async () => {
    const page = await browserTests.newPage();
    await openComputation(page, BMI_TITLE);
    await fillBmi(page, { weight: '80', weightUnit: 'kg', height: '180', heightUnit: 'cm' });
    await computeResult(page);
    // 18.5 × 1.8² = 59.9, 24.9 × 1.8² = 80.7
    expect(await page.getByTestId('result-explanation').textContent()).toContain(
      'A healthy BMI for adults is 18.5 to 24.9 (WHO); at your height that is 60–81 kg.',
    );
  });

  test('the keys page says what keys are for, without group names or kilobyte counts', async () => {
    const page = await browserTests.newPage();
    await openKeysPage(page);
    await page.getByTestId('device-storage').waitFor();
    const text = (await page.locator('main').textContent()) ?? '';
    for (const jargon of ['ffdhe3072', 'ristretto255', 'SHA-256', 'hex digits', ' kB'])
      expect(text).not.toContain(jargon);
    expect(text).toContain('For calculators that multiply: Body-mass index');
    expect(await page.getByTestId('storage-usage').textContent()).toMatch(/ MB|GB/);
  });

  test('restore: after a bad file, a new file and no passphrase give one message, about the passphrase', async () => {
    const page = await browserTests.newPage();
    await openKeysPage(page);
    const section = page.getByRole('region', { name: 'Restore from a backup' });
    const choose = (text: string) =>
      section.getByLabel('Backup file').setInputFiles({
        name: 'backup.json',
        mimeType: 'application/json',
        buffer: Buffer.from(text, 'utf8'),
      });
    await choose('{"name":"sealed-vitals"}');
    await section.getByLabel('Backup passphrase').fill('anything at all');
    await section.getByRole('button', { name: 'Restore' }).click();
    await section.getByRole('alert').filter({ hasText: 'not a Sealed Vitals backup' }).waitFor();

    await choose('{"another":"file"}');
    expect(await section.getByRole('alert').count()).toBe(0);
    await section.getByLabel('Backup passphrase').fill('');
    await section.getByRole('button', { name: 'Restore' }).click();
    await section.getByRole('alert').waitFor();
    expect(await section.getByRole('alert').allTextContents()).toEqual(['Type the backup’s passphrase.']);
  });
});

describe('readings', () => {
  test('glucose in mmol/L with one decimal, a date per reading, the mean graded; every bad reading named', async () => {
    const page = await browserTests.newPage();
    await openComputation(page, 'Readings summary');
    await page.getByRole('radio', { name: 'Blood glucose (mmol/L)', exact: true }).check();
    await field(page, 'Date of the last reading').fill('2026-03-03');
    await field(page, 'Reading 1').fill('x');
    await page.getByRole('button', { name: 'Add a reading' }).click();
    await field(page, 'Reading 2').fill('0.4');
    await page.getByRole('button', { name: 'Add a reading' }).click();
    await field(page, 'Reading 3').fill('6.1');
    await page.getByRole('button', { name: 'Compute' }).click();
    await expect
      .poll(() =>
        page
          .locator('[aria-invalid="true"][name^="readings-"]')
          .evaluateAll((inputs) => inputs.map((i) => i.id)),
      )
      .toHaveLength(2);
    expect(await page.locator('.field-series .field-error').textContent()).toBe(
      'Readings 1 and 2 must be numbers with at most one decimal from 1.1 to 33.3 mmol/L.',
    );
    // Each reading shows its day: one a day, the last on the date given.
    const day = new Intl.DateTimeFormat('en-US', { weekday: 'short', day: 'numeric', month: 'short' });
    expect(await page.locator('.reading-day').allTextContents()).toEqual(
      [1, 2, 3].map((d) => day.format(new Date(2026, 2, d))),
    );

    await field(page, 'Reading 1').fill('5.4');
    await field(page, 'Reading 2').fill('5,9');
    const result = await computeResult(page);
    expect(result.value).toBe('5.8 mmol/L');
    expect(result.category).toBe('Prediabetes range if fasting (5.6–6.9 mmol/L)');
    expect(await page.getByTestId('result-explanation').textContent()).toContain(
      'ADA Standards of Care 2024',
    );
  });

  test('a systolic mean of 129.7 mmHg is called elevated', async () => {
    const page = await browserTests.newPage();
    await openComputation(page, 'Readings summary');
    await page.getByRole('radio', { name: 'Systolic blood pressure (mmHg)', exact: true }).check();
    const readings = ['128', '131', '130'];
    await field(page, 'Reading 1').fill(readings[0] ?? '');
    for (const [index, reading] of readings.slice(1).entries()) {
      await page.getByRole('button', { name: 'Add a reading' }).click();
      await field(page, `Reading ${index + 2}`).fill(reading);
    }
    const result = await computeResult(page);
    expect(result).toEqual({ value: '129.7 mmHg', category: 'Elevated (120–129 mmHg)' });
  });
});

describe('history for a doctor', () => {
  test('a delete can be undone; the entry comes back as it was', async () => {
    const page = await browserTests.newPage();
    await openComputation(page, BMI_TITLE);
    await fillBmi(page, { weight: '70', weightUnit: 'kg', height: '175', heightUnit: 'cm' });
    const { value } = await computeResult(page);
    await page.goto('/history');
    await page.getByTestId('history-entry').waitFor();
    const before = await storedHistoryIds(page);

    await page.getByRole('button', { name: /^Delete the result of/ }).click();
    await page.getByTestId('history-empty').waitFor();
    const undo = page.getByRole('button', { name: 'Undo' });
    expect(await undo.evaluate((element) => element === document.activeElement)).toBe(true);
    await undo.click();
    await page.getByTestId('history-entry').waitFor();
    expect(await page.getByTestId('history-value').allTextContents()).toEqual([value]);
    expect(await storedHistoryIds(page)).toEqual(before);
  });

  test('the CSV parses back to the history; the printable summary renders with every result', async () => {
    const page = await browserTests.newPage();
    await openComputation(page, BMI_TITLE);
    for (const weight of ['70', '71.5']) {
      await fillBmi(page, { weight, weightUnit: 'kg', height: '175', heightUnit: 'cm' });
      await computeResult(page);
    }
    await page.goto('/history');
    await page.getByTestId('history-entry').nth(1).waitFor();
    const ids = await storedHistoryIds(page);
    const shown = await page.getByTestId('history-value').allTextContents();
    // Two results of one day: the chart's axis tells them apart by time, not by the same date twice.
    expect(await page.getByTestId('history-summary').textContent()).toMatch(
      /^2 results on [^:]+, .+ to .+: /,
    );

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download as CSV' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^sealed-vitals-history-\d{4}-\d\d-\d\d\.csv$/);
    const [header, ...rows] = parseCsv(await readFile((await file.path()) ?? '', 'utf8'));
    expect(header?.[0]).toBe('Computed at (UTC)');
    // Oldest first, as the history lists them newest first; every entry once, by its id.
    expect(rows.map((row) => [row[2], row[3], row[5]])).toEqual(
      [...shown].reverse().map((display) => ['bmi', '1', display]),
    );
    expect(rows.map((row) => row[8]).sort()).toEqual(ids);
    expect(rows.every((row) => !Number.isNaN(Date.parse(row[0] ?? '')))).toBe(true);
    expect(rows.map((row) => row[4])).toEqual([
      'Weight 70 kg; Height 175 cm',
      'Weight 71.5 kg; Height 175 cm',
    ]);

    const summary = page.getByTestId('print-summary');
    expect(await summary.isVisible()).toBe(false);
    await page.emulateMedia({ media: 'print' });
    expect(await summary.isVisible()).toBe(true);
    expect(await page.getByRole('navigation', { name: 'Main' }).isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Download as CSV' }).isVisible()).toBe(false);
    const printed = (await summary.textContent()) ?? '';
    for (const display of shown) expect(printed).toContain(display);
    expect(printed).toContain('Body-mass index, version 1');
    const shot = await summary.screenshot({ path: '/tmp/sealed-vitals-print-summary.png' });
    expect(shot.length).toBeGreaterThan(1000);
  });
});
