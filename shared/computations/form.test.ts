import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bmi } from './bmi.js';
import { COMPUTATIONS } from './catalog.js';
import { cha2ds2Vasc } from './cha2ds2-vasc.js';
import type { Computation, Field, FieldValue, FormValues, SeriesBounds } from './computation.js';
import { indicator, readChoice, readFlag, readQuantity, seriesBounds, validateForm } from './form.js';
import { framingham } from './framingham.js';
import { readingsSummary } from './readings-summary.js';

/** Any value a field accepts: for a number, any of its units and any value within that unit's bounds. */
function validFieldValue(field: Field): fc.Arbitrary<FieldValue> {
  switch (field.kind) {
    case 'boolean':
      return fc.boolean();
    case 'choice':
      return fc.constantFrom(...field.options.map((option) => option.value));
    case 'number':
      return fc
        .constantFrom(...field.units)
        .chain((unit) =>
          fc
            .oneof(
              fc.constantFrom(unit.min, unit.max),
              fc.double({ min: unit.min, max: unit.max, noNaN: true }),
            )
            .map((value) => ({ value, unit: unit.id })),
        );
    case 'date':
      return fc
        .date({ min: new Date(2000, 0, 1), max: new Date(), noInvalidDate: true })
        .map((date) => date.toISOString().slice(0, 10));
    case 'series':
      throw new TypeError('A series’ readings depend on the choice that bounds them: see validForm.');
  }
}

/** Readings a series' bounds accept: on their step (whole or tenths), from min to max. */
function validReadings(bounds: SeriesBounds, maxItems: number): fc.Arbitrary<readonly number[]> {
  const step = bounds.step ?? 1;
  const reading = fc
    .integer({ min: Math.ceil(bounds.min / step - 1e-9), max: Math.floor(bounds.max / step + 1e-9) })
    .map((k) => Number((k * step).toFixed(step < 1 ? 1 : 0)));
  return fc.array(reading, { minLength: 1, maxLength: maxItems });
}

function validForm(computation: Computation): fc.Arbitrary<FormValues> {
  const plain = computation.fields.filter((field) => field.kind !== 'series');
  return fc
    .record(Object.fromEntries(plain.map((field) => [field.name, validFieldValue(field)])))
    .chain((values) => {
      const series = computation.fields.flatMap((field) => {
        if (field.kind !== 'series') return [];
        const bounds = seriesBounds(field, values);
        if (!bounds) throw new Error(`${computation.id}: ${field.name} has no bounds for the chosen option.`);
        return [validReadings(bounds, field.maxItems).map((readings) => [field.name, readings] as const)];
      });
      return fc.tuple(...series).map((entries) => ({ ...values, ...Object.fromEntries(entries) }));
    });
}

const validBmi = { weight: { value: 70, unit: 'kg' }, height: { value: 175, unit: 'cm' } };
const validScore = {
  age: { value: 70, unit: 'years' },
  sex: 'female',
  chf: false,
  hypertension: true,
  diabetes: false,
  stroke: false,
  vascular: false,
};

