/**
 * Framingham 2008 general cardiovascular disease, 10-year risk (D'Agostino et al., Circulation 2008),
 * on additive ElGamal, with the model private to the service.
 *
 * The client derives the features on the device as fixed-point integers (×10^4: logarithms of age,
 * total and HDL cholesterol and systolic pressure; smoker and diabetes as 0 or 10^4). The service
 * holds the coefficients β (×10^4, in `server/models/`) and returns E(Σ β·x) in units of 10^−8.
 * This file, which ships to browsers, holds only what decoding needs: baseline survival S0 and the
 * mean linear predictor per sex, which the published model makes public anyway.
 *
 * Sex and blood-pressure treatment stay hidden from the service: every feature is sent once per sex
 * (x for the patient's sex, 0 for the other), and systolic pressure once as "untreated" and once as
 * "treated" (one of them 0). All 14 inputs are ciphertexts, and E(0) looks like any other, so the
 * service evaluates both sexes' models and both pressure coefficients without knowing which count.
 */

import { type Computation, named, type Severity } from './computation.js';
import { indicator, readFlag, readQuantity } from './form.js';
import { ageField, isFemale, sexField } from './patient-fields.js';

export const FRAMINGHAM_FEATURE_SCALE = 10_000;
export const FRAMINGHAM_WEIGHT_SCALE = 10_000;
const OUTPUT_SCALE = FRAMINGHAM_FEATURE_SCALE * FRAMINGHAM_WEIGHT_SCALE;

export const FRAMINGHAM_FEATURES = [
  'lnAge',
  'lnTotalCholesterol',
  'lnHdl',
  'lnSbpUntreated',
  'lnSbpTreated',
  'smoker',
  'diabetes',
] as const;
export type FraminghamFeature = (typeof FRAMINGHAM_FEATURES)[number];
export const FRAMINGHAM_SEXES = ['Male', 'Female'] as const;
export type FraminghamSex = (typeof FRAMINGHAM_SEXES)[number];

export function framinghamInputName(feature: FraminghamFeature, sex: FraminghamSex): string {
  return `${feature}${sex}`;
}

/** Public decoding constants (../reference/clinical.md). */
const BASELINE = {
  Male: { survival10y: 0.88936, meanLinearPredictor: 23.9802 },
  Female: { survival10y: 0.95012, meanLinearPredictor: 26.1931 },
} as const;

/** 10-year risk from the linear predictor Σβx: 1 − S0^exp(Σβx − mean). */
export function framinghamRisk(sex: FraminghamSex, linearPredictor: number): number {
  const { survival10y, meanLinearPredictor } = BASELINE[sex];
  return 1 - survival10y ** Math.exp(linearPredictor - meanLinearPredictor);
}

const MG_PER_DL_PER_MMOL_PER_L = 38.67;
const fixedLog = (x: number) => BigInt(Math.round(Math.log(x) * FRAMINGHAM_FEATURE_SCALE));

/** Largest fixed-point feature: ln of the largest value any field accepts. */
const MAX_FEATURE = {
  lnAge: fixedLog(95),
  lnTotalCholesterol: fixedLog(600),
  lnHdl: fixedLog(150),
  lnSbpUntreated: fixedLog(260),
  lnSbpTreated: fixedLog(260),
  smoker: BigInt(FRAMINGHAM_FEATURE_SCALE),
  diabetes: BigInt(FRAMINGHAM_FEATURE_SCALE),
} as const;

const RISK_GRADES: readonly { below: number; category: string; severity: Severity }[] = [
  { below: 0.1, category: 'Low risk (< 10 %)', severity: 'normal' },
  { below: 0.2, category: 'Intermediate risk (10–20 %)', severity: 'warning' },
  { below: Number.POSITIVE_INFINITY, category: 'High risk (≥ 20 %)', severity: 'danger' },
];

