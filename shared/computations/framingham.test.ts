import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateRequest } from '../../server/evaluation.js';
import { decryptOutputs, encryptInputs, generateGroupKeyPair } from '../client.js';
import { type FormValues, named } from './computation.js';
import { formWarnings, validateForm } from './form.js';
import { framingham } from './framingham.js';
import {
  encryptedRoundTrip,
  evaluateInTheClear,
  FRAMINGHAM_FEATURES,
  FRAMINGHAM_REFERENCE,
  FRAMINGHAM_SEXES,
  type FraminghamFeature,
  framinghamInputName,
  type ReferenceSex as Sex,
  serve,
} from './test-support.js';

type Cholesterol = { readonly value: number; readonly unit: 'mg/dL' | 'mmol/L' };

interface Patient {
  readonly sex: Sex;
  readonly age: number;
  readonly totalCholesterol: Cholesterol;
  readonly hdl: Cholesterol;
  readonly sbp: number;
  readonly treated: boolean;
  readonly smoker: boolean;
  readonly diabetes: boolean;
}

/** The usual factor for cholesterol (molar mass 386.65 g/mol): 1 mmol/L = 38.67 mg/dL. */
const inMgPerDl = ({ value, unit }: Cholesterol) => (unit === 'mmol/L' ? value * 38.67 : value);

/** Each feature's value x in double precision (natural logs, indicators 0/1). */
function features(p: Patient): Record<FraminghamFeature, number> {
  return {
    lnAge: Math.log(p.age),
    lnTotalCholesterol: Math.log(inMgPerDl(p.totalCholesterol)),
    lnHdl: Math.log(inMgPerDl(p.hdl)),
    lnSbpUntreated: p.treated ? 0 : Math.log(p.sbp),
    lnSbpTreated: p.treated ? Math.log(p.sbp) : 0,
    smoker: Number(p.smoker),
    diabetes: Number(p.diabetes),
  };
}

/** The plaintext reference: Σβx and 1 − S0^exp(Σβx − mean) in double precision. */
function referenceLinearPredictor(p: Patient): number {
  const x = features(p);
  return FRAMINGHAM_FEATURES.reduce((sum, f) => sum + FRAMINGHAM_REFERENCE[p.sex].beta[f] * x[f], 0);
}
function referenceRiskPercent(p: Patient): number {
  const { s0, mean } = FRAMINGHAM_REFERENCE[p.sex];
  return 100 * (1 - s0 ** Math.exp(referenceLinearPredictor(p) - mean));
}

/**
 * How far the protocol's fixed point may move Σβx: each logarithm is rounded to 10^-4 (±0.5·10^-4,
 * times |β|), and each β to 10^-4 (exact for the indicators' x, times x for the logarithms).
 */
function fixedPointErrorBound(p: Patient): number {
  const x = features(p);
  return FRAMINGHAM_FEATURES.reduce((bound, f) => {
    const beta = FRAMINGHAM_REFERENCE[p.sex].beta[f];
    const featureRounding = f === 'smoker' || f === 'diabetes' || x[f] === 0 ? 0 : 0.5e-4 * Math.abs(beta);
    const weightRounding = x[f] * Math.abs(beta - Math.round(beta * 1e4) / 1e4);
    return bound + featureRounding + weightRounding;
  }, 1e-12);
}

function formValues(p: Patient): FormValues {
  return {
    sex: p.sex,
    age: { value: p.age, unit: 'years' },
    totalCholesterol: p.totalCholesterol,
    hdl: p.hdl,
    sbp: { value: p.sbp, unit: 'mmHg' },
    treated: p.treated,
    smoker: p.smoker,
    diabetes: p.diabetes,
  };
}

const mg = (value: number): Cholesterol => ({ value, unit: 'mg/dL' });
const patient = (
  sex: Sex,
  age: number,
  tc: number,
  hdl: number,
  sbp: number,
  treated: boolean,
  smoker: boolean,
  diabetes: boolean,
): Patient => ({ sex, age, totalCholesterol: mg(tc), hdl: mg(hdl), sbp, treated, smoker, diabetes });

