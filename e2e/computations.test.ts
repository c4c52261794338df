/**
 * The two computations of the spec, end to end: typed values → encrypted request → real service →
 * decrypted result, compared with the clinical formulas computed here (reference: clinical.md).
 */

import { describe, expect, test } from 'vitest';
import { setUpBrowserTests } from './harness.js';
import {
  BMI_TITLE,
  type BmiEntry,
  CHA2DS2_VASC_TITLE,
  type Cha2ds2VascEntry,
  computeResult,
  field,
  fillBmi,
  fillCha2ds2Vasc,
  openComputation,
} from './pages.js';

const browserTests = setUpBrowserTests();

/** BMI = kg / m² = 703 · lb / in² (clinical.md). */
function bmiByFormula(entry: BmiEntry): number {
  const weight = Number(entry.weight);
  const height = Number(entry.height);
  return entry.weightUnit === 'kg' ? weight / (height / 100) ** 2 : (703 * weight) / height ** 2;
}

/** WHO adult classes (clinical.md): each bound belongs to the class above it. */
function whoClass(bmi: number): string {
  const classes: readonly [number, string][] = [
    [16, 'Severe thinness'],
    [17, 'Moderate thinness'],
    [18.5, 'Mild thinness'],
    [25, 'Normal weight'],
    [30, 'Overweight'],
    [35, 'Obesity class I'],
    [40, 'Obesity class II'],
  ];
  return classes.find(([below]) => bmi < below)?.[1] ?? 'Obesity class III';
}

describe('body-mass index', () => {
  // None of these lies near a rounding or class boundary, so formula and encoding agree to 0.1.
  const entries: readonly BmiEntry[] = [
    { weight: '83.7', weightUnit: 'kg', height: '176.4', heightUnit: 'cm' },
    { weight: '154.3', weightUnit: 'lb', height: '68.5', heightUnit: 'in' },
    { weight: '47.2', weightUnit: 'kg', height: '170', heightUnit: 'cm' },
    { weight: '298', weightUnit: 'lb', height: '64', heightUnit: 'in' },
  ];

  test.each(entries)('$weight $weightUnit, $height $heightUnit', async (entry) => {
    const page = await browserTests.newPage();
    await openComputation(page, BMI_TITLE);
    await fillBmi(page, entry);
    const expected = bmiByFormula(entry);
    expect(await computeResult(page)).toEqual({
      value: `${expected.toFixed(1)} kg/m²`,
      category: whoClass(expected),
    });
  });

  test('says what to fix, next to the field, and sends nothing while the form is invalid', async () => {
    const page = await browserTests.newPage();
    const evaluations: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST') evaluations.push(request.url());
    });
    await openComputation(page, BMI_TITLE);
    await field(page, 'Weight').fill('83.7');
    await field(page, 'Height').fill('4000');
    await page.getByRole('button', { name: 'Compute' }).click();

    const height = field(page, 'Height');
    expect(await height.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await height.getAttribute('aria-describedby')) ?? '';
    const message = await page.locator(`[id="${describedBy}"]`).textContent();
    expect(message).toBe('Height must be between 30 and 280 cm.');
    await expect.poll(() => height.evaluate((input) => input === document.activeElement)).toBe(true);
    expect(await field(page, 'Weight').getAttribute('aria-invalid')).toBeNull();
    expect(evaluations).toEqual([]);

    await height.fill('176.4');
    expect(await height.getAttribute('aria-invalid')).toBeNull();
    await computeResult(page);
    expect(evaluations).toHaveLength(1);
  });

  test('reads a decimal comma as a decimal point', async () => {
    const page = await browserTests.newPage();
    await openComputation(page, BMI_TITLE);
    await fillBmi(page, { weight: '83,7', weightUnit: 'kg', height: '176,4', heightUnit: 'cm' });
    const expected = bmiByFormula({ weight: '83.7', weightUnit: 'kg', height: '176.4', heightUnit: 'cm' });
    expect((await computeResult(page)).value).toBe(`${expected.toFixed(1)} kg/m²`);
  });

  test('works from the keyboard alone', async () => {
    const page = await browserTests.newPage();
    await openComputation(page, BMI_TITLE);
    await field(page, 'Weight').focus();
    await page.keyboard.type('72');
    await page.keyboard.press('Tab'); // weight unit
    await page.keyboard.press('Tab');
    await page.keyboard.type('180');
    await page.keyboard.press('Enter');
    const expected = bmiByFormula({ weight: '72', weightUnit: 'kg', height: '180', heightUnit: 'cm' });
    expect((await page.getByTestId('result-value').textContent({ timeout: 30_000 })) ?? '').toBe(
      `${expected.toFixed(1)} kg/m²`,
    );
  });
});

describe('CHA₂DS₂-VASc', () => {
  /** Points per criterion (clinical.md); age and sex are scored from what was typed. */
  const POINTS: Readonly<Record<string, number>> = {
    'Congestive heart failure': 1,
    Hypertension: 1,
    'Diabetes mellitus': 1,
    'Prior stroke, TIA or thromboembolism': 2,
    'Vascular disease': 1,
  };

  function scoreByFormula(entry: Cha2ds2VascEntry): number {
    const age = entry.age >= 75 ? 2 : entry.age >= 65 ? 1 : 0;
    const sex = entry.sex === 'Female' ? 1 : 0;
    return entry.conditions.reduce((sum, condition) => sum + (POINTS[condition] ?? Number.NaN), age + sex);
  }

  /** ESC 2020 grading, on the score without the point for female sex. */
  function riskCategory(entry: Cha2ds2VascEntry): string {
    const withoutSex = scoreByFormula(entry) - (entry.sex === 'Female' ? 1 : 0);
    return withoutSex === 0 ? 'Low risk' : withoutSex === 1 ? 'Moderate risk' : 'High risk';
  }

  const profiles: readonly Cha2ds2VascEntry[] = [
    { age: 64, sex: 'Male', conditions: [] },
    { age: 64, sex: 'Female', conditions: ['Hypertension'] },
    { age: 65, sex: 'Male', conditions: [] },
    { age: 65, sex: 'Female', conditions: ['Diabetes mellitus', 'Vascular disease'] },
    { age: 75, sex: 'Male', conditions: ['Prior stroke, TIA or thromboembolism'] },
    { age: 75, sex: 'Female', conditions: Object.keys(POINTS) },
  ];

  test.each(profiles)('age $age, $sex, $conditions', async (entry) => {
    const page = await browserTests.newPage();
    await openComputation(page, CHA2DS2_VASC_TITLE);
    await fillCha2ds2Vasc(page, entry);
    expect(await computeResult(page)).toEqual({
      value: `${scoreByFormula(entry)} of 9`,
      category: riskCategory(entry),
    });
  });

  test('asks for sex when it was not chosen', async () => {
    const page = await browserTests.newPage();
    await openComputation(page, CHA2DS2_VASC_TITLE);
    await field(page, 'Age').fill('70');
    await page.getByRole('button', { name: 'Compute' }).click();
    const sex = page.getByRole('group', { name: 'Sex' });
    expect(await sex.getAttribute('aria-invalid')).toBe('true');
    expect(await sex.textContent()).toContain('Choose one option for “Sex”.');
    expect(await page.getByTestId('result-value').count()).toBe(0);
  });
});
