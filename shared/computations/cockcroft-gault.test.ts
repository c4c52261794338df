import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateGroupKeyPair } from '../client.js';
import { cockcroftGault } from './cockcroft-gault.js';
import type { FormValues, Quantity } from './computation.js';
import { validateForm } from './form.js';
import { encryptedRoundTrip, evaluateInTheClear } from './test-support.js';

/** Exact definition of the pound (international yard and pound agreement, 1959). */
const KG_PER_LB = 0.45359237;
/** ../reference/clinical.md: serum creatinine in µmol/L ÷ 88.4 = mg/dL. */
const UMOL_PER_L_PER_MG_PER_DL = 88.4;
/** The accuracy for creatinine clearance. */
const TOLERANCE_ML_PER_MIN = 0.1;

interface Patient {
  readonly age: number;
  readonly sex: 'female' | 'male';
  readonly weight: Quantity;
  readonly creatinine: Quantity;
}

/** ../reference/clinical.md: CrCl = (140 − age)·weight[kg] / (72·creatinine[mg/dL]), × 0.85 for women. */
function referenceClearance({ age, sex, weight, creatinine }: Patient): number {
  const kg = weight.unit === 'lb' ? weight.value * KG_PER_LB : weight.value;
  const mgPerDl =
    creatinine.unit === 'umol/L' ? creatinine.value / UMOL_PER_L_PER_MG_PER_DL : creatinine.value;
  return ((140 - age) * kg * (sex === 'female' ? 0.85 : 1)) / (72 * mgPerDl);
}

const formValues = (p: Patient): FormValues => ({ ...p, age: { value: p.age, unit: 'years' } });

/** A value the form accepts in that unit, on the form's step (what a patient can type). */
function onStep(unit: string, min: number, max: number, step: number): fc.Arbitrary<Quantity> {
  const decimals = Math.round(-Math.log10(step));
  return fc
    .integer({ min: Math.round(min / step), max: Math.round(max / step) })
    .map((n) => ({ value: Number((n * step).toFixed(decimals)), unit }));
}
const anyPatient: fc.Arbitrary<Patient> = fc.record({
  age: fc.integer({ min: 18, max: 110 }),
  sex: fc.constantFrom('female', 'male'),
  weight: fc.oneof(onStep('kg', 20, 300, 0.1), onStep('lb', 44.1, 661.3, 0.1)),
  creatinine: fc.oneof(onStep('mg/dL', 0.12, 22.62, 0.01), onStep('umol/L', 10, 2000, 0.1)),
});

/** The form's extremes in every unit: every encoded input and result must stay in its declared range. */
const CORNERS: readonly Patient[] = [18, 110].flatMap((age) =>
  (['female', 'male'] as const).flatMap((sex) =>
    [
      { value: 20, unit: 'kg' },
      { value: 300, unit: 'kg' },
      { value: 44.1, unit: 'lb' },
      { value: 661.3, unit: 'lb' },
    ].flatMap((weight) =>
      [
        { value: 0.12, unit: 'mg/dL' },
        { value: 22.62, unit: 'mg/dL' },
        { value: 10, unit: 'umol/L' },
        { value: 2000, unit: 'umol/L' },
      ].map((creatinine) => ({ age, sex, weight, creatinine })),
    ),
  ),
);

const key = generateGroupKeyPair('ffdhe3072');