/** ../reference/clinical.md, "Test vectors computed in double precision from the table". */
const PINNED = [
  {
    p: patient('female', 61, 180, 47, 124, false, true, false),
    linearPredictor: 26.9653,
    riskPercent: 10.48,
  },
  { p: patient('male', 53, 161, 55, 125, true, false, true), linearPredictor: 24.3509, riskPercent: 15.62 },
  { p: patient('male', 45, 200, 50, 120, false, false, false), linearPredictor: 23.2125, riskPercent: 5.3 },
  { p: patient('female', 70, 240, 40, 150, true, true, true), linearPredictor: 29.271, riskPercent: 67.08 },
  { p: patient('male', 74, 280, 30, 170, true, true, true), linearPredictor: 27.8289, riskPercent: 99.59 },
  {
    p: patient('female', 30, 150, 80, 100, false, false, false),
    linearPredictor: 23.5926,
    riskPercent: 0.38,
  },
] as const;

/** The accuracy: the decrypted risk within 0.05 percentage points of double precision. */
const RISK_TOLERANCE_PP = 0.05;
const OUTPUT_SCALE = 1e8;

/** What the patient sees, from the integers the service computes (no encryption: same arithmetic). */
function fixedPointResult(p: Patient) {
  const values = formValues(p);
  const outputs = evaluateInTheClear(framingham, framingham.encodeInputs(values));
  return {
    linearPredictor: Number(named(outputs, 'linearPredictor')) / OUTPUT_SCALE,
    riskPercent: framingham.interpret(outputs, values).value,
  };
}

/**
 * Valid patients aged 30–74 (the population): every other value anywhere the form accepts, in
 * either unit and on the form's steps, so the fixed point is checked beyond the fitted ranges too.
 */
const cholesterol = (
  mgPerDl: { min: number; max: number },
  mmolPerL: { min: number; max: number },
  step: number,
) =>
  fc.oneof(
    fc.integer(mgPerDl).map(mg),
    fc
      .integer({ min: Math.round(mmolPerL.min / step), max: Math.round(mmolPerL.max / step) })
      .map((n): Cholesterol => ({ value: Number((n * step).toFixed(2)), unit: 'mmol/L' })),
  );
const validPatient: fc.Arbitrary<Patient> = fc.record({
  sex: fc.constantFrom<Sex>('female', 'male'),
  age: fc.integer({ min: 30, max: 74 }),
  totalCholesterol: cholesterol({ min: 50, max: 600 }, { min: 1.3, max: 15.5 }, 0.1),
  hdl: cholesterol({ min: 10, max: 150 }, { min: 0.26, max: 3.87 }, 0.01),
  sbp: fc.integer({ min: 70, max: 260 }),
  treated: fc.boolean(),
  smoker: fc.boolean(),
  diabetes: fc.boolean(),
});

const key = generateGroupKeyPair('ristretto255');