export const framingham: Computation = {
  id: 'framingham-2008',
  version: 1,
  title: 'Framingham 10-year cardiovascular risk',
  description:
    'Your chance of a first heart attack, stroke or other cardiovascular event in the next 10 years. ' +
    'The service keeps its formula to itself, and your browser keeps your values: neither sees the other’s.',
  scheme: 'additive',
  group: 'ristretto255',
  // The service's model file server/models/framingham-2008.private.json commits to its weights (the
  // published coefficients ×10^4) with this W; the app verifies every answer against it.
  evaluation: { kind: 'private-linear', commitment: '3FdA_5DIMSP662lnrbDAX6Pdi5OR3ktS4LU3eo9qJiE' },
  inputs: FRAMINGHAM_SEXES.flatMap((sex) =>
    FRAMINGHAM_FEATURES.map((feature) => ({
      name: framinghamInputName(feature, sex),
      label: `${feature} (${sex.toLowerCase()} model; 0 for the other sex)`,
      unit: feature === 'smoker' || feature === 'diabetes' ? '10^-4 indicator' : '10^-4 natural log',
      min: 0,
      max: Number(MAX_FEATURE[feature]),
    })),
  ),
  outputs: [
    {
      name: 'linearPredictor',
      min: 10 * OUTPUT_SCALE,
      max: 40 * OUTPUT_SCALE,
      // Between the two sexes' mean linear predictors, where most results lie.
      likely: Math.round(
        ((BASELINE.Male.meanLinearPredictor + BASELINE.Female.meanLinearPredictor) / 2) * OUTPUT_SCALE,
      ),
    },
  ],
  parameters: {
    outputScale: OUTPUT_SCALE,
    baselineSurvivalMale: BASELINE.Male.survival10y,
    baselineSurvivalFemale: BASELINE.Female.survival10y,
    meanLinearPredictorMale: BASELINE.Male.meanLinearPredictor,
    meanLinearPredictorFemale: BASELINE.Female.meanLinearPredictor,
  },
  fields: [
    sexField,
    ageField({ min: 20, max: 95, fitted: { min: 30, max: 74 } }),
    {
      kind: 'number',
      name: 'totalCholesterol',
      label: 'Total cholesterol',
      units: [
        { id: 'mg/dL', label: 'mg/dL', min: 50, max: 600, step: 1, fitted: { min: 100, max: 405 } },
        { id: 'mmol/L', label: 'mmol/L', min: 1.3, max: 15.5, step: 0.1, fitted: { min: 2.6, max: 10.5 } },
      ],
    },
    {
      kind: 'number',
      name: 'hdl',
      label: 'HDL cholesterol',
      units: [
        { id: 'mg/dL', label: 'mg/dL', min: 10, max: 150, step: 1, fitted: { min: 10, max: 100 } },
        { id: 'mmol/L', label: 'mmol/L', min: 0.26, max: 3.87, step: 0.01, fitted: { min: 0.26, max: 2.59 } },
      ],
    },
    {
      kind: 'number',
      name: 'sbp',
      label: 'Systolic blood pressure',
      units: [{ id: 'mmHg', label: 'mmHg', min: 70, max: 260, step: 1, fitted: { min: 90, max: 200 } }],
    },
    { kind: 'boolean', name: 'treated', label: 'On blood-pressure medication' },
    { kind: 'boolean', name: 'smoker', label: 'Current smoker' },
    { kind: 'boolean', name: 'diabetes', label: 'Diabetes' },
  ],

  plausibility(values) {
    // HDL is part of total cholesterol, so it cannot be the larger: a unit or a digit is likely off.
    const inMg = (name: string) => {
      const q = readQuantity(values, name);
      return q.unit === 'mmol/L' ? q.value * MG_PER_DL_PER_MMOL_PER_L : q.value;
    };
    return inMg('hdl') >= inMg('totalCholesterol')
      ? 'HDL cholesterol is part of total cholesterol, so it cannot be as high: check both values and their units.'
      : undefined;
  },

  encodeInputs(values) {
    const sex: FraminghamSex = isFemale(values) ? 'Female' : 'Male';
    const inMgPerDl = (name: string) => {
      const q = readQuantity(values, name);
      return q.unit === 'mmol/L' ? q.value * MG_PER_DL_PER_MMOL_PER_L : q.value;
    };
    const lnSbp = fixedLog(readQuantity(values, 'sbp').value);
    const treated = readFlag(values, 'treated');
    const scale = BigInt(FRAMINGHAM_FEATURE_SCALE);
    const features: Record<FraminghamFeature, bigint> = {
      lnAge: fixedLog(readQuantity(values, 'age').value),
      lnTotalCholesterol: fixedLog(inMgPerDl('totalCholesterol')),
      lnHdl: fixedLog(inMgPerDl('hdl')),
      lnSbpUntreated: treated ? 0n : lnSbp,
      lnSbpTreated: treated ? lnSbp : 0n,
      smoker: indicator(readFlag(values, 'smoker')) * scale,
      diabetes: indicator(readFlag(values, 'diabetes')) * scale,
    };
    const plaintexts: Record<string, bigint> = {};
    for (const s of FRAMINGHAM_SEXES) {
      for (const feature of FRAMINGHAM_FEATURES) {
        plaintexts[framinghamInputName(feature, s)] = s === sex ? features[feature] : 0n;
      }
    }
    return plaintexts;
  },

  interpret(outputs, values) {
    const sex: FraminghamSex = isFemale(values) ? 'Female' : 'Male';
    const linearPredictor = Number(named(outputs, 'linearPredictor')) / OUTPUT_SCALE;
    const risk = framinghamRisk(sex, linearPredictor);
    // Graded as displayed (0.1 %), so "10.0 %" is never called low risk (< 10 %).
    const shown = Math.round(risk * 1000) / 1000;
    const grade = RISK_GRADES.find((g) => shown < g.below) ?? RISK_GRADES[RISK_GRADES.length - 1];
    return {
      value: risk * 100,
      display: `${(risk * 100).toFixed(1)} %`,
      category: grade?.category ?? '',
      severity: grade?.severity ?? 'info',
      explanation:
        `About ${Math.round(risk * 100)} in 100 people with these values have a first heart attack, stroke, ` +
        'heart failure or other cardiovascular event within 10 years, according to the Framingham Heart Study ' +
        '(D’Agostino et al. 2008). It does not apply to people who already have cardiovascular disease.',
      technical: `Linear predictor Σβx = ${linearPredictor.toFixed(4)} (the ${sex.toLowerCase()} model’s weighted sum)`,
    };
  },
};