describe('cockcroft-gault against the plaintext formula', () => {
  it('is within 0.1 mL/min for 1,000 patients in kg or lb and mg/dL or µmol/L', () => {
    const unitsSeen = new Set<string>();
    fc.assert(
      fc.property(anyPatient, (p) => {
        unitsSeen.add(`${p.weight.unit} ${p.creatinine.unit}`);
        const values = formValues(p);
        expect(validateForm(cockcroftGault, values)).toEqual({});
        const outputs = evaluateInTheClear(cockcroftGault, cockcroftGault.encodeInputs(values));
        const { value } = cockcroftGault.interpret(outputs, values);
        expect(Math.abs(value - referenceClearance(p))).toBeLessThanOrEqual(TOLERANCE_ML_PER_MIN);
      }),
      { numRuns: 1000 },
    );
    expect(unitsSeen.size).toBe(4);
  });

  it('gives the same integers through ffdhe3072 encryption, the service and decryption', () => {
    fc.assert(
      fc.property(anyPatient, (p) => {
        const values = formValues(p);
        const inputs = cockcroftGault.encodeInputs(values);
        const outputs = encryptedRoundTrip(cockcroftGault, key, inputs);
        expect(outputs).toEqual(evaluateInTheClear(cockcroftGault, inputs));
        const { value } = cockcroftGault.interpret(outputs, values);
        expect(Math.abs(value - referenceClearance(p))).toBeLessThanOrEqual(TOLERANCE_ML_PER_MIN);
      }),
      // About 20 ffdhe3072 exponentiations a run; the extremes are always tried.
      { numRuns: 8, examples: [[CORNERS[0] as Patient], [CORNERS[CORNERS.length - 1] as Patient]] },
    );
  }, 30_000);

  it('keeps every encoded input and both outputs inside the declared bounds at the form’s extremes', () => {
    expect(CORNERS).toHaveLength(64);
    for (const p of CORNERS) {
      const values = formValues(p);
      expect(validateForm(cockcroftGault, values)).toEqual({});
      const inputs = cockcroftGault.encodeInputs(values);
      for (const { name, min, max } of cockcroftGault.inputs) {
        expect(Number(inputs[name]), name).toBeGreaterThanOrEqual(min);
        expect(Number(inputs[name]), name).toBeLessThanOrEqual(max);
      }
      const outputs = evaluateInTheClear(cockcroftGault, inputs);
      for (const { name, min, max } of cockcroftGault.outputs) {
        expect(Number(outputs[name]), name).toBeGreaterThanOrEqual(min);
        expect(Number(outputs[name]), name).toBeLessThanOrEqual(max);
      }
      expect(
        Math.abs(cockcroftGault.interpret(outputs, values).value - referenceClearance(p)),
      ).toBeLessThanOrEqual(TOLERANCE_ML_PER_MIN);
    }
  });

  it('sends sex only as the encrypted factor 85 or 100', () => {
    const p: Patient = {
      age: 60,
      sex: 'female',
      weight: { value: 70, unit: 'kg' },
      creatinine: { value: 1, unit: 'mg/dL' },
    };
    expect(cockcroftGault.encodeInputs(formValues(p)).sexFactor).toBe(85n);
    expect(cockcroftGault.encodeInputs(formValues({ ...p, sex: 'male' })).sexFactor).toBe(100n);
  });
});

describe('cockcroft-gault interpretation', () => {
  /** A clearance of exactly `mlPerMin` as the service's two integers (numerator / denominator). */
  const interpretAt = (mlPerMin: number) =>
    cockcroftGault.interpret({ numerator: BigInt(Math.round(mlPerMin * 1000)), denominator: 1000n }, {});

  it.each([
    [120, 'Normal or high (≥ 90 mL/min)'],
    [90, 'Normal or high (≥ 90 mL/min)'],
    [89.9, 'Mildly decreased (60–89 mL/min)'],
    [60, 'Mildly decreased (60–89 mL/min)'],
    [59.9, 'Moderately decreased (30–59 mL/min)'],
    [30, 'Moderately decreased (30–59 mL/min)'],
    [29.9, 'Severely decreased (15–29 mL/min)'],
    [15, 'Severely decreased (15–29 mL/min)'],
    [14.9, 'Kidney failure range (< 15 mL/min)'],
    // Classified as displayed: what shows as 90.0 or 15.0 is in the band from there up.
    [89.96, 'Normal or high (≥ 90 mL/min)'],
    [14.96, 'Severely decreased (15–29 mL/min)'],
  ])('puts %d mL/min in “%s”', (mlPerMin, category) => {
    const result = interpretAt(mlPerMin);
    expect(result.category).toBe(category);
    expect(result.display).toBe(`${mlPerMin.toFixed(1)} mL/min`);
  });
});
