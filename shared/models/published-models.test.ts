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
import { linkResult } from './model-computation.js';

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
  const stratum = description.strata ? String(values[description.strata.field]) : undefined;
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
    expect(files.length).toBeGreaterThanOrEqual(4);
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