describe('framingham-2008 against a double-precision reference', () => {
  it('the reference in this file reproduces the pinned vectors of clinical.md', () => {
    for (const { p, linearPredictor, riskPercent } of PINNED) {
      // The vectors are printed to 4 decimals (Σβx) and 2 decimals (risk).
      expect(Math.abs(referenceLinearPredictor(p) - linearPredictor)).toBeLessThanOrEqual(0.5e-4);
      expect(Math.abs(referenceRiskPercent(p) - riskPercent)).toBeLessThanOrEqual(0.005);
    }
  });

  it.each(PINNED.map((v) => [`${v.p.sex} ${v.p.age}`, v] as const))(
    'the pinned vector %s matches through encryption, the service and decryption',
    (_, { p, linearPredictor, riskPercent }) => {
      const values = formValues(p);
      expect(validateForm(framingham, values)).toEqual({});
      const outputs = encryptedRoundTrip(framingham, key, framingham.encodeInputs(values));
      const decrypted = Number(named(outputs, 'linearPredictor')) / OUTPUT_SCALE;
      expect(Math.abs(decrypted - linearPredictor)).toBeLessThanOrEqual(fixedPointErrorBound(p) + 0.5e-4);
      const result = framingham.interpret(outputs, values);
      expect(Math.abs(result.value - riskPercent)).toBeLessThanOrEqual(RISK_TOLERANCE_PP);
      expect(Math.abs(result.value - referenceRiskPercent(p))).toBeLessThanOrEqual(RISK_TOLERANCE_PP);
    },
  );

  it('the fixed-point pipeline is within 0.05 pp of double precision for 1,000 patients', () => {
    fc.assert(
      fc.property(validPatient, (p) => {
        const { linearPredictor, riskPercent } = fixedPointResult(p);
        expect(Math.abs(linearPredictor - referenceLinearPredictor(p))).toBeLessThanOrEqual(
          fixedPointErrorBound(p),
        );
        expect(Math.abs(riskPercent - referenceRiskPercent(p))).toBeLessThanOrEqual(RISK_TOLERANCE_PP);
      }),
      { numRuns: 1000 },
    );
  });

  it('encryption changes none of those integers (30 patients through real ristretto255 ElGamal)', () => {
    fc.assert(
      fc.property(validPatient, (p) => {
        const inputs = framingham.encodeInputs(formValues(p));
        const outputs = encryptedRoundTrip(framingham, key, inputs);
        expect(outputs).toEqual(evaluateInTheClear(framingham, inputs));
        const riskPercent = framingham.interpret(outputs, formValues(p)).value;
        expect(Math.abs(riskPercent - referenceRiskPercent(p))).toBeLessThanOrEqual(RISK_TOLERANCE_PP);
      }),
      // Few runs: each is dominated by the client's bounded search over the 3·10^9-wide output range.
      { numRuns: 30 },
    );
  }, 60_000);

  it('declares an output range that holds every patient the form accepts', () => {
    // Every corner of the form's box: the linear predictor is monotone in each feature.
    const [range] = framingham.outputs;
    let lowest = Number.POSITIVE_INFINITY;
    let highest = Number.NEGATIVE_INFINITY;
    for (const sex of ['female', 'male'] as const) {
      for (let corner = 0; corner < 2 ** 7; corner++) {
        const bit = (i: number) => (corner & (1 << i)) !== 0;
        const p = patient(
          sex,
          bit(0) ? 95 : 20,
          bit(1) ? 600 : 50,
          bit(2) ? 150 : 10,
          bit(3) ? 260 : 70,
          bit(4),
          bit(5),
          bit(6),
        );
        expect(validateForm(framingham, formValues(p))).toEqual({});
        const m = Number(
          named(evaluateInTheClear(framingham, framingham.encodeInputs(formValues(p))), 'linearPredictor'),
        );
        lowest = Math.min(lowest, m);
        highest = Math.max(highest, m);
      }
    }
    expect(range).toMatchObject({ name: 'linearPredictor' });
    expect(lowest).toBeGreaterThanOrEqual(range?.min ?? Number.NaN);
    expect(highest).toBeLessThanOrEqual(range?.max ?? Number.NaN);
  });
});

describe('framingham-2008 keeps sex and treatment from the service', () => {
  const allInputNames = FRAMINGHAM_SEXES.flatMap((s) =>
    FRAMINGHAM_FEATURES.map((f) => framinghamInputName(f, s)),
  );

  it('always sends all 14 inputs, the other sex’s exactly 0 and one of the two pressures 0', () => {
    fc.assert(
      fc.property(validPatient, (p) => {
        const inputs = framingham.encodeInputs(formValues(p));
        expect(Object.keys(inputs).sort()).toEqual([...allInputNames].sort());
        expect(framingham.inputs.map((i) => i.name).sort()).toEqual([...allInputNames].sort());
        const own = p.sex === 'female' ? 'Female' : 'Male';
        const other = own === 'Female' ? 'Male' : 'Female';
        for (const f of FRAMINGHAM_FEATURES) expect(named(inputs, framinghamInputName(f, other))).toBe(0n);
        const untreated = named(inputs, framinghamInputName('lnSbpUntreated', own));
        const treated = named(inputs, framinghamInputName('lnSbpTreated', own));
        expect(p.treated ? [untreated, treated > 0n] : [treated, untreated > 0n]).toEqual([0n, true]);
      }),
      { numRuns: 200 },
    );
  });

  it('encrypts the same way whatever the sex and treatment: same names, every input a fresh ciphertext', () => {
    const requests = [false, true].flatMap((treated) =>
      (['female', 'male'] as const).map((sex) => {
        const values = formValues({ ...PINNED[0].p, sex, treated });
        return encryptInputs(framingham, key, framingham.encodeInputs(values));
      }),
    );
    // Same names in the same order: the JSON on the wire has one shape for every patient.
    const shapes = requests.map((r) => JSON.stringify(Object.keys(r.inputs)));
    expect(new Set(shapes).size).toBe(1);
    expect(new Set(requests.map((r) => JSON.stringify(r).length)).size).toBe(1);
    // E(0) is indistinguishable from any other ciphertext: no element repeats, in or across requests.
    const elements = requests.flatMap((r) => Object.values(r.inputs).flatMap((c) => [c.a, c.b]));
    expect(new Set(elements).size).toBe(elements.length);
  });
});

