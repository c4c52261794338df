import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { findComputation } from '../../../shared/computations/catalog.js';
import { validateForm } from '../../../shared/computations/form.js';
import { emptyDraft, formValuesOf, parseDecimal, parseWholeNumber } from './draft.js';

function computation(id: string) {
  const found = findComputation(id);
  if (!found) throw new Error(`No computation ${id} in the catalog.`);
  return found;
}

describe('parseDecimal', () => {
  test.each([
    ['83.7', 83.7],
    ['83,7', 83.7],
    [' 72 ', 72],
    ['.5', 0.5],
    ['-3', -3],
  ])('reads %s as %d', (text, value) => {
    expect(parseDecimal(text)).toBe(value);
  });

  test.each(['', 'abc', '1e3', '1.2.3', '0x10', '12 kg'])('refuses “%s”', (text) => {
    expect(parseDecimal(text)).toBeNaN();
  });
});

describe('parseWholeNumber', () => {
  test('reads every run of digits as that integer', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), (n) => {
        expect(parseWholeNumber(` ${n} `)).toBe(n);
      }),
    );
  });

  // A separator is ambiguous between locales (10,000 steps or 10.000?), so it is never guessed at.
  test.each(['10,000', '10.000', '10 000', '98.5', '-5', '+5', '', '1e3'])('refuses “%s”', (text) => {
    expect(parseWholeNumber(text)).toBeNaN();
  });
});

describe('formValuesOf', () => {
  test('a fresh readings form has one empty reading, which validation names', () => {
    const readings = computation('readings-summary');
    const draft = { ...emptyDraft(readings), choices: { measure: 'glucose' } };
    expect(draft.series).toEqual({ readings: [''] });
    expect(validateForm(readings, formValuesOf(readings, draft))).toEqual({
      readings: 'Reading 1 must be a whole number from 20 to 600 mg/dL.',
    });
  });

  test('reads the typed readings in order, and they validate', () => {
    const readings = computation('readings-summary');
    const draft = {
      ...emptyDraft(readings),
      choices: { measure: 'steps' },
      series: { readings: ['8200', ' 10400', '0'] },
    };
    const values = formValuesOf(readings, draft);
    expect(values).toEqual({ measure: 'steps', readings: [8200, 10400, 0] });
    expect(validateForm(readings, values)).toEqual({});
  });

  test('reads number fields with their unit and yes/no fields as booleans', () => {
    const framingham = computation('framingham-2008');
    const draft = emptyDraft(framingham);
    const values = formValuesOf(framingham, {
      ...draft,
      numbers: { ...draft.numbers, age: { text: '61', unit: 'years' } },
      flags: { ...draft.flags, smoker: true },
    });
    expect(values.age).toEqual({ value: 61, unit: 'years' });
    expect(values.totalCholesterol).toEqual({ value: Number.NaN, unit: 'mg/dL' });
    expect(values.smoker).toBe(true);
    expect(values.diabetes).toBe(false);
    expect(values.sex).toBeUndefined();
  });
});
