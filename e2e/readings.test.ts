/**
 * Readings summary in the browser: a series typed into the list editor → 93 ciphertexts (every one
 * of the 31 slots, empty ones as E(0)) → E(Σx), E(Σx²) in two halves from the service → count, mean
 * and standard deviation shown, with a chart drawn from the readings that stayed on the page.
 */

import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { expectNoAccessibilityViolations } from './accessibility.js';
import { setUpBrowserTests } from './harness.js';
import { evaluations, expectNoTypedValueSent, expectOnlyCiphertexts, recordExchanges } from './outgoing.js';
import { field, openComputation, readResult } from './pages.js';

const browserTests = setUpBrowserTests();

const TITLE = 'Readings summary';
const ID = 'readings-summary';
const MAX_READINGS = 31;

interface Series {
  /** The measure's radio label. */
  readonly measure: string;
  readonly unit: string;
  readonly readings: readonly number[];
}

/** Mean and sample standard deviation (n − 1), two-pass in double precision. */
function summaryByFormula(readings: readonly number[]): { mean: number; sd: number | undefined } {
  const mean = readings.reduce((sum, x) => sum + x, 0) / readings.length;
  if (readings.length < 2) return { mean, sd: undefined };
  const squares = readings.reduce((sum, x) => sum + (x - mean) ** 2, 0);
  return { mean, sd: Math.sqrt(squares / (readings.length - 1)) };
}

/** Waits until the labelled reading has the focus (typing then goes into it). */
async function expectFocused(page: Page, label: string): Promise<void> {
  await expect
    .poll(() => field(page, label).evaluate((input) => input === document.activeElement))
    .toBe(true);
}

/**
 * Picks the measure, then types each reading; "Add a reading" must move the focus to the new
 * reading, since the keyboard types into whatever has it.
 */
async function fillReadings(page: Page, series: Series): Promise<void> {
  await page.getByRole('radio', { name: series.measure, exact: true }).check();
  const [first, ...rest] = series.readings;
  await field(page, 'Reading 1').fill(String(first));
  for (const [index, reading] of rest.entries()) {
    await page.getByRole('button', { name: 'Add a reading' }).click();
    await expectFocused(page, `Reading ${index + 2}`);
    await page.keyboard.type(String(reading));
  }
}

/** The number in a shown "123.4 mg/dL", in that unit. */
function shownNumber(text: string, unit: string, label: string): number {
  const match = new RegExp(`${label}(-?[\\d.,]+)${unit ? ` ${unit.replace('/', '\\/')}` : ''}`).exec(text);
  if (!match?.[1]) throw new Error(`No ${label || 'value'} in ${unit} in “${text}”`);
  return Number(match[1].replaceAll(',', ''));
}

/** Half a unit of the shown precision: steps are shown whole, the other measures to 0.1. */
function displayRounding(unit: string): number {
  return unit === 'steps/day' ? 0.5 : 0.05;
}