describe('framingham-2008 signed arithmetic', () => {
  it('subtracts the HDL term: the service’s negative β comes back as a negative integer', () => {
    // Only lnHdl set: Σβx = round(β·10^4)·x < 0. Decoded over a signed range instead of the declared one.
    const lnHdl = 46_052n; // ln(100 mg/dL) × 10^4
    for (const sex of FRAMINGHAM_SEXES) {
      const inputs = Object.fromEntries(allInputs(0n));
      inputs[framinghamInputName('lnHdl', sex)] = lnHdl;
      const response = evaluateRequest(serve(framingham), encryptInputs(framingham, key, inputs));
      const signed = { ...framingham, outputs: [{ name: 'linearPredictor', min: -1e9, max: 0 }] };
      const beta = FRAMINGHAM_REFERENCE[sex === 'Female' ? 'female' : 'male'].beta.lnHdl;
      expect(decryptOutputs(signed, key, response)).toEqual({
        linearPredictor: BigInt(Math.round(beta * 1e4)) * lnHdl,
      });
    }
  });

  it('decodes with clinical.md’s S0 and mean, below the mean (a negative exponent) and above it', () => {
    for (const sex of ['female', 'male'] as const) {
      const { s0, mean } = FRAMINGHAM_REFERENCE[sex];
      for (const offset of [-3, -0.5, 0, 0.5, 3]) {
        const linearPredictor = BigInt(Math.round((mean + offset) * OUTPUT_SCALE));
        const { value } = framingham.interpret({ linearPredictor }, { sex });
        expect(value).toBeCloseTo(100 * (1 - s0 ** Math.exp(offset)), 9);
      }
    }
  });

  function allInputs(m: bigint): [string, bigint][] {
    return framingham.inputs.map((i) => [i.name, m]);
  }
});

describe('framingham-2008 form', () => {
  it('warns outside the ages, cholesterol and pressure the model was fitted on, and only there', () => {
    const base = formValues(PINNED[0].p);
    expect(formWarnings(framingham, base)).toEqual({});
    for (const [age, warned] of [
      [29, true],
      [30, false],
      [74, false],
      [75, true],
    ] as const) {
      const warnings = formWarnings(framingham, { ...base, age: { value: age, unit: 'years' } });
      expect(Object.keys(warnings)).toEqual(warned ? ['age'] : []);
    }
    expect(Object.keys(formWarnings(framingham, { ...base, sbp: { value: 210, unit: 'mmHg' } }))).toEqual([
      'sbp',
    ]);
    expect(
      Object.keys(formWarnings(framingham, { ...base, totalCholesterol: { value: 11, unit: 'mmol/L' } })),
    ).toEqual(['totalCholesterol']);
  });
});

describe('framingham-2008 interpretation', () => {
  it.each([
    [0.0994, '9.9 %', 'Low risk (< 10 %)'],
    [0.09996, '10.0 %', 'Intermediate risk (10–20 %)'],
    [0.1994, '19.9 %', 'Intermediate risk (10–20 %)'],
    [0.19996, '20.0 %', 'High risk (≥ 20 %)'],
  ])('grades a risk of %d as displayed: %s, %s', (risk, display, category) => {
    // Σβx for this risk: 1 − S0^exp(Σβx − mean) = risk.
    const { s0, mean } = FRAMINGHAM_REFERENCE.female;
    const linearPredictor = mean + Math.log(Math.log(1 - risk) / Math.log(s0));
    const result = framingham.interpret(
      { linearPredictor: BigInt(Math.round(linearPredictor * OUTPUT_SCALE)) },
      { sex: 'female' },
    );
    expect([result.display, result.category]).toEqual([display, category]);
  });
});
