/**
 * A model with four equations (the 2013 Pooled Cohort Equations, by sex × race: Goff et al. 2013,
 * Table A) served from one model file with two strata fields: in every stratum the result through the
 * service (encrypt, evaluate and prove, verify, decrypt, link) and through `npm run model -- try`
 * equals the published formula, 1 − S0^exp(Σβx − mean), computed here from Table A itself.
 */

import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { encryptInputs, generateGroupKeyPair, verifyAndDecryptOutputs } from '../shared/client.js';
import type { FormValues } from '../shared/computations/computation.js';
import { evaluateAndProve } from './evaluation.js';
import { loadServedCatalog, publicModelFile } from './served-catalog.js';

const FIXTURE = fileURLToPath(
  new URL('../shared/models/fixtures/pooled-cohort-2013.model.json', import.meta.url),
);
const ID = 'pooled-cohort-2013';

/**
 * Table A: β for ln age, (ln age)², ln TC, ln age × ln TC, ln HDL, ln age × ln HDL, ln treated SBP,
 * ln age × ln treated SBP, ln untreated SBP, ln age × ln untreated SBP, smoker, ln age × smoker,
 * diabetes (0 where an equation has no such term); the mean Σβx̄ and the 10-year baseline survival.
 */
const TABLE_A = {
  'female/white': {
    beta: [-29.799, 4.884, 13.54, -3.114, -13.578, 3.149, 2.019, 0, 1.957, 0, 7.574, -1.665, 0.661],
    mean: -29.18,
    s0: 0.9665,
  },
  'female/black': {
    beta: [17.114, 0, 0.94, 0, -18.92, 4.475, 29.291, -6.432, 27.82, -6.087, 0.691, 0, 0.874],
    mean: 86.61,
    s0: 0.9533,
  },
  'male/white': {
    beta: [12.344, 0, 11.853, -2.664, -7.99, 1.769, 1.797, 0, 1.764, 0, 7.837, -1.795, 0.658],
    mean: 61.18,
    s0: 0.9144,
  },
  'male/black': {
    beta: [2.469, 0, 0.302, 0, -0.307, 0, 1.916, 0, 1.809, 0, 0.549, 0, 0.645],
    mean: 19.54,
    s0: 0.8954,
  },
} as const;
type Stratum = keyof typeof TABLE_A;

interface Patient {
  readonly age: number;
  readonly tc: number;
  readonly hdl: number;
  readonly sbp: number;
  readonly treated: boolean;
  readonly smoker: boolean;
  readonly diabetes: boolean;
}

/** Σβx and the 10-year risk in % by Table A's formula (the risk at Σβx + shift, for the bound). */
function published(stratum: Stratum, p: Patient, shift = 0): { sum: number; risk: number } {
  const { beta, mean, s0 } = TABLE_A[stratum];
  const [a, tc, hdl, sbp] = [Math.log(p.age), Math.log(p.tc), Math.log(p.hdl), Math.log(p.sbp)];
  const [t, s, d] = [Number(p.treated), Number(p.smoker), Number(p.diabetes)];
  const x = [
    a,
    a * a,
    tc,
    a * tc,
    hdl,
    a * hdl,
    t * sbp,
    t * a * sbp,
    (1 - t) * sbp,
    (1 - t) * a * sbp,
    s,
    s * a,
    d,
  ];
  const sum = x.reduce((acc, xi, i) => acc + (beta[i] as number) * xi, 0);
  return { sum, risk: 100 * (1 - s0 ** Math.exp(sum + shift - mean)) };
}

function form(stratum: Stratum, p: Patient): FormValues {
  const [sex, race] = stratum.split('/') as [string, string];
  return {
    sex,
    race,
    age: { value: p.age, unit: 'years' },
    totalCholesterol: { value: p.tc, unit: 'mg/dL' },
    hdl: { value: p.hdl, unit: 'mg/dL' },
    sbp: { value: p.sbp, unit: 'mmHg' },
    treated: p.treated,
    smoker: p.smoker,
    diabetes: p.diabetes,
  };
}

/** Table A's example: 55 years, TC 213, HDL 50, SBP 120 untreated, non-smoker, no diabetes. */
const EXAMPLE: Patient = {
  age: 55,
  tc: 213,
  hdl: 50,
  sbp: 120,
  treated: false,
  smoker: false,
  diabetes: false,
};
/** Table A's sums (of terms each rounded to 2 decimals) and risks (%) for the example. */
const EXAMPLE_PUBLISHED: Record<Stratum, { sum: number; risk: number }> = {
  'female/white': { sum: -29.67, risk: 2.1 },
  'female/black': { sum: 86.16, risk: 3.0 },
  'male/white': { sum: 60.69, risk: 5.3 },
  'male/black': { sum: 18.97, risk: 6.1 },
};

