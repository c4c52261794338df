/**
 * Every built-in model file validates, and each publication's worked example matches through the
 * encrypted path (encode on the device, evaluate and prove on the service, verify, decrypt, link)
 * within the error bound the model states: its fixed-point error on Σβx carried through the link,
 * plus the rounding of the printed figure.
 */

import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MODELS_DIR, loadServedCatalog, readModelFile } from '../../server/served-catalog.js';
import { generateGroupKeyPair } from '../client.js';
import { computationToWire } from '../computations/catalog.js';
import type { Computation, FormValues } from '../computations/computation.js';
import { validateForm } from '../computations/form.js';
import { FRAMINGHAM_PUBLISHED, framingham } from '../computations/framingham.js';
import { encryptedRoundTrip, FRAMINGHAM_REFERENCE } from '../computations/test-support.js';
import { linkResult, stratumOf } from './model-computation.js';

const served = loadServedCatalog();

function model(id: string): Computation {
  const computation = served.get(id)?.computation;
  if (!computation?.model) throw new Error(`${id} is not a built-in model.`);
  return computation;
}

/** The published figure is within the model's error bound of the encrypted result, rounding included. */
function expectWithinBound(
  computation: Computation,
  values: FormValues,
  published: number,
  printedDecimals: number,
) {
  expect(validateForm(computation, values)).toEqual({});
  const key = generateGroupKeyPair(computation.group);
  const outputs = encryptedRoundTrip(computation, key, computation.encodeInputs(values));
  const result = computation.interpret(outputs, values);
  const description = computation.model;
  if (!description) throw new Error('not a model');
  const lp =
    Number(outputs[description.output]) /
    10 ** (description.precision.features + description.precision.weights);
  const stratum = stratumOf(description, values);
  const { error } = description.derived;
  const scale = description.display.scale;
  const [low, high] = [lp - error, lp + error].map((x) => linkResult(description, x, stratum) * scale) as [
    number,
    number,
  ];
  const rounding = 0.5 * 10 ** -printedDecimals;
  expect(published).toBeGreaterThanOrEqual(Math.min(low, high) - rounding);
  expect(published).toBeLessThanOrEqual(Math.max(low, high) + rounding);
  expect(result.value).toBeCloseTo(linkResult(description, lp, stratum) * scale, 9);
  return result;
}

const years = (value: number) => ({ value, unit: 'years' });

describe('the built-in model files', () => {
  it('all validate and are served', () => {
    const files = readdirSync(DEFAULT_MODELS_DIR).filter((name) => name.endsWith('.model.json'));
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const file of files) {
      const { description } = readModelFile(`${DEFAULT_MODELS_DIR}/${file}`);
      expect(served.get(description.id)?.computation.model?.id).toBe(description.id);
    }
  });
});

describe('the Framingham model the app ships', () => {
  it('is what the service loads from its files: derived bounds, commitment, entry and model', () => {
    const loaded = model('framingham-2008');
    expect(loaded.model?.derived).toEqual(FRAMINGHAM_PUBLISHED.derived);
    expect(loaded.evaluation).toEqual({
      kind: 'private-linear',
      commitment: FRAMINGHAM_PUBLISHED.commitment,
    });
    expect(framingham.evaluation).toEqual(loaded.evaluation);
    expect(computationToWire(framingham)).toEqual(computationToWire(loaded));
    expect(framingham.model).toEqual(loaded.model);
  });
});

describe('CKD-EPI 2021 eGFR (Inker et al. 2021; vectors of ../reference/clinical.md)', () => {
  const egfr = model('ckd-epi-2021');
  it.each([
    ['male', 50, 1.0, 91.69],
    ['female', 60, 0.8, 84.3],
    ['female', 30, 0.5, 129.32],
    ['male', 70, 2.5, 26.96],
  ] as const)('%s %i, creatinine %f mg/dL → %f', (sex, age, creatinine, published) => {
    expectWithinBound(
      egfr,
      { sex, age: years(age), creatinine: { value: creatinine, unit: 'mg/dL' } },
      published,
      2,
    );
  });

  it('reads creatinine in µmol/L as the same value (÷ 88.4)', () => {
    const values = { sex: 'male', age: years(70), creatinine: { value: 221, unit: 'µmol/L' } };
    const result = expectWithinBound(egfr, values, 26.96, 2);
    expect(result.category).toBe('Stage G4: severely decreased');
  });
});

