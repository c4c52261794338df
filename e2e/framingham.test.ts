/**
 * Framingham 2008 10-year cardiovascular risk in the browser: typed values → features encrypted on
 * the device → the service's private model → decrypted Σβx → risk, compared with the published model
 * computed here in double precision, on the test vectors pinned in ../shared/reference/clinical.md.
 */

import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { FRAMINGHAM_REFERENCE } from '../shared/computations/test-support.js';
import { expectNoAccessibilityViolations } from './accessibility.js';
import { setUpBrowserTests } from './harness.js';
import {
  evaluations,
  expectNoTypedValueSent,
  expectOnlyCiphertexts,
  recordExchanges,
  showsValue,
} from './outgoing.js';
import { computeResult, field, openComputation } from './pages.js';

const browserTests = setUpBrowserTests();

const TITLE = 'Framingham 10-year cardiovascular risk';
const ID = 'framingham-2008';

type Sex = 'female' | 'male';

/**
 * The published model (D'Agostino et al. 2008, as tabled in clinical.md): the test holds the
 * coefficients to compute the expected risk; the app must not (checked below).
 */
const MODEL = FRAMINGHAM_REFERENCE;

interface Patient {
  readonly sex: Sex;
  readonly age: number;
  /** mg/dL */
  readonly totalCholesterol: number;
  /** mg/dL */
  readonly hdl: number;
  /** mmHg */
  readonly sbp: number;
  readonly treated: boolean;
  readonly smoker: boolean;
  readonly diabetes: boolean;
}

/** The published model in double precision: Σβx and 1 − S0^exp(Σβx − mean), in percent. */
function framinghamByFormula(patient: Patient): { linearPredictor: number; riskPercent: number } {
  const { beta, s0, mean } = MODEL[patient.sex];
  const linearPredictor =
    beta.lnAge * Math.log(patient.age) +
    beta.lnTotalCholesterol * Math.log(patient.totalCholesterol) +
    beta.lnHdl * Math.log(patient.hdl) +
    (patient.treated ? beta.lnSbpTreated : beta.lnSbpUntreated) * Math.log(patient.sbp) +
    (patient.smoker ? beta.smoker : 0) +
    (patient.diabetes ? beta.diabetes : 0);
  const riskPercent = 100 * (1 - s0 ** Math.exp(linearPredictor - mean));
  return { linearPredictor, riskPercent };
}

/** The test vectors of clinical.md: patient → Σβx and risk as printed there (4 and 2 decimals). */
const PINNED: readonly { patient: Patient; linearPredictor: number; riskPercent: number }[] = [
  {
    patient: {
      sex: 'female',
      age: 61,
      totalCholesterol: 180,
      hdl: 47,
      sbp: 124,
      treated: false,
      smoker: true,
      diabetes: false,
    },
    linearPredictor: 26.9653,
    riskPercent: 10.48,
  },
  {
    patient: {
      sex: 'male',
      age: 53,
      totalCholesterol: 161,
      hdl: 55,
      sbp: 125,
      treated: true,
      smoker: false,
      diabetes: true,
    },
    linearPredictor: 24.3509,
    riskPercent: 15.62,
  },
  {
    patient: {
      sex: 'male',
      age: 45,
      totalCholesterol: 200,
      hdl: 50,
      sbp: 120,
      treated: false,
      smoker: false,
      diabetes: false,
    },
    linearPredictor: 23.2125,
    riskPercent: 5.3,
  },
  {
    patient: {
      sex: 'female',
      age: 70,
      totalCholesterol: 240,
      hdl: 40,
      sbp: 150,
      treated: true,
      smoker: true,
      diabetes: true,
    },
    linearPredictor: 29.271,
    riskPercent: 67.08,
  },
  {
    patient: {
      sex: 'male',
      age: 74,
      totalCholesterol: 280,
      hdl: 30,
      sbp: 170,
      treated: true,
      smoker: true,
      diabetes: true,
    },
    linearPredictor: 27.8289,
    riskPercent: 99.59,
  },
  {
    patient: {
      sex: 'female',
      age: 30,
      totalCholesterol: 150,
      hdl: 80,
      sbp: 100,
      treated: false,
      smoker: false,
      diabetes: false,
    },
    linearPredictor: 23.5926,
    riskPercent: 0.38,
  },
];

