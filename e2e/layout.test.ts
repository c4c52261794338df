/**
 * Every page on a 390×844 phone and a 1280×800 screen (issue 13, items 2, 3 and 11): nothing wider
 * than the viewport, the result of every calculator in view after Compute, axe clean, and the
 * navigation on one row on the wide screen.
 */

import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { COMPUTATIONS } from '../shared/computations/catalog.js';
import type { Computation } from '../shared/computations/computation.js';
import { expectNoAccessibilityViolations } from './accessibility.js';
import { shownFingerprint } from './custody.js';
import { setUpBrowserTests } from './harness.js';
import { computeResult, field, navigateToComputation } from './pages.js';

const browserTests = setUpBrowserTests();

const VIEWPORTS = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'desktop', width: 1280, height: 800 },
] as const;

/** Typical valid values for every field, from the catalog (the midpoint of the range a model was fitted on). */
async function fillTypical(page: Page, computation: Computation): Promise<void> {
  for (const item of computation.fields) {
    switch (item.kind) {
      case 'number': {
        const unit = item.units[0];
        const range = unit.fitted ?? unit;
        const typical =
          item.name === 'weight' ? 72 : item.name === 'height' ? 172 : (range.min + range.max) / 2;
        await field(page, item.label).fill(String(Math.round(typical)));
        break;
      }
      case 'choice':
        await page.getByRole('radio', { name: item.options[0]?.label ?? '', exact: true }).check();
        break;
      case 'series':
        await field(page, 'Reading 1').fill('100');
        break;
      default:
        break;
    }
  }
}

async function expectNoHorizontalScroll(page: Page, where: string): Promise<void> {
  const widths = await page.evaluate(() => ({
    document: document.documentElement.scrollWidth,
    viewport: document.documentElement.clientWidth,
  }));
  expect(widths.document, `${where} is wider than the viewport`).toBeLessThanOrEqual(widths.viewport);
}

async function expectInViewport(page: Page, testId: string): Promise<void> {
  await expect
    .poll(() =>
      page.getByTestId(testId).evaluate((element) => {
        const box = element.getBoundingClientRect();
        return box.height > 0 && box.top >= 0 && box.bottom <= window.innerHeight;
      }),
    )
    .toBe(true);
}

describe.each(VIEWPORTS)('at $width×$height', (viewport) => {
  test('every calculator: no sideways scroll, the result in view after Compute, axe clean', async () => {
    const page = await browserTests.newPage();
    await page.setViewportSize(viewport);
    await page.goto('/');
    await shownFingerprint(page);
    for (const computation of COMPUTATIONS) {
      await navigateToComputation(page, computation.title);
      await expectNoHorizontalScroll(page, computation.id);
      await fillTypical(page, computation);
      await computeResult(page);
      await expectInViewport(page, 'result-value');
      await expectNoHorizontalScroll(page, `${computation.id} with its result`);
      await expectNoAccessibilityViolations(page);
    }
  });

  test('start, how it works, keys and history (with results): no sideways scroll, axe clean', async () => {
    const page = await browserTests.newPage();
    await page.setViewportSize(viewport);
    await page.goto('/');
    for (const computation of COMPUTATIONS.slice(0, 2)) {
      await navigateToComputation(page, computation.title);
      await fillTypical(page, computation);
      await computeResult(page);
    }
    for (const path of ['/', '/how-it-works', '/keys', '/history', '/no-such-page']) {
      await page.goto(path);
      await page.getByRole('heading', { level: 1 }).waitFor();
      if (path === '/keys') await page.getByTestId('device-storage').waitFor();
      if (path === '/history') await page.getByTestId('history-entry').first().waitFor();
      await expectNoHorizontalScroll(page, path);
      await expectNoAccessibilityViolations(page);
    }
  });
});

describe('navigation', () => {
  test('one row at 1280 px; the home link says home; How it works has its own page', async () => {
    const page = await browserTests.newPage();
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto('/keys');
    const navigation = page.getByRole('navigation', { name: 'Main' });
    const tops = await navigation
      .locator(':scope > ul > li')
      .evaluateAll((items) => items.map((item) => Math.round(item.getBoundingClientRect().top)));
    expect(new Set(tops).size).toBe(1);
    expect(await page.getByRole('link', { name: 'Sealed Vitals home' }).getAttribute('href')).toBe('/');
    await navigation.getByRole('link', { name: 'How it works' }).click();
    await page.getByRole('heading', { level: 1, name: 'How it works' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/how-it-works');
  });

  test('the calculators list opens and closes from the keyboard', async () => {
    const page = await browserTests.newPage();
    await page.goto('/');
    const toggle = page.getByRole('button', { name: 'Calculators' });
    await toggle.focus();
    await page.keyboard.press('Enter');
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    await page.keyboard.press('Escape');
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    expect(await toggle.evaluate((element) => element === document.activeElement)).toBe(true);
  });
});
