/** Fields several computations ask for, defined once so their labels, units and conversions agree. */

import { AGE, BODY_WEIGHT, SEX } from '../fhir/clinical-codes.js';
import type { Field, FormValues, UnitOption } from './computation.js';
import { readChoice, readQuantity } from './form.js';

/** International avoirdupois pound (exact by definition). */
export const KG_PER_LB = 0.45359237;

export const sexField: Field = {
  kind: 'choice',
  name: 'sex',
  label: 'Sex',
  options: [
    { value: 'female', label: 'Female' },
    { value: 'male', label: 'Male' },
  ],
  codes: SEX,
};

export function isFemale(values: FormValues): boolean {
  return readChoice(values, 'sex') === 'female';
}

export function ageField(bounds: Pick<UnitOption, 'min' | 'max' | 'fitted'>, help?: string): Field {
  const years: UnitOption = { id: 'years', label: 'years', step: 1, ...bounds };
  return { kind: 'number', name: 'age', label: 'Age', ...(help ? { help } : {}), units: [years], codes: AGE };
}

/**
 * Weight in kg or lb. The pound bounds are the kilogram bounds converted and rounded inwards to the
 * 0.1 lb step, so every value the form accepts encodes inside the protocol's range.
 */
export function weightField(kg: { min: number; max: number }): Field {
  return {
    kind: 'number',
    name: 'weight',
    label: 'Weight',
    units: [
      { id: 'kg', label: 'kg', ...kg, step: 0.1 },
      {
        id: 'lb',
        label: 'lb',
        min: Math.ceil((kg.min / KG_PER_LB) * 10) / 10,
        max: Math.floor((kg.max / KG_PER_LB) * 10) / 10,
        step: 0.1,
      },
    ],
    codes: BODY_WEIGHT,
  };
}

export function weightInKg(values: FormValues): number {
  const weight = readQuantity(values, 'weight');
  return weight.unit === 'lb' ? weight.value * KG_PER_LB : weight.value;
}
