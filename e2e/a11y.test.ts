/**
 * Accessibility of every page: an axe-core scan (WCAG 2.1 A and AA) of each page of the app in the
 * states a patient meets — empty, filled, with results, with a dialog open — and the keys and
 * history pages used from the keyboard alone.
 */

import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { COMPUTATIONS } from '../shared/computations/catalog.js';
import { expectNoAccessibilityViolations } from './accessibility.js';
import { openKeysPage, shownFingerprint } from './custody.js';
import { setUpBrowserTests } from './harness.js';
import { BMI_TITLE, computeResult, fillBmi, openComputation } from './pages.js';

const browserTests = setUpBrowserTests();

/** Presses Tab until the focused element's text or label starts with `name`; fails after `limit` presses. */
async function tabTo(page: Page, name: string | RegExp, limit = 80): Promise<void> {
  for (let presses = 0; presses < limit; presses++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const element = document.activeElement;
      if (!(element instanceof HTMLElement)) return '';
      const labelled = element.id
        ? document.querySelector(`label[for="${element.id}"]`)?.textContent
        : undefined;
      return (element.getAttribute('aria-label') ?? labelled ?? element.textContent ?? '').trim();
    });
    if (typeof name === 'string' ? focused.startsWith(name) : name.test(focused)) return;
  }
  throw new Error(`Tab never reached ${String(name)}.`);
}

async function computeOneBmi(page: Page): Promise<string> {
  await openComputation(page, BMI_TITLE);
  await fillBmi(page, { weight: '66.2', weightUnit: 'kg', height: '171', heightUnit: 'cm' });
  return (await computeResult(page)).value;
}

describe('axe finds no violation', () => {
  test('on the home page, every computation page (empty and refused) and a page that does not exist', async () => {
    const page = await browserTests.newPage();
    await page.goto('/');
    await shownFingerprint(page);
    await expectNoAccessibilityViolations(page);
    for (const computation of COMPUTATIONS) {
      await openComputation(page, computation.title);
      await expectNoAccessibilityViolations(page);
      // Submitted empty: every field shows its message.
      await page.getByRole('button', { name: 'Compute' }).click();
      await page.locator('[aria-invalid="true"]').first().waitFor();
      await expectNoAccessibilityViolations(page);
    }
    await page.goto('/no-such-page');
    await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
    await expectNoAccessibilityViolations(page);
  });

  test('on the keys page: keys, older keys, backup feedback, restore refusal and the delete dialog', async () => {
    const page = await browserTests.newPage();
    await openKeysPage(page);
    await page.getByTestId('device-storage').waitFor();
    await expectNoAccessibilityViolations(page);

    await page.getByRole('button', { name: 'Make new keys' }).click();
    await page.getByRole('status').filter({ hasText: 'New keys made' }).waitFor();
    await page.getByLabel('Passphrase', { exact: true }).fill('password1');
    await page.getByRole('button', { name: 'Download backup' }).click();
    const restore = page.getByRole('region', { name: 'Restore from a backup' });
    await restore.getByRole('button', { name: 'Restore' }).click();
    await restore.getByRole('alert').waitFor();
    await expectNoAccessibilityViolations(page);

    await page.getByRole('button', { name: /^Delete keys/ }).click();
    await page.getByRole('dialog').waitFor();
    await expectNoAccessibilityViolations(page);
  });

  test('on the history page: empty, with results and a check, and the delete-all dialog', async () => {
    const page = await browserTests.newPage();
    await page.goto('/history');
    await page.getByTestId('history-empty').waitFor();
    await expectNoAccessibilityViolations(page);

    await computeOneBmi(page);
    await page.goto('/history');
    await page.getByRole('button', { name: /^Decrypt again/ }).click();
    await page.getByTestId('decrypted-again').waitFor();
    await expectNoAccessibilityViolations(page);

    await page.getByRole('button', { name: 'Delete all history' }).click();
    await page.getByRole('dialog').waitFor();
    await expectNoAccessibilityViolations(page);
  });
});

describe('from the keyboard alone', () => {
  test('keys: make new keys, then delete the older ones through the dialog', async () => {
    const page = await browserTests.newPage();
    await openKeysPage(page);
    const first = await shownFingerprint(page);

    await tabTo(page, 'Make new keys');
    await page.keyboard.press('Enter');
    await expect.poll(() => shownFingerprint(page)).not.toBe(first);

    await tabTo(page, `Delete keys ${first}`);
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    // Focus is inside the dialog, on Cancel; Tab reaches the confirmation.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Delete these keys');
    await page.keyboard.press('Enter');
    await page.getByRole('region', { name: 'Older keys' }).getByText('None.').waitFor();
  });

  test('keys: a backup is made with the keyboard only', async () => {
    const page = await browserTests.newPage();
    await openKeysPage(page);
    await tabTo(page, 'Passphrase');
    await page.keyboard.type('quiet harbor violin meadow copper');
    await page.keyboard.press('Tab');
    await page.keyboard.type('quiet harbor violin meadow copper');
    const download = page.waitForEvent('download');
    await page.keyboard.press('Enter');
    expect((await download).suggestedFilename()).toMatch(/^sealed-vitals-backup-\d{4}-\d\d-\d\d\.json$/);
  });

  test('history: decrypt an entry again and delete it', async () => {
    const page = await browserTests.newPage();
    const value = await computeOneBmi(page);
    await page.goto('/history');
    await page.getByTestId('history-entry').waitFor();

    await tabTo(page, /^Decrypt again the result of/);
    await page.keyboard.press('Enter');
    expect(await page.getByTestId('decrypted-again').textContent()).toBe(
      `Decrypted again: ${value}, as recorded.`,
    );
    await tabTo(page, /^Delete the result of/);
    await page.keyboard.press('Enter');
    await page.getByTestId('history-empty').waitFor();
  });
});