describe('Framingham 2008 (D’Agostino et al. 2008; vectors of ../reference/clinical.md)', () => {
  const risk = model('framingham-2008');
  const mg = (value: number) => ({ value, unit: 'mg/dL' });
  it.each([
    ['female', 61, 180, 47, 124, false, true, false, 10.48],
    ['male', 53, 161, 55, 125, true, false, true, 15.62],
    ['male', 45, 200, 50, 120, false, false, false, 5.3],
    ['female', 70, 240, 40, 150, true, true, true, 67.08],
    ['male', 74, 280, 30, 170, true, true, true, 99.59],
    ['female', 30, 150, 80, 100, false, false, false, 0.38],
  ] as const)(
    '%s %i, TC %i, HDL %i, SBP %i (treated %s, smoker %s, diabetes %s) → %f %%',
    (sex, age, tc, hdl, sbp, treated, smoker, diabetes, published) => {
      const values = {
        sex,
        age: years(age),
        totalCholesterol: mg(tc),
        hdl: mg(hdl),
        sbp: { value: sbp, unit: 'mmHg' },
        treated,
        smoker,
        diabetes,
      };
      expectWithinBound(risk, values, published, 2);
    },
  );

  it('links Σβx with the published S0 and mean of each sex', () => {
    const description = risk.model;
    if (!description) throw new Error('not a model');
    for (const sex of ['female', 'male'] as const) {
      const { s0, mean } = FRAMINGHAM_REFERENCE[sex];
      expect(linkResult(description, mean, sex)).toBeCloseTo(1 - s0, 12);
    }
  });
});

describe('Mayo Clinic solitary pulmonary nodule model (Swensen et al. 1997)', () => {
  const nodule = model('mayo-lung-nodule');
  /** The published equation, as the paper prints it: x = −6.8272 + 0.0391·age + 0.7917·smoker + … */
  const byEquation = (v: {
    age: number;
    smoker: boolean;
    cancer: boolean;
    diameter: number;
    spiculation: boolean;
    upperLobe: boolean;
  }) => {
    const x =
      -6.8272 +
      0.0391 * v.age +
      0.7917 * Number(v.smoker) +
      1.3388 * Number(v.cancer) +
      0.1274 * v.diameter +
      1.0407 * Number(v.spiculation) +
      0.7838 * Number(v.upperLobe);
    return (100 * Math.exp(x)) / (1 + Math.exp(x));
  };
  it.each([
    { age: 65, smoker: true, cancer: false, diameter: 15, spiculation: true, upperLobe: true },
    { age: 40, smoker: false, cancer: false, diameter: 6, spiculation: false, upperLobe: false },
    { age: 80, smoker: true, cancer: true, diameter: 30, spiculation: true, upperLobe: true },
  ])('%o', (patient) => {
    const values = { ...patient, age: years(patient.age), diameter: { value: patient.diameter, unit: 'mm' } };
    // Integer features and 4-digit weights are exact in fixed point: the bound is 0.
    expect(nodule.model?.derived.error).toBe(0);
    const result = expectWithinBound(nodule, values, byEquation(patient), 9);
    expect(result.value).toBeCloseTo(byEquation(patient), 9);
  });

  it('takes a value off its unit’s step at the step (59.5 years as 60), so the bound of 0 still holds', () => {
    const patient = {
      age: 60,
      smoker: true,
      cancer: false,
      diameter: 12,
      spiculation: false,
      upperLobe: true,
    };
    const values = { ...patient, age: years(59.5), diameter: { value: 12, unit: 'mm' } };
    const result = expectWithinBound(nodule, values, byEquation(patient), 9);
    expect(result.value).toBeCloseTo(byEquation(patient), 9);
  });
});