describe('readings summary', () => {
  const seriesList: readonly Series[] = [
    { measure: 'Blood glucose (mg/dL)', unit: 'mg/dL', readings: [110, 131, 98, 142, 120] },
    {
      measure: 'Systolic blood pressure (mmHg)',
      unit: 'mmHg',
      readings: [128, 135, 121, 140, 133, 126, 131],
    },
    { measure: 'Resting heart rate (beats/min)', unit: 'beats/min', readings: [64] },
    {
      // The largest sums the form allows: 31 days at the top of the steps range, but one.
      measure: 'Steps (steps/day)',
      unit: 'steps/day',
      readings: [...Array.from({ length: MAX_READINGS - 1 }, () => 100_000), 12_345],
    },
  ];

  test.each(seriesList)('$measure, $readings.length readings', async (series) => {
    const page = await browserTests.newPage();
    // The service sends a strict CSP (style-src 'self'): an inline style in the chart would be refused.
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await openComputation(page, TITLE);
    await fillReadings(page, series);
    await page.getByRole('button', { name: 'Compute' }).click();
    const shown = await readResult(page);
    const expected = summaryByFormula(series.readings);
    const n = series.readings.length;

    expect(Math.abs(shownNumber(shown.value, series.unit, '') - expected.mean)).toBeLessThanOrEqual(
      displayRounding(series.unit) + 1e-9,
    );
    const explanation = (await page.getByTestId('result-explanation').textContent()) ?? '';
    expect(explanation).toContain(`The average of ${n} `);
    if (expected.sd === undefined) {
      expect(explanation).toContain('With one reading there is no spread to show yet.');
    } else {
      const shownSd = shownNumber(explanation, '', '\\(standard deviation ');
      expect(Math.abs(shownSd - expected.sd)).toBeLessThanOrEqual(displayRounding(series.unit) + 1e-9);
    }

    // The chart: one point per reading, in order, from the page's own values.
    const chart = page.getByRole('img', { name: new RegExp(`${n} readings? in`) });
    expect(await chart.locator('circle').count()).toBe(n);
    expect(await chart.locator('desc').textContent()).toContain(
      `In order: ${series.readings.map((x) => x.toLocaleString('en')).join(', ')}.`,
    );
    expect(problems).toEqual([]);
    await expectNoAccessibilityViolations(page);
  });

  test('the list editor adds, removes and renumbers readings, up to 31', async () => {
    const page = await browserTests.newPage();
    await openComputation(page, TITLE);
    await fillReadings(page, {
      measure: 'Resting heart rate (beats/min)',
      unit: 'beats/min',
      readings: [61, 62, 63],
    });
    await page.getByRole('button', { name: 'Remove reading 2' }).click();
    expect(await field(page, 'Reading 1').inputValue()).toBe('61');
    expect(await field(page, 'Reading 2').inputValue()).toBe('63');
    expect(await field(page, 'Reading 3').count()).toBe(0);
    // Focus goes to the reading that took the removed one's place.
    await expectFocused(page, 'Reading 2');

    const add = page.getByRole('button', { name: 'Add a reading' });
    for (let i = 3; i <= MAX_READINGS; i++) await add.click();
    expect(await field(page, `Reading ${MAX_READINGS}`).count()).toBe(1);
    expect(await add.isDisabled()).toBe(true);
    expect(await page.getByText(`${MAX_READINGS} of ${MAX_READINGS} readings`).count()).toBe(1);
  });

  test('works from the keyboard alone', async () => {
    const page = await browserTests.newPage();
    await openComputation(page, TITLE);
    await page.getByRole('radio', { name: 'Blood glucose (mg/dL)' }).focus();
    await page.keyboard.press('ArrowDown'); // glucose in mmol/L
    await page.keyboard.press('ArrowDown'); // systolic blood pressure
    // Past the first reading's date (its day, month and year are each a stop) to reading 1.
    for (let presses = 0; presses < 6; presses++) {
      await page.keyboard.press('Tab');
      if (await field(page, 'Reading 1').evaluate((input) => input === document.activeElement)) break;
    }
    await expectFocused(page, 'Reading 1');
    await page.keyboard.type('131');
    await page.keyboard.press('Tab'); // "Add a reading" (a lone reading has no Remove)
    await page.keyboard.press('Enter');
    await expectFocused(page, 'Reading 2');
    await page.keyboard.type('119');
    await page.keyboard.press('Enter'); // submits the form
    const expected = summaryByFormula([131, 119]);
    expect(await readResult(page)).toEqual({
      value: `${expected.mean.toFixed(1)} mmHg`,
      category: 'Elevated (120–129 mmHg)',
    });
  });

  test('names the wrong reading, focuses it, and sends nothing', async () => {
    const page = await browserTests.newPage();
    const posts: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST') posts.push(request.url());
    });
    await openComputation(page, TITLE);
    await fillReadings(page, {
      measure: 'Systolic blood pressure (mmHg)',
      unit: 'mmHg',
      readings: [110, 98.5, 120],
    });
    await page.getByRole('button', { name: 'Compute' }).click();

    const second = field(page, 'Reading 2');
    expect(await second.getAttribute('aria-invalid')).toBe('true');
    expect(await field(page, 'Reading 1').getAttribute('aria-invalid')).toBeNull();
    const errorId = (await second.getAttribute('aria-describedby'))
      ?.split(' ')
      .find((id) => id.endsWith('-error'));
    expect(await page.locator(`[id="${errorId}"]`).textContent()).toBe(
      'Reading 2 must be a number from 60 to 260 mmHg (whole numbers).',
    );
    await expectFocused(page, 'Reading 2');
    expect(posts).toEqual([]);
    await expectNoAccessibilityViolations(page);

    // A thousands separator is not read as a decimal point: "10,000" steps is not 10.
    await page.getByRole('radio', { name: 'Steps (steps/day)' }).check();
    await second.fill('10,000');
    expect(await page.getByRole('group', { name: /^Readings/ }).textContent()).toContain(
      'Reading 2 must be a number from 0 to 100000 steps/day (whole numbers).',
    );

    // The bounds follow the measure: 980 is a fine step count, but not a heart rate (25–220).
    await second.fill('980');
    expect(await second.getAttribute('aria-invalid')).toBeNull();
    await page.getByRole('radio', { name: 'Resting heart rate (beats/min)' }).check();
    expect(await page.getByRole('group', { name: /^Readings/ }).textContent()).toContain(
      'Reading 2 must be a number from 25 to 220 beats/min (whole numbers).',
    );
  });

  test('sends only ciphertexts, the same number whatever the count, and no reading or measure', async () => {
    const context = await browserTests.newContext();
    const exchanges = recordExchanges(context);
    const page = await context.newPage();
    await openComputation(page, TITLE);
    const readings = [187, 203, 176, 214];
    await fillReadings(page, { measure: 'Blood glucose (mg/dL)', unit: 'mg/dL', readings });
    await page.getByRole('button', { name: 'Compute' }).click();
    await readResult(page);
    await page.getByRole('button', { name: 'Remove reading 4' }).click();
    await page.getByRole('button', { name: 'Remove reading 3' }).click();
    await page.getByRole('button', { name: 'Remove reading 2' }).click();
    await page.getByRole('button', { name: 'Compute' }).click();
    await expect
      .poll(() => page.getByTestId('result-explanation').textContent())
      .toContain('The average of 1 ');

    const sent = evaluations(exchanges, ID);
    expect(sent).toHaveLength(2);
    for (const exchange of sent) expectOnlyCiphertexts(exchange.requestBody, ID);
    // Four readings or one: the same 93 ciphertexts, the same size.
    expect(sent[0]?.requestBody?.length).toBe(sent[1]?.requestBody?.length);
    // Glucose travels in tenths of mg/dL: neither the readings nor their encodings are in the clear.
    const tenths = readings.map((x) => x * 10);
    const squares = [...readings, ...tenths].map((x) => x * x);
    expectNoTypedValueSent(exchanges, [...readings, ...tenths, ...squares].map(String));
    for (const exchange of exchanges) {
      expect(exchange.requestBody ?? '').not.toMatch(/glucose|mg\/dL/i);
    }
  });
});
