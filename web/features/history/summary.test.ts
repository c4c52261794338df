import { describe, expect, test } from 'vitest';
import { bmi } from '../../../shared/computations/bmi.js';
import { cha2ds2Vasc } from '../../../shared/computations/cha2ds2-vasc.js';
import type { Computation } from '../../../shared/computations/computation.js';
import { describeInputs } from './summary.js';

describe('describeInputs', () => {
  test('numbers with the unit chosen, by the form’s labels and in the form’s order', () => {
    const inputs = { height: { value: 70.5, unit: 'in' }, weight: { value: 83.7, unit: 'kg' } };
    expect(describeInputs(bmi, inputs)).toBe('Weight 83.7 kg; Height 70.5 in');
  });

  test('ticked conditions by name, unticked ones left out, and the chosen option’s label', () => {
    const checkbox = cha2ds2Vasc.fields.find((field) => field.kind === 'boolean');
    if (checkbox?.kind !== 'boolean') throw new Error('cha2ds2-vasc has no yes/no field.');
    const inputs = { age: { value: 71, unit: 'years' }, sex: 'female', [checkbox.name]: true };
    const unticked = cha2ds2Vasc.fields.filter((field) => field.kind === 'boolean' && field !== checkbox);
    for (const field of unticked) Object.assign(inputs, { [field.name]: false });
    expect(describeInputs(cha2ds2Vasc, inputs)).toBe(`Age 71 years; Sex: Female; ${checkbox.label}`);
  });

  test('a series lists its readings', () => {
    const readings: Computation = {
      ...bmi,
      fields: [
        {
          kind: 'series',
          name: 'readings',
          label: 'Readings',
          maxItems: 7,
          boundsBy: { field: 'measure', bounds: {} },
        },
      ],
    };
    expect(describeInputs(readings, { readings: [120, 131.5, 118] })).toBe('Readings: 120, 131.5, 118');
  });

  test('a computation this version no longer knows shows raw names and values', () => {
    expect(describeInputs(undefined, { weight: { value: 80, unit: 'kg' }, smoker: true, sex: 'male' })).toBe(
      'weight: 80 kg; smoker: true; sex: male',
    );
  });
});