describe('PREVENT base 10-year total CVD (Khan et al. 2024)', () => {
  const prevent = model('prevent-2023');
  interface Patient {
    sex: 'female' | 'male';
    age: number;
    /** Total and HDL cholesterol, in `unit`. */
    total: number;
    hdl: number;
    unit: 'mg/dL' | 'mmol/L';
    sbp: number;
    egfr: number;
    diabetes: boolean;
    smoker: boolean;
    bpTreated: boolean;
    statin: boolean;
  }
  /**
   * The published equations as preventr 0.12.0 (R/sysdata.rda, table base_10yr) and Linden's Stata
   * module (prevent10i.ado) print them, which agree in every digit: the coefficients of the terms
   * below, in their order, the constant last.
   */
  const COEFFICIENTS = {
    female: [
      0.7939329, 0.0305239, -0.1606857, -0.2394003, 0.3600781, 0.8667604, 0.5360739, 0.6045917, 0.0433769,
      0.3151672, -0.1477655, -0.0663612, 0.1197879, -0.0819715, 0.0306769, -0.0946348, -0.27057, -0.078715,
      -0.1637806, -3.307728,
    ],
    male: [
      0.7688528, 0.0736174, -0.0954431, -0.4347345, 0.3362658, 0.7692857, 0.4386871, 0.5378979, 0.0164827,
      0.288879, -0.1337349, -0.0475924, 0.150273, -0.0517874, 0.0191169, -0.1049477, -0.2251948, -0.0895067,
      -0.1543702, -3.031168,
    ],
  } as const;
  /** The 10-year risk in %, from the equations: cholesterol in mmol/L (mg/dL × 0.02586, as both convert). */
  const byEquation = (p: Patient) => {
    const toMmol = p.unit === 'mg/dL' ? 0.02586 : 1;
    const age = (p.age - 55) / 10;
    const nonHdl = (p.total - p.hdl) * toMmol - 3.5;
    const hdl = (p.hdl * toMmol - 1.3) / 0.3;
    const sbpHigh = (Math.max(p.sbp, 110) - 130) / 20;
    const egfrLow = (Math.min(p.egfr, 60) - 60) / -15;
    const [dm, smoking, bpTx, statin] = [p.diabetes, p.smoker, p.bpTreated, p.statin].map(Number) as [
      number,
      number,
      number,
      number,
    ];
    const terms = [
      age,
      nonHdl,
      hdl,
      (Math.min(p.sbp, 110) - 110) / 20,
      sbpHigh,
      dm,
      smoking,
      egfrLow,
      (Math.max(p.egfr, 60) - 90) / -15,
      bpTx,
      statin,
      bpTx * sbpHigh,
      statin * nonHdl,
      age * nonHdl,
      age * hdl,
      age * sbpHigh,
      age * dm,
      age * smoking,
      age * egfrLow,
      1,
    ];
    const x = terms.reduce((sum, term, i) => sum + term * (COEFFICIENTS[p.sex][i] as number), 0);
    return (100 * Math.exp(x)) / (1 + Math.exp(x));
  };
  const form = (p: Patient) => ({
    sex: p.sex,
    age: years(p.age),
    totalCholesterol: { value: p.total, unit: p.unit },
    hdl: { value: p.hdl, unit: p.unit },
    sbp: { value: p.sbp, unit: 'mmHg' },
    egfr: { value: p.egfr, unit: 'mL/min/1.73 m²' },
    diabetes: p.diabetes,
    smoker: p.smoker,
    bpTreated: p.bpTreated,
    statin: p.statin,
  });
  const documented = {
    age: 50,
    total: 200,
    hdl: 45,
    unit: 'mg/dL',
    sbp: 160,
    egfr: 90,
    diabetes: true,
    smoker: false,
    bpTreated: true,
    statin: false,
  } as const;

  // preventr's documented example (README.md, and tests/testthat/test-estimate_risk.R "Base model
  // works, female/male"; BMI 35 there, which the total-CVD equation does not use), printed 0.147 and 0.163.
  it.each([
    ['female', 14.7],
    ['male', 16.3],
  ] as const)('the documented example, %s → %f', (sex, published) => {
    const result = expectWithinBound(prevent, form({ ...documented, sex }), published, 1);
    expect(result.category).toBe('Intermediate (7.5–20 %)');
  });

  // Every term in use (SBP and eGFR on either side of their knots, statin, smoking, treatment, both
  // sexes, both cholesterol units), against the equations written out above.
  it.each<Patient>([
    {
      sex: 'female',
      age: 62,
      total: 240,
      hdl: 38,
      unit: 'mg/dL',
      sbp: 100,
      egfr: 45,
      diabetes: false,
      smoker: true,
      bpTreated: false,
      statin: true,
    },
    {
      sex: 'male',
      age: 45,
      total: 180,
      hdl: 55,
      unit: 'mg/dL',
      sbp: 135,
      egfr: 105,
      diabetes: true,
      smoker: true,
      bpTreated: true,
      statin: false,
    },
    {
      sex: 'male',
      age: 75,
      total: 5.8,
      hdl: 1.02,
      unit: 'mmol/L',
      sbp: 150,
      egfr: 58,
      diabetes: true,
      smoker: false,
      bpTreated: true,
      statin: true,
    },
    {
      sex: 'female',
      age: 35,
      total: 4.15,
      hdl: 1.81,
      unit: 'mmol/L',
      sbp: 118,
      egfr: 120,
      diabetes: false,
      smoker: false,
      bpTreated: false,
      statin: false,
    },
  ])('%o', (patient) => {
    expectWithinBound(prevent, form(patient), byEquation(patient), 9);
  });

  it('the documented example through the equations is the printed figure', () => {
    expect(byEquation({ ...documented, sex: 'female' })).toBeCloseTo(14.7, 1);
    expect(byEquation({ ...documented, sex: 'male' })).toBeCloseTo(16.3, 1);
  });
});
