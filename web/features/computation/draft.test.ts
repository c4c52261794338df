import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { findComputation } from '../../../shared/computations/catalog.js';
import { validateForm } from '../../../shared/computations/form.js';
import {
  emptyDraft,
  formValuesOf,
  parseDecimal,
  parseWholeNumber,
  today,
  unreadableNumber,
} from './draft.js';

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
      readings: 'Reading 1 must be a number from 20 to 600 mg/dL (numbers with at most one decimal).',
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
    expect(values).toEqual({ measure: 'steps', lastDay: today(), readings: [8200, 10400, 0] });
    expect(validateForm(readings, values)).toEqual({});
  });

  test('reads glucose readings with one decimal, with a point or a comma', () => {
    const readings = computation('readings-summary');
    const draft = {
      ...emptyDraft(readings),
      choices: { measure: 'glucoseMmol' },
      series: { readings: ['5.4', '6,1', '7'] },
    };
    expect(formValuesOf(readings, draft).readings).toEqual([5.4, 6.1, 7]);
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

describe('unreadableNumber', () => {
  const bmi = computation('bmi');
  const weight = bmi.fields.find((field) => field.kind === 'number' && field.name === 'weight');
  if (weight?.kind !== 'number') throw new Error('bmi has no weight field.');

  test.each([
    ['abc', 'Weight must be written in digits (0–9), not in words.'],
    ['seventy', 'Weight must be written in digits (0–9), not in words.'],
    ['70kg', 'Type only the number for weight: the unit (kg) is already next to it.'],
    ['154 lb', 'Type only the number for weight, and choose lb in the list next to it.'],
    ['1e2', 'Write weight as a plain number (such as 100, not 1e2).'],
    ['1.2.3', 'Weight must be one number, with at most one decimal point.'],
  ])('“%s”: %s', (text, message) => {
    expect(unreadableNumber(weight, text, 'kg')).toBe(message);
  });

  test.each(['', '  ', '72.5', '72,5'])('has nothing to say about “%s”', (text) => {
    expect(unreadableNumber(weight, text, 'kg')).toBeUndefined();
  });
});