/** The accuracy bound (0.05 percentage points), on top of the display's rounding to 0.1. */
const SHOWN_RISK_TOLERANCE = 0.05 + 0.05;

/** Every coefficient as published and as the ×10^4 integer weight the service uses. */
const COEFFICIENT_STRINGS = Object.values(MODEL).flatMap((m) =>
  Object.values(m.beta).flatMap((beta) => [
    String(Math.abs(beta)),
    String(Math.abs(Math.round(beta * 10_000))),
  ]),
);

const MG_PER_DL_PER_MMOL_PER_L = 38.67;

async function fillFramingham(
  page: Page,
  patient: Patient,
  cholesterolUnit: 'mg/dL' | 'mmol/L' = 'mg/dL',
): Promise<void> {
  const cholesterol = (mgPerDl: number) =>
    cholesterolUnit === 'mg/dL' ? String(mgPerDl) : (mgPerDl / MG_PER_DL_PER_MMOL_PER_L).toFixed(2);
  await page.getByRole('radio', { name: patient.sex === 'female' ? 'Female' : 'Male', exact: true }).check();
  await field(page, 'Age').fill(String(patient.age));
  await field(page, 'Total cholesterol unit').selectOption(cholesterolUnit);
  await field(page, 'Total cholesterol').fill(cholesterol(patient.totalCholesterol));
  await field(page, 'HDL cholesterol unit').selectOption(cholesterolUnit);
  await field(page, 'HDL cholesterol').fill(cholesterol(patient.hdl));
  await field(page, 'Systolic blood pressure').fill(String(patient.sbp));
  await field(page, 'On blood-pressure medication').setChecked(patient.treated);
  await field(page, 'Current smoker').setChecked(patient.smoker);
  await field(page, 'Diabetes').setChecked(patient.diabetes);
}

/** The grade of the risk as shown (a risk shown as 10.0 % is not called < 10 %). */
function riskCategory(riskPercent: number): string {
  if (riskPercent < 10) return 'Low risk (< 10 %)';
  if (riskPercent < 20) return 'Intermediate risk (10–20 %)';
  return 'High risk (≥ 20 %)';
}

/** "10.5 %" → 10.5 */
function shownPercent(display: string): number {
  const match = /^(\d+\.\d) %$/.exec(display);
  if (!match?.[1]) throw new Error(`Not a risk in percent: “${display}”`);
  return Number(match[1]);
}

/** The decrypted Σβx, which "What left this device" shows (the result card says it in words). */
async function shownLinearPredictor(page: Page): Promise<number> {
  const decrypted = (await page.getByTestId('transcript-decrypted').textContent()) ?? '';
  const match = /Σβx = (\d+\.\d{4})/.exec(decrypted);
  if (!match?.[1]) throw new Error(`No Σβx in “${decrypted}”`);
  return Number(match[1]);
}

describe('Framingham 2008, pinned vectors of clinical.md', () => {
  test.each(PINNED)(
    '$patient.sex $patient.age → $riskPercent %',
    async ({ patient, linearPredictor, riskPercent }) => {
      // The formula here reproduces the pinned vector, so it is a fair reference.
      const expected = framinghamByFormula(patient);
      expect(expected.linearPredictor).toBeCloseTo(linearPredictor, 4);
      expect(expected.riskPercent).toBeCloseTo(riskPercent, 2);

      const page = await browserTests.newPage();
      await openComputation(page, TITLE);
      await fillFramingham(page, patient);
      const shown = await computeResult(page);

      expect(Math.abs(shownPercent(shown.value) - expected.riskPercent)).toBeLessThanOrEqual(
        SHOWN_RISK_TOLERANCE,
      );
      expect(shown.category).toBe(riskCategory(shownPercent(shown.value)));
      // Fixed-point features and weights (10^-4 each) keep Σβx within a few 10^-4 of the exact sum.
      expect(Math.abs((await shownLinearPredictor(page)) - expected.linearPredictor)).toBeLessThan(0.002);
      expect(await page.getByTestId('result-caveat').count()).toBe(0);
    },
  );
});