/** Patients over the whole accepted range, drawn once per run (seeded: a failure can be rerun). */
function patients(seed: number, count: number): Patient[] {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const between = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return Array.from({ length: count }, () => ({
    age: between(40, 79),
    tc: between(130, 320),
    hdl: between(20, 100),
    sbp: between(90, 200),
    treated: next() < 0.5,
    smoker: next() < 0.5,
    diabetes: next() < 0.5,
  }));
}

const dir = mkdtempSync(join(tmpdir(), 'models-strata-'));
copyFileSync(FIXTURE, publicModelFile(dir, ID));
const served = loadServedCatalog(dir).get(ID);
if (!served) throw new Error(`${ID} was not served.`);
const { computation } = served;
const model = computation.model;
if (!model) throw new Error(`${ID} is not a model.`);
const { error } = model.derived;

/** The result is the formula's risk at a Σβx within the published error bound of the exact one. */
function expectWithinBound(result: number, stratum: Stratum, patient: Patient) {
  const [low, high] = [-error, error].map((shift) => published(stratum, patient, shift).risk) as [
    number,
    number,
  ];
  expect(result, JSON.stringify(patient)).toBeGreaterThanOrEqual(low - 1e-6);
  expect(result, JSON.stringify(patient)).toBeLessThanOrEqual(high + 1e-6);
}

describe('the Pooled Cohort Equations, four equations by sex × race in one model file', () => {
  it('Table A’s example: its sums, and its risks as printed (white men: from its rounded sum)', () => {
    for (const stratum of Object.keys(TABLE_A) as Stratum[]) {
      const { sum, risk } = published(stratum, EXAMPLE);
      const printed = EXAMPLE_PUBLISHED[stratum];
      expect(Math.abs(sum - printed.sum), stratum).toBeLessThan(0.02);
      const { mean, s0 } = TABLE_A[stratum];
      const fromPrintedSum = 100 * (1 - s0 ** Math.exp(printed.sum - mean));
      expect(Number(fromPrintedSum.toFixed(1)), stratum).toBe(printed.risk);
      expect(Math.abs(risk - fromPrintedSum), stratum).toBeLessThan(0.06);
    }
  });

  it.each(Object.keys(TABLE_A) as Stratum[])(
    '%s: the service’s proved answer, verified and decrypted, is the published formula',
    (stratum) => {
      const key = generateGroupKeyPair(computation.group);
      for (const patient of [EXAMPLE, ...patients(stratum.length * 7919, 4)]) {
        const values = form(stratum, patient);
        const request = JSON.parse(
          JSON.stringify(encryptInputs(computation, key, computation.encodeInputs(values))),
        );
        const response = JSON.parse(JSON.stringify(evaluateAndProve(served, request)));
        const outputs = verifyAndDecryptOutputs(computation, key, request, response);
        const result = computation.interpret(outputs, values);
        const expected = published(stratum, patient);
        const lp = Number(outputs[model.output]) / 10 ** (model.precision.features + model.precision.weights);
        expect(Math.abs(lp - expected.sum), JSON.stringify(patient)).toBeLessThanOrEqual(error);
        expectWithinBound(result.value, stratum, patient);
      }
    },
    60_000,
  );
});

const run = promisify(execFile);

describe('npm run model -- try, in every stratum', () => {
  it.each(Object.keys(TABLE_A) as Stratum[])(
    '%s: the plaintext line is the published formula, the encrypted one within the bound',
    async (stratum) => {
      const [sex, race] = stratum.split('/');
      const { stdout } = await run(process.execPath, [
        '--import',
        'tsx',
        'scripts/model.ts',
        'try',
        FIXTURE,
        '--values',
        `sex=${sex},race=${race},age=55,totalCholesterol=213,hdl=50,sbp=120,treated=no,smoker=no,diabetes=no`,
      ]);
      const plaintext = /plaintext {4}Σβx = (\S+) {3}result (\S+)/.exec(stdout);
      const encrypted = /encrypted .* result (\S+) → /.exec(stdout);
      const expected = published(stratum, EXAMPLE);
      expect(Number(plaintext?.[1])).toBeCloseTo(expected.sum, 5);
      expect(Number(plaintext?.[2])).toBeCloseTo(expected.risk, 6);
      expectWithinBound(Number(encrypted?.[1]), stratum, EXAMPLE);
    },
    60_000,
  );
});
