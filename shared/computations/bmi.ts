/**
 * Body-mass index, the original demo's computation (spec: "`bmi`"), on multiplicative ElGamal.
 * The service returns E(weight · 100000) and E(height²); the client divides:
 * (0.1 kg units · 10^5) / mm² = kg/m².
 */

import { BODY_HEIGHT } from '../fhir/clinical-codes.js';
import { type Computation, type FormValues, named, type Plaintexts, type Severity } from './computation.js';
import { readQuantity } from './form.js';
import { KG_PER_LB, weightField, weightInKg } from './patient-fields.js';

const MM_PER_INCH = 25.4;

/** WHO adult classes (../reference/clinical.md); each upper bound is exclusive. */
const WHO_CLASSES: readonly { below: number; category: string; severity: Severity }[] = [
  { below: 16, category: 'Severe thinness', severity: 'danger' },
  { below: 17, category: 'Moderate thinness', severity: 'warning' },
  { below: 18.5, category: 'Mild thinness', severity: 'warning' },
  { below: 25, category: 'Normal weight', severity: 'normal' },
  { below: 30, category: 'Overweight', severity: 'warning' },
  { below: 35, category: 'Obesity class I', severity: 'warning' },
  { below: 40, category: 'Obesity class II', severity: 'danger' },
];
const OBESITY_CLASS_III = { category: 'Obesity class III', severity: 'danger' } as const;

export function whoBmiClass(bmi: number): { category: string; severity: Severity } {
  // Classify the value as displayed (one decimal), so "25.0" is never called normal weight.
  const shown = Math.round(bmi * 10) / 10;
  return WHO_CLASSES.find((c) => shown < c.below) ?? OBESITY_CLASS_III;
}

function heightInMetres(values: FormValues): number {
  const height = readQuantity(values, 'height');
  return height.unit === 'in' ? (height.value * MM_PER_INCH) / 1000 : height.value / 100;
}

/** The weights of BMI 18.5–24.9 at the patient's height, in the unit they weighed in. */
export function healthyWeightRange(values: FormValues): string {
  const squared = heightInMetres(values) ** 2;
  const inPounds = readQuantity(values, 'weight').unit === 'lb';
  const shown = (kg: number) => (inPounds ? kg / KG_PER_LB : kg).toFixed(0);
  return `${shown(18.5 * squared)}–${shown(24.9 * squared)} ${inPounds ? 'lb' : 'kg'}`;
}

export const bmi: Computation = {
  id: 'bmi',
  version: 1,
  title: 'Body-mass index',
  description:
    'Your weight for your height (kg/m²), with the healthy range for adults and your weight class.',
  scheme: 'multiplicative',
  group: 'ffdhe3072',
  inputs: [
    { name: 'weight', label: 'Body weight', unit: '0.1 kg', min: 10, max: 6500 },
    { name: 'height', label: 'Height', unit: 'mm', min: 300, max: 2800 },
  ],
  outputs: [
    { name: 'numerator', min: 10 * 100000, max: 6500 * 100000 },
    { name: 'denominator', min: 300 * 300, max: 2800 * 2800 },
  ],
  fields: [
    weightField({ min: 1, max: 650 }),
    {
      kind: 'number',
      name: 'height',
      label: 'Height',
      units: [
        { id: 'cm', label: 'cm', min: 30, max: 280, step: 0.1 },
        { id: 'in', label: 'in', min: 11.9, max: 110.2, step: 0.1 },
      ],
      codes: BODY_HEIGHT,
    },
  ],

  encodeInputs(values) {
    const height = readQuantity(values, 'height');
    const tenthsOfKg = weightInKg(values) * 10;
    const millimetres = height.unit === 'in' ? height.value * MM_PER_INCH : height.value * 10;
    return { weight: BigInt(Math.round(tenthsOfKg)), height: BigInt(Math.round(millimetres)) };
  },

  evaluation: {
    kind: 'public-monomial',
    outputs: {
      numerator: { exponents: { weight: 1 }, constant: 100000 },
      denominator: { exponents: { height: 2 }, constant: 1 },
    },
  },

  plausibility(values) {
    const bmi = weightInKg(values) / heightInMetres(values) ** 2;
    // The extremes reported in adults lie around 7 and 200 kg/m²; outside 10–150 a unit or digit is likely off.
    return bmi < 10 || bmi > 150
      ? 'This weight and height are each possible, but rarely if ever together: check both values and their units.'
      : undefined;
  },

  interpret(outputs: Plaintexts, values) {
    const value = Number(named(outputs, 'numerator')) / Number(named(outputs, 'denominator'));
    const who = whoBmiClass(value);
    return {
      value,
      display: `${value.toFixed(1)} kg/m²`,
      category: who.category,
      severity: who.severity,
      explanation:
        `A healthy BMI for adults is 18.5 to 24.9 (WHO); at your height that is ${healthyWeightRange(values)}. ` +
        'BMI does not tell fat from muscle and is not meant for children or pregnancy.',
    };
  },
};
