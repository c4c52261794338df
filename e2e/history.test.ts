/**
 * The on-device history: every result kept with its inputs as entered, one chart per computation
 * over time, entries deleted one by one or all at once (after confirming), and nothing of it sent.
 */

import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { backdateHistory } from './custody.js';
import { setUpBrowserTests } from './harness.js';
import { recordExchanges } from './outgoing.js';
import {
  BMI_TITLE,
  CHA2DS2_VASC_TITLE,
  computeResult,
  fillBmi,
  fillCha2ds2Vasc,
  openComputation,
} from './pages.js';

const browserTests = setUpBrowserTests();

async function computeBmi(page: Page, weight: string, height: string) {
  await openComputation(page, BMI_TITLE);
  await fillBmi(page, { weight, weightUnit: 'kg', height, heightUnit: 'cm' });
  return computeResult(page);
}

async function openHistory(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'History' }).click();
  await page.getByRole('heading', { level: 1, name: 'Your history' }).waitFor();
}

/** Moves the stored results back in time (oldest first), as if computed months apart. */
const backdate = backdateHistory;

describe('history', () => {
  test('a result this device cannot keep is still shown, and the page says it was not kept', async () => {
    const page = await browserTests.newPage();
    // Storage that refuses the write: the history's database without its store (as a broken profile),
    // made from a page of the site that does not run the app (which would hold the database open).
    await page.goto('/manifest.webmanifest');
    await page.evaluate(async () => {
      const name = 'sealed-vitals-history';
      const existing = (await indexedDB.databases()).find((db) => db.name === name);
      await new Promise<void>((resolve, reject) => {
        const request = indexedDB.open(name, (existing?.version ?? 0) + 1);
        request.onupgradeneeded = () => {
          if (request.result.objectStoreNames.contains('results'))
            request.result.deleteObjectStore('results');
        };
        request.onsuccess = () => {
          request.result.close();
          resolve();
        };
        request.onerror = () => reject(request.error);
        request.onblocked = () => reject(new Error('the history database is open elsewhere'));
      });
    });
    await openComputation(page, BMI_TITLE);
    await fillBmi(page, { weight: '92.4', weightUnit: 'kg', height: '181', heightUnit: 'cm' });
    const result = await computeResult(page);
    expect(result.value).toBe('28.2 kg/m²');
    expect(await page.getByTestId('not-kept').textContent()).toContain('not kept in your history');

    await openHistory(page);
    expect(await page.getByTestId('history-entry').count()).toBe(0);
  });

  test('keeps every result with its inputs as entered, charted per computation over time', async () => {
    const page = await browserTests.newPage();
    await page.goto('/history');
    await page.getByTestId('history-empty').waitFor();

    const results = [
      await computeBmi(page, '92.4', '181'),
      await computeBmi(page, '88,1', '181'),
      await computeBmi(page, '85.0', '181'),
    ];
    await openComputation(page, CHA2DS2_VASC_TITLE);
    await fillCha2ds2Vasc(page, { age: 72, sex: 'Female', conditions: ['Hypertension'] });
    const risk = await computeResult(page);
    await backdate(page, [
      '2026-01-10T09:00:00.000Z',
      '2026-04-10T09:00:00.000Z',
      '2026-07-10T09:00:00.000Z',
      '2026-07-11T09:00:00.000Z',
    ]);
    await openHistory(page);

    const bmi = page.getByRole('region', { name: BMI_TITLE, exact: true });
    const rows = bmi.getByTestId('history-entry');
    await rows.first().waitFor();
    // Newest first, each with what was typed (a decimal comma read as a point) and the result.
    expect(await rows.getByTestId('history-value').allTextContents()).toEqual(
      results.map((result) => result.value).reverse(),
    );
    expect(await rows.nth(1).textContent()).toContain('Weight 88.1 kg; Height 181 cm');
    expect(await rows.nth(1).locator('time').getAttribute('datetime')).toBe('2026-04-10T09:00:00.000Z');

    // The chart: one point per result, left to right in time, spaced by time (Jan, Apr, Jul).
    const chart = bmi.getByTestId('history-chart');
    expect(await chart.getAttribute('role')).toBe('img');
    const points = await chart
      .locator('circle')
      .evaluateAll((circles) => circles.map((circle) => Number(circle.getAttribute('cx'))));
    expect(points).toHaveLength(3);
    const [jan = 0, apr = 0, jul = 0] = points;
    expect(apr - jan).toBeCloseTo(jul - apr, -1);
    expect(jan).toBeLessThan(apr);
    const values = results.map((result) => result.value);
    expect(await bmi.getByTestId('history-summary').textContent()).toBe(
      `3 results from Jan 10, 2026 to Jul 10, 2026: lowest ${values[2]}, highest ${values[0]}, latest ${values[2]}.`,
    );
    // The chart's accessible name is its title and that summary.
    expect(await chart.evaluate((svg) => svg.getAttribute('aria-labelledby')?.split(' ').length)).toBe(2);

    const stroke = page.getByRole('region', { name: CHA2DS2_VASC_TITLE, exact: true });
    expect(await stroke.getByTestId('history-value').allTextContents()).toEqual([risk.value]);
    expect(await stroke.getByTestId('history-entry').textContent()).toContain(
      'Age 72 years; Sex: Female; Hypertension',
    );
  });

  test('entries are deleted one by one or all at once after confirming, and nothing is sent', async () => {
    const context = await browserTests.newContext();
    const page = await context.newPage();
    const first = await computeBmi(page, '70', '175');
    const second = await computeBmi(page, '71', '175');
    await openHistory(page);
    await page.getByTestId('history-entry').nth(1).waitFor();
    const exchanges = recordExchanges(context);

    const row = page.getByTestId('history-entry').filter({ hasText: second.value });
    await row.getByRole('button', { name: /^Delete the result of/ }).click();
    await row.waitFor({ state: 'detached' });
    expect(await page.getByTestId('history-value').allTextContents()).toEqual([first.value]);

    const deleteAll = page.getByRole('button', { name: 'Delete all history' });
    await deleteAll.click();
    const dialog = page.getByRole('dialog', { name: 'Delete all history?' });
    expect(await dialog.textContent()).toContain(
      '1 result and the values you entered for them will be deleted',
    );
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await page.getByTestId('history-entry').count()).toBe(1);

    await deleteAll.click();
    await dialog.getByRole('button', { name: 'Delete all history' }).click();
    await page.getByTestId('history-empty').waitFor();
    await page.reload();
    await page.getByTestId('history-empty').waitFor();
    // Reading and deleting history talks to no one: the reload fetched only the app itself, the public
    // catalog of computations the navigation lists and the transparency log's checkpoint and proofs
    // for it (the same for every patient).
    expect(
      exchanges
        .map((exchange) => new URL(exchange.url).pathname)
        .filter(
          (path) =>
            path.startsWith('/api/') && path !== '/api/v2/computations' && !path.startsWith('/api/v2/log/'),
        ),
    ).toEqual([]);
    expect(exchanges.filter((exchange) => exchange.method !== 'GET')).toEqual([]);
  });
});
