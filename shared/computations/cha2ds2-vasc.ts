/**
 * CHA₂DS₂-VASc stroke-risk score in atrial fibrillation (spec: "`cha2ds2-vasc`"), on additive
 * ElGamal: the service returns E(Σ weight·indicator); age and sex become indicators on the device.
 */

import { type Computation, named, type Severity } from './computation.js';
import { indicator, readFlag, readQuantity } from './form.js';
import { ageField, isFemale, sexField } from './patient-fields.js';

/** Points per indicator (../reference/clinical.md), and how the public catalog names each input. */
const WEIGHTS = {
  chf: 1,
  hypertension: 1,
  age65to74: 1,
  age75plus: 2,
  diabetes: 1,
  stroke: 2,
  vascular: 1,
  female: 1,
} as const;
const INPUT_LABELS: Record<keyof typeof WEIGHTS, string> = {
  chf: 'Congestive heart failure',
  hypertension: 'Hypertension',
  age65to74: 'Age 65–74',
  age75plus: 'Age 75 or older',
  diabetes: 'Diabetes mellitus',
  stroke: 'Prior stroke, TIA or thromboembolism',
  vascular: 'Vascular disease',
  female: 'Female sex',
};

/**
 * Adjusted stroke rate (% per year) by score, from Lip et al., Stroke 2010, as tabled in the
 * ESC 2010 atrial fibrillation guidelines. Index = score.
 */
const ANNUAL_STROKE_RATE = [0, 1.3, 2.2, 3.2, 4.0, 6.7, 9.8, 9.6, 6.7, 15.2] as const;

const yesNo = (name: string, label: string, help: string) =>
  ({ kind: 'boolean', name, label, help }) as const;

export const cha2ds2Vasc: Computation = {
  id: 'cha2ds2-vasc',
  version: 1,
  title: 'CHA₂DS₂-VASc stroke risk',
  description: 'Stroke-risk score for people with atrial fibrillation (0–9), with its risk category.',
  scheme: 'additive',
  group: 'ristretto255',
  inputs: Object.entries(INPUT_LABELS).map(([name, label]) => ({
    name,
    label,
    unit: '0 or 1',
    min: 0,
    max: 1,
  })),
  outputs: [{ name: 'score', min: 0, max: 9 }],
  fields: [
    ageField(
      { min: 18, max: 120 },
      'Turned into “65–74” and “75 or older” on this device; the age itself is never sent.',
    ),
    sexField,
    yesNo(
      'chf',
      'Congestive heart failure',
      'Signs or symptoms of heart failure, or reduced ejection fraction.',
    ),
    yesNo('hypertension', 'Hypertension', 'Treated or untreated high blood pressure.'),
    yesNo('diabetes', 'Diabetes mellitus', 'Type 1 or type 2 diabetes.'),
    yesNo('stroke', 'Prior stroke, TIA or thromboembolism', 'Counts double.'),
    yesNo('vascular', 'Vascular disease', 'Prior heart attack, peripheral artery disease or aortic plaque.'),
  ],

  encodeInputs(values) {
    const age = readQuantity(values, 'age').value;
    return {
      chf: indicator(readFlag(values, 'chf')),
      hypertension: indicator(readFlag(values, 'hypertension')),
      age65to74: indicator(age >= 65 && age < 75),
      age75plus: indicator(age >= 75),
      diabetes: indicator(readFlag(values, 'diabetes')),
      stroke: indicator(readFlag(values, 'stroke')),
      vascular: indicator(readFlag(values, 'vascular')),
      female: indicator(isFemale(values)),
    };
  },

  evaluation: { kind: 'public-linear', outputs: { score: { weights: WEIGHTS, constant: 0 } } },

  interpret(outputs, values) {
    const score = Number(named(outputs, 'score'));
    // Sex alone scores a point for women; ESC 2020 grades risk on the score without it.
    const withoutSex = score - (isFemale(values) ? 1 : 0);
    const rate = ANNUAL_STROKE_RATE[score] ?? Number.NaN;
    const grade: { category: string; severity: Severity; advice: string } =
      withoutSex <= 0
        ? {
            category: 'Low risk',
            severity: 'normal',
            advice: 'Anticoagulation is generally not recommended.',
          }
        : withoutSex === 1
          ? {
              category: 'Moderate risk',
              severity: 'warning',
              advice: 'Anticoagulation should be considered.',
            }
          : { category: 'High risk', severity: 'danger', advice: 'Anticoagulation is recommended.' };
    return {
      value: score,
      display: `${score} of 9`,
      category: grade.category,
      severity: grade.severity,
      explanation:
        `Adjusted stroke rate about ${rate.toFixed(1)}% per year (Lip et al. 2010). ${grade.advice} ` +
        '(ESC 2020 guideline; discuss with your clinician, who also weighs bleeding risk.)',
    };
  },
};