describe('Framingham 2008 in the browser', () => {
  const [femaleSmoker, maleTreated] = PINNED;
  if (!femaleSmoker || !maleTreated) throw new Error('The pinned vectors are missing.');

  test('takes cholesterol in mmol/L and gives the same risk', async () => {
    const page = await browserTests.newPage();
    await openComputation(page, TITLE);
    await fillFramingham(page, maleTreated.patient, 'mmol/L');
    // What was typed, back in mg/dL: 2-decimal mmol/L values shift the risk by a few hundredths.
    const typed = (mgPerDl: number) =>
      Number((mgPerDl / MG_PER_DL_PER_MMOL_PER_L).toFixed(2)) * MG_PER_DL_PER_MMOL_PER_L;
    const expected = framinghamByFormula({
      ...maleTreated.patient,
      totalCholesterol: typed(maleTreated.patient.totalCholesterol),
      hdl: typed(maleTreated.patient.hdl),
    });
    const shown = await computeResult(page);
    expect(Math.abs(shownPercent(shown.value) - expected.riskPercent)).toBeLessThanOrEqual(
      SHOWN_RISK_TOLERANCE,
    );
  });

  test('warns, without blocking, when the age lies outside the 30–74 the model was fitted on', async () => {
    const page = await browserTests.newPage();
    await openComputation(page, TITLE);
    const old = { ...femaleSmoker.patient, age: 80 };
    await fillFramingham(page, old);

    const age = field(page, 'Age');
    const warningId = `form-${ID}-age-warning`;
    const warning = page.locator(`[id="${warningId}"]`);
    expect(await warning.textContent()).toBe(
      'The model was fitted on age 30–74 years: outside that range the result is an extrapolation.',
    );
    expect((await age.getAttribute('aria-describedby'))?.split(' ')).toContain(warningId);
    expect(await page.getByRole('status').filter({ has: warning }).count()).toBe(1);
    expect(await age.getAttribute('aria-invalid')).toBeNull();

    const shown = await computeResult(page);
    expect(Math.abs(shownPercent(shown.value) - framinghamByFormula(old).riskPercent)).toBeLessThanOrEqual(
      SHOWN_RISK_TOLERANCE,
    );
    expect(await page.getByTestId('result-caveat').textContent()).toContain('age lies outside the range');
    await expectNoAccessibilityViolations(page);

    await age.fill('74');
    expect(await warning.count()).toBe(0);
    expect(await age.getAttribute('aria-describedby')).toBeNull();
  });

  test('sends only ciphertexts; no coefficient is in the catalog, the answer or anything the app loads', async () => {
    const context = await browserTests.newContext();
    const exchanges = recordExchanges(context);
    const page = await context.newPage();
    await openComputation(page, TITLE);
    await fillFramingham(page, femaleSmoker.patient);
    await computeResult(page);
    const catalog = await page.evaluate(async () => (await fetch('/api/v2/computations')).text());

    const [evaluation] = evaluations(exchanges, ID);
    expect(evaluations(exchanges, ID)).toHaveLength(1);
    expectOnlyCiphertexts(evaluation?.requestBody ?? null, ID);
    const { age, totalCholesterol, hdl, sbp } = femaleSmoker.patient;
    expectNoTypedValueSent(exchanges, [age, totalCholesterol, hdl, sbp].map(String));

    await expect.poll(() => evaluation?.responseBody).toBeDefined();
    expect(JSON.parse(catalog).computations.map((c: { id: string }) => c.id)).toContain(ID);
    const received = exchanges.map((exchange) => [exchange.url, exchange.responseBody ?? ''] as const);
    expect(received.map(([url]) => new URL(url).pathname)).toEqual(
      expect.arrayContaining([
        '/',
        expect.stringMatching(/^\/assets\/.+\.js$/),
        `/api/v2/computations/${ID}/evaluate`,
      ]),
    );
    for (const [url, body] of [...received, ['/api/v2/computations', catalog] as const]) {
      for (const coefficient of COEFFICIENT_STRINGS) {
        expect(showsValue(body, coefficient), `${coefficient} in ${url}`).toBe(false);
      }
    }
  });
});
