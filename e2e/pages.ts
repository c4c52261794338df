/** How the tests drive the app, through its stable UI contract (labels, roles and test ids). */

import type { Locator, Page } from 'playwright-core';

export const BMI_TITLE = 'Body-mass index';
export const CHA2DS2_VASC_TITLE = 'CHA₂DS₂-VASc stroke risk';

/** Follows a computation's link in the main navigation, from the "Calculators" list it opens. */
export async function navigateToComputation(page: Page, title: string): Promise<void> {
  const navigation = page.getByRole('navigation', { name: 'Main' });
  await navigation.getByRole('button', { name: 'Calculators' }).click();
  await navigation.getByRole('link', { name: title, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: title }).waitFor();
  // The heading comes first; the page's own code may still be loading (a chunk of its own), and
  // until it has, the previous page stays in the document, hidden. Its form is the page ready.
  await page.getByRole('button', { name: 'Compute' }).waitFor();
}

/** Loads the app and opens a computation from the main navigation. */
export async function openComputation(page: Page, title: string): Promise<void> {
  await page.goto('/');
  await navigateToComputation(page, title);
}

export function field(page: Page, label: string): Locator {
  return page.getByLabel(label, { exact: true });
}

export interface BmiEntry {
  readonly weight: string;
  readonly weightUnit: 'kg' | 'lb';
  readonly height: string;
  readonly heightUnit: 'cm' | 'in';
}

export async function fillBmi(page: Page, entry: BmiEntry): Promise<void> {
  await field(page, 'Weight').fill(entry.weight);
  await field(page, 'Weight unit').selectOption(entry.weightUnit);
  await field(page, 'Height').fill(entry.height);
  await field(page, 'Height unit').selectOption(entry.heightUnit);
}

export interface Cha2ds2VascEntry {
  readonly age: number;
  readonly sex: 'Female' | 'Male';
  /** Checkbox labels to tick. */
  readonly conditions: readonly string[];
}

export async function fillCha2ds2Vasc(page: Page, entry: Cha2ds2VascEntry): Promise<void> {
  await field(page, 'Age').fill(String(entry.age));
  await page.getByRole('radio', { name: entry.sex, exact: true }).check();
  for (const condition of entry.conditions) await field(page, condition).check();
}

export interface ShownResult {
  readonly value: string;
  readonly category: string;
}

/** Presses Compute and waits for the result card. */
export async function computeResult(page: Page): Promise<ShownResult> {
  await page.getByRole('button', { name: 'Compute' }).click();
  return readResult(page);
}

export async function readResult(page: Page): Promise<ShownResult> {
  const value = page.getByTestId('result-value');
  await value.waitFor();
  return {
    value: (await value.textContent()) ?? '',
    category: (await page.getByTestId('result-category').textContent()) ?? '',
  };
}

/** Presses Compute and waits for the alert; returns its text. */
export async function computeExpectingAlert(page: Page): Promise<string> {
  await page.getByRole('button', { name: 'Compute' }).click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  return (await alert.textContent()) ?? '';
}
