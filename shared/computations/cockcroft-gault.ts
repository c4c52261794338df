/**
 * Cockcroft–Gault creatinine clearance (mL/min), on multiplicative ElGamal like BMI:
 * CrCl = (140 − age) · weight[kg] · (0.85 if female) / (72 · serum creatinine[mg/dL]).
 * The service returns E(numerator) and E(denominator); the client divides.
 *
 * Creatinine travels in nmol/L so that both units the patient may type are exact integers
 * (mg/dL with two decimals × 88 400, µmol/L with one decimal × 1 000), and the sex factor as an
 * encrypted 85 or 100, so the service learns neither. Weight travels in grams: 0.1 lb is not a whole
 * number of 0.1 kg, and rounding it there moved the result by up to 0.7 mL/min at the lowest creatinine
 * (CrCl changes by up to 14 mL/min per kg); in grams the rounding costs < 0.01 mL/min. So:
 *   CrCl = ageFactor · weight · sexFactor · 884 / (creatinine · 72 000).
 */

import { serumCreatinine } from '../fhir/clinical-codes.js';
import { type Computation, named, type Severity } from './computation.js';
import { readQuantity } from './form.js';
import { ageField, isFemale, sexField, weightField, weightInKg } from './patient-fields.js';

const NMOL_PER_L_PER_MG_PER_DL = 88_400;

/** KDIGO kidney-function bands, used by convention for clearance too; lower bounds inclusive. */
const BANDS: readonly { atLeast: number; category: string; severity: Severity }[] = [
  { atLeast: 90, category: 'Normal or high (≥ 90 mL/min)', severity: 'normal' },
  { atLeast: 60, category: 'Mildly decreased (60–89 mL/min)', severity: 'info' },
  { atLeast: 30, category: 'Moderately decreased (30–59 mL/min)', severity: 'warning' },
  { atLeast: 15, category: 'Severely decreased (15–29 mL/min)', severity: 'danger' },
  { atLeast: 0, category: 'Kidney failure range (< 15 mL/min)', severity: 'danger' },
];

export const cockcroftGault: Computation = {
  id: 'cockcroft-gault',
  version: 1,
  title: 'Creatinine clearance (Cockcroft–Gault)',
  description: 'Estimated creatinine clearance in mL/min, as used for drug dosing.',
  scheme: 'multiplicative',
  group: 'ffdhe3072',
  inputs: [
    { name: 'ageFactor', label: '140 − age', unit: 'years', min: 30, max: 122 },
    { name: 'weight', label: 'Body weight', unit: 'g', min: 20_000, max: 300_000 },
    { name: 'sexFactor', label: 'Sex factor', unit: '0.01', min: 85, max: 100 },
    { name: 'creatinine', label: 'Serum creatinine', unit: 'nmol/L', min: 10_000, max: 2_000_000 },
  ],
  outputs: [
    { name: 'numerator', min: 30 * 20_000 * 85 * 884, max: 122 * 300_000 * 100 * 884 },
    { name: 'denominator', min: 10_000 * 72_000, max: 2_000_000 * 72_000 },
  ],
  fields: [
    ageField({ min: 18, max: 110 }),
    sexField,
    weightField({ min: 20, max: 300 }),
    {
      kind: 'number',
      name: 'creatinine',
      label: 'Serum creatinine',
      units: [
        { id: 'mg/dL', label: 'mg/dL', min: 0.12, max: 22.62, step: 0.01 },
        { id: 'umol/L', label: 'µmol/L', min: 10, max: 2000, step: 0.1 },
      ],
      codes: serumCreatinine({ 'mg/dL': 'mg/dL', 'umol/L': 'umol/L' }),
    },
  ],

  encodeInputs(values) {
    const creatinine = readQuantity(values, 'creatinine');
    const grams = weightInKg(values) * 1000;
    const nanomolar =
      creatinine.unit === 'mg/dL' ? creatinine.value * NMOL_PER_L_PER_MG_PER_DL : creatinine.value * 1000;
    return {
      ageFactor: BigInt(140 - Math.round(readQuantity(values, 'age').value)),
      weight: BigInt(Math.round(grams)),
      sexFactor: isFemale(values) ? 85n : 100n,
      creatinine: BigInt(Math.round(nanomolar)),
    };
  },

  evaluation: {
    kind: 'public-monomial',
    outputs: {
      numerator: { exponents: { ageFactor: 1, weight: 1, sexFactor: 1 }, constant: 884 },
      denominator: { exponents: { creatinine: 1 }, constant: 72_000 },
    },
  },

  interpret(outputs) {
    const value = Number(named(outputs, 'numerator')) / Number(named(outputs, 'denominator'));
    // Classify the value as displayed (one decimal), so "90.0 mL/min" is never called mildly decreased.
    const shown = Math.round(value * 10) / 10;
    const band = BANDS.find((b) => shown >= b.atLeast) ?? BANDS[BANDS.length - 1];
    return {
      value,
      display: `${value.toFixed(1)} mL/min`,
      category: band?.category ?? '',
      severity: band?.severity ?? 'info',
      explanation:
        'Cockcroft–Gault estimate with actual body weight. It is less reliable in obesity, at extremes of ' +
        'muscle mass and when kidney function is changing; ask your clinician before adjusting any dose.',
    };
  },
};