describe.each(COMPUTATIONS.map((c) => [c.id, c] as const))('%s', (_, computation) => {
  it('encodes every valid form, in every unit, inside the protocol input ranges', () => {
    fc.assert(
      fc.property(validForm(computation), (values) => {
        expect(validateForm(computation, values)).toEqual({});
        const inputs = computation.encodeInputs(values);
        expect(Object.keys(inputs).sort()).toEqual(computation.inputs.map((i) => i.name).sort());
        for (const spec of computation.inputs) {
          const m = inputs[spec.name];
          expect(m, spec.name).toBeGreaterThanOrEqual(BigInt(spec.min));
          expect(m, spec.name).toBeLessThanOrEqual(BigInt(spec.max));
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('validateForm', () => {
  it('accepts complete forms', () => {
    expect(validateForm(bmi, validBmi)).toEqual({});
    expect(validateForm(cha2ds2Vasc, validScore)).toEqual({});
  });

  it('asks for a missing or non-numeric quantity', () => {
    expect(validateForm(bmi, { height: validBmi.height })).toEqual({ weight: 'Enter weight.' });
    expect(validateForm(bmi, { ...validBmi, height: { value: Number.NaN, unit: 'cm' } })).toEqual({
      height: 'Enter height.',
    });
    expect(validateForm(bmi, { ...validBmi, weight: 'heavy' })).toEqual({ weight: 'Enter weight.' });
  });

  it('gives the bounds of the chosen unit for an out-of-range quantity', () => {
    expect(validateForm(bmi, { ...validBmi, weight: { value: 0.9, unit: 'kg' } })).toEqual({
      weight: 'Weight must be between 1 and 650 kg.',
    });
    expect(validateForm(bmi, { ...validBmi, weight: { value: 1434, unit: 'lb' } })).toEqual({
      weight: 'Weight must be between 2.3 and 1433 lb.',
    });
    expect(validateForm(bmi, { ...validBmi, height: { value: 110.3, unit: 'in' } })).toEqual({
      height: 'Height must be between 11.9 and 110.2 in. Did you mean cm? Then choose cm next to the number.',
    });
    expect(
      validateForm(bmi, { ...validBmi, height: { value: Number.POSITIVE_INFINITY, unit: 'cm' } }),
    ).toEqual({
      height: 'Height must be between 30 and 280 cm.',
    });
  });

  it('rejects every value just outside each unit’s bounds', () => {
    for (const computation of COMPUTATIONS) {
      for (const field of computation.fields) {
        if (field.kind !== 'number') continue;
        for (const unit of field.units) {
          for (const value of [unit.min - unit.step / 10, unit.max + unit.step / 10]) {
            const errors = validateForm(computation, { [field.name]: { value, unit: unit.id } });
            expect(errors[field.name]).toMatch(
              new RegExp(`^${field.label} must be between ${unit.min} and ${unit.max} ${unit.label}\\.`),
            );
          }
        }
      }
    }
  });

  it('asks for a unit it knows', () => {
    expect(validateForm(bmi, { ...validBmi, weight: { value: 11, unit: 'st' } })).toEqual({
      weight: 'Choose a unit for weight.',
    });
  });

  it('asks for every unanswered yes/no question and an unknown choice', () => {
    expect(validateForm(cha2ds2Vasc, { age: validScore.age, sex: 'other' })).toEqual({
      sex: 'Choose one option for “Sex”.',
      chf: 'Answer “Congestive heart failure”.',
      hypertension: 'Answer “Hypertension”.',
      diabetes: 'Answer “Diabetes mellitus”.',
      stroke: 'Answer “Prior stroke, TIA or thromboembolism”.',
      vascular: 'Answer “Vascular disease”.',
    });
    expect(validateForm(cha2ds2Vasc, { ...validScore, chf: 'yes' })).toEqual({
      chf: 'Answer “Congestive heart failure”.',
    });
  });

  it('never repeats the value typed in its messages', () => {
    const errors = validateForm(bmi, {
      weight: { value: 12345.678, unit: 'kg' },
      height: { value: 98765.4, unit: 'cm' },
    });
    expect(Object.keys(errors).sort()).toEqual(['height', 'weight']);
    for (const message of Object.values(errors)) {
      expect(message).not.toContain('12345');
      expect(message).not.toContain('98765');
    }
  });
});

describe('validateForm names the likely problem', () => {
  it('suggests the other unit when the value is out of range in the chosen one and in range in it', () => {
    expect(
      validateForm(framingham, { totalCholesterol: { value: 5.5, unit: 'mg/dL' } }).totalCholesterol,
    ).toBe(
      'Total cholesterol must be between 50 and 600 mg/dL. Did you mean mmol/L? Then choose mmol/L next to the number.',
    );
    // 700 fits no unit: only the range is given.
    expect(
      validateForm(framingham, { totalCholesterol: { value: 700, unit: 'mg/dL' } }).totalCholesterol,
    ).toBe('Total cholesterol must be between 50 and 600 mg/dL.');
  });

  it('names every reading that is wrong, and accepts one decimal where the measure has it', () => {
    const readings = (list: readonly number[], measure = 'glucoseMmol') =>
      validateForm(readingsSummary, { measure, lastDay: '2026-03-01', readings: list }).readings;
    expect(readings([Number.NaN, 0.5, 5.4])).toBe(
      'Readings 1 and 2 must be numbers with at most one decimal from 1.1 to 33.3 mmol/L.',
    );
    expect(readings([5.4, 6.1, 99, 5.55])).toBe(
      'Readings 3 and 4 must be numbers with at most one decimal from 1.1 to 33.3 mmol/L.',
    );
    expect(readings([5.4, 6.1])).toBeUndefined();
    expect(readings([95.5], 'glucose')).toBeUndefined();
    expect(readings([120.5], 'systolic')).toBe(
      'Reading 1 must be a number from 60 to 260 mmHg (whole numbers).',
    );
  });

  it('wants a last day that exists and is not in the future', () => {
    const dayError = (lastDay: string) =>
      validateForm(readingsSummary, { measure: 'steps', lastDay, readings: [5000] }).lastDay;
    expect(dayError('2026-02-30')).toBe('Date of the last reading is not a date in the calendar.');
    expect(dayError('')).toBe('Enter date of the last reading.');
    const tomorrow = new Date();
    tomorrow.setDate(tomorrow.getDate() + 1);
    const iso = `${tomorrow.getFullYear()}-${String(tomorrow.getMonth() + 1).padStart(2, '0')}-${String(tomorrow.getDate()).padStart(2, '0')}`;
    expect(dayError(iso)).toBe('Date of the last reading cannot be in the future.');
    expect(dayError('2026-01-05')).toBeUndefined();
  });
});

describe('form readers', () => {
  it('read validated values and refuse anything else', () => {
    expect(readQuantity(validBmi, 'weight')).toEqual({ value: 70, unit: 'kg' });
    expect(readFlag(validScore, 'hypertension')).toBe(true);
    expect(readChoice(validScore, 'sex')).toBe('female');
    expect(() => readQuantity(validScore, 'sex')).toThrow(TypeError);
    expect(() => readFlag(validScore, 'age')).toThrow(TypeError);
    expect(() => readChoice(validScore, 'chf')).toThrow(TypeError);
    expect(() => readFlag({}, 'chf')).toThrow(TypeError);
  });

  it('turn a yes/no answer into a 0/1 plaintext', () => {
    expect(indicator(true)).toBe(1n);
    expect(indicator(false)).toBe(0n);
  });

  it('default to metric units for bmi (a number field’s first unit is its default)', () => {
    const defaults = bmi.fields.flatMap((field) => (field.kind === 'number' ? [field.units[0].id] : []));
    expect(defaults).toEqual(['kg', 'cm']);
  });
});
