/**
 * A result belongs to the values that made it (issue 13, items 1, 2, 9 and 10): an edit marks it out of
 * date at once, Compute brings the new one into view on a phone and announces it, the form comes back
 * after a reload, and with the service gone a banner says so and the transcript says nothing was sent.
 */

import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { setUpBrowserTests } from './harness.js';
import { BMI_TITLE, computeResult, field, fillBmi, openComputation } from './pages.js';

const browserTests = setUpBrowserTests();

const PHONE = { width: 390, height: 844 };
const FRAMINGHAM_TITLE = 'Framingham 10-year cardiovascular risk';

async function fillFramingham(page: Page, age: string, totalCholesterol: string, hdl: string): Promise<void> {
  await page.getByRole('radio', { name: 'Male', exact: true }).check();
  await field(page, 'Age').fill(age);
  await field(page, 'Total cholesterol').fill(totalCholesterol);
  await field(page, 'HDL cholesterol').fill(hdl);
  await field(page, 'Systolic blood pressure').fill('120');
}

/** Whether the element's box lies wholly inside the viewport. */
async function inViewport(page: Page, testId: string): Promise<boolean> {
  return page.getByTestId(testId).evaluate((element) => {
    const box = element.getBoundingClientRect();
    return box.top >= 0 && box.bottom <= window.innerHeight && box.height > 0;
  });
}

/** The form's record kept for a computation, read from IndexedDB as any script of the origin could. */
function rememberedForm(page: Page, computationId: string): Promise<unknown> {
  return page.evaluate(
    (id) =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('sealed-vitals-forms');
        open.onsuccess = () => {
          const read = open.result.transaction('drafts').objectStore('drafts').get(id);
          read.onsuccess = () => resolve(read.result);
          read.onerror = () => reject(read.error);
        };
        open.onerror = () => reject(open.error);
      }),
    computationId,
  );
}

describe('a result and the values that made it', () => {
  test('an edit marks the result out of date at once; Compute makes a new, current one', async () => {
    const page = await browserTests.newPage();
    await openComputation(page, FRAMINGHAM_TITLE);
    await fillFramingham(page, '60', '100', '90');
    const first = await computeResult(page);
    expect(await page.getByTestId('result-stale').count()).toBe(0);
    expect(await page.getByTestId('result-announcement').textContent()).toBe(
      `Result: ${first.value}, ${first.category}.`,
    );

    await field(page, 'Age').fill('100');
    await page.getByTestId('result-stale').waitFor();
    expect(await page.getByRole('heading', { name: 'Previous result' }).count()).toBe(1);
    expect(await page.getByTestId('result-announcement').textContent()).toContain('out of date');

    // Back to the values that made it: the result is theirs again.
    await field(page, 'Age').fill('60');
    await page.getByTestId('result-stale').waitFor({ state: 'detached' });

    await field(page, 'Total cholesterol').fill('213');
    await field(page, 'HDL cholesterol').fill('50');
    await page.getByTestId('result-stale').waitFor();
    const second = await computeResult(page);
    expect(await page.getByTestId('result-stale').count()).toBe(0);
    expect(second.value).not.toBe(first.value);
  });

  test('on a phone, Compute brings the result into view; the navigation is short', async () => {
    const page = await browserTests.newPage();
    await page.setViewportSize(PHONE);
    await openComputation(page, FRAMINGHAM_TITLE);
    const navigation = await page.getByRole('navigation', { name: 'Main' }).boundingBox();
    expect(navigation?.height ?? Number.POSITIVE_INFINITY).toBeLessThan(60);
    const heading = await page.getByRole('heading', { level: 1 }).boundingBox();
    expect(heading?.y ?? Number.POSITIVE_INFINITY).toBeLessThan(140);

    await fillFramingham(page, '55', '213', '50');
    await computeResult(page);
    await expect.poll(() => inViewport(page, 'result-value')).toBe(true);
    await expect.poll(() => inViewport(page, 'result-category')).toBe(true);
  });

  test('the form is there again after a reload, and Clear the form forgets it', async () => {
    const page = await browserTests.newPage();
    await openComputation(page, BMI_TITLE);
    await fillBmi(page, { weight: '154.3', weightUnit: 'lb', height: '172', heightUnit: 'cm' });
    await computeResult(page);
    // Remembered sealed: a record is there, and what was typed is not readable in it.
    await expect.poll(() => rememberedForm(page, 'bmi')).toBeDefined();
    expect(JSON.stringify(await rememberedForm(page, 'bmi'))).not.toContain('154.3');
    await page.reload();
    await expect.poll(() => field(page, 'Weight').inputValue()).toBe('154.3');
    expect(await field(page, 'Weight unit').inputValue()).toBe('lb');
    expect(await field(page, 'Height').inputValue()).toBe('172');

    await page.getByRole('button', { name: 'Clear the form' }).click();
    expect(await field(page, 'Weight').inputValue()).toBe('');
    // Nothing is left on the device to come back.
    await expect.poll(() => rememberedForm(page, 'bmi')).toBeUndefined();
  });

  test('with the service gone, a banner says so and the transcript says nothing was sent', async () => {
    const page = await browserTests.newPage();
    await openComputation(page, BMI_TITLE);
    await fillBmi(page, { weight: '70', weightUnit: 'kg', height: '175', heightUnit: 'cm' });
    expect(await page.getByTestId('offline-banner').count()).toBe(0);
    await browserTests.stopServer();
    try {
      await page.getByRole('button', { name: 'Compute' }).click();
      await page.getByRole('alert').filter({ hasText: 'could not be reached' }).waitFor();
      await page.getByTestId('offline-banner').waitFor();
      const panel = page.locator('details', { hasText: 'What left this device' });
      await panel.locator('summary').click();
      const sent = (await page.getByTestId('transcript-sent').textContent()) ?? '';
      expect(sent).toMatch(/^nothing: the service could not be reached/);
      expect(await panel.textContent()).toContain('Request (prepared, not sent)');
    } finally {
      await browserTests.startServer();
    }
    // Back: the banner goes as soon as a computation gets through.
    await computeResult(page);
    await page.getByTestId('offline-banner').waitFor({ state: 'detached' });
  });
});
