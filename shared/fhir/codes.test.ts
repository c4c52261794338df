/**
 * Field codes: check digits, what a model file may say and the messages that stop a start, the
 * shipped fields' codes and UCUM units (with the UCUM library), and the built-in model files' codes
 * equal to the shipped table's.
 */

import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MODELS_DIR } from '../../server/served-catalog.js';
import { COMPUTATIONS } from '../computations/catalog.js';
import type { Field } from '../computations/computation.js';
import { type ModelField, parseModel } from '../models/model.js';
import {
  AGE,
  CURRENT_SMOKER,
  DIABETES,
  HDL_CHOLESTEROL,
  SEX,
  SYSTOLIC_PRESSURE,
  serumCreatinine,
  TOTAL_CHOLESTEROL,
} from './clinical-codes.js';
import { codingMatches, loincCheckDigit, parseCode, verhoeffValid } from './codes.js';
import { ucumConverter } from './ucum.js';

const file = (id: string) => JSON.parse(readFileSync(`${DEFAULT_MODELS_DIR}/${id}.model.json`, 'utf8'));
const MODEL_FILES = ['ckd-epi-2021', 'prevent-2023'].map((id) => parseModel(file(id)));

describe('codes', () => {
  it('LOINC’s check digit (the LOINC users’ guide’s example 12345-5, and codes of the table)', () => {
    expect(loincCheckDigit('12345')).toBe(5);
    for (const code of [
      '29463-7',
      '8302-2',
      '8480-6',
      '8462-4',
      '85354-9',
      '2093-3',
      '2085-9',
      '2160-0',
      '2339-0',
      '2345-7',
      '4548-4',
      '72166-2',
    ])
      expect(() => parseCode(`loinc:${code}`, 'x', ['loinc'])).not.toThrow();
  });

  it('any one digit changed in a LOINC or SNOMED CT code is caught', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('2093-3', '8480-6', '72166-2'),
        fc.nat(),
        fc.integer({ min: 1, max: 9 }),
        (code, at, by) => {
          const digits = [...code].map((c, i) => ({ c, i })).filter(({ c }) => c !== '-');
          const { i } = digits[at % digits.length] as { i: number };
          const changed = code.slice(0, i) + String((Number(code[i]) + by) % 10) + code.slice(i + 1);
          expect(() => parseCode(`loinc:${changed}`, 'x', ['loinc'])).toThrow();
        },
      ),
    );
    fc.assert(
      fc.property(
        fc.constantFrom('73211009', '449868002', '428041000124106'),
        fc.nat(),
        fc.integer({ min: 1, max: 9 }),
        (code, at, by) => {
          const i = at % code.length;
          const changed = code.slice(0, i) + String((Number(code[i]) + by) % 10) + code.slice(i + 1);
          expect(verhoeffValid(changed)).toBe(false);
        },
      ),
    );
  });

  it('ICD-10 matches down its hierarchy, SNOMED CT and LOINC exactly, by any of a system’s URIs', () => {
    expect(codingMatches(['icd10:E11'], 'http://hl7.org/fhir/sid/icd-10-cm', 'E11.65')).toBe(true);
    expect(codingMatches(['icd10:I25.2'], 'http://hl7.org/fhir/sid/icd-10', 'I252')).toBe(true);
    expect(codingMatches(['icd10:I25.2'], 'http://hl7.org/fhir/sid/icd-10', 'I25.10')).toBe(false);
    expect(codingMatches(['snomed:73211009'], 'urn:oid:2.16.840.1.113883.6.96', '73211009')).toBe(true);
    expect(codingMatches(['loinc:2093-3'], 'http://loinc.org', '2093-33')).toBe(false);
    expect(codingMatches(['loinc:2093-3'], 'http://snomed.info/sct', '2093-3')).toBe(false);
  });
});

describe('a model file’s codes', () => {
  const withCodes = (field: string, codes: unknown) => {
    const ckd = file('ckd-epi-2021');
    return {
      ...ckd,
      fields: ckd.fields.map((f: { name: string }) => (f.name === field ? { ...f, codes } : f)),
    };
  };
  it.each([
    [
      { ...serumCreatinine({}), observations: ['loinc:2160-1'] },
      'fields.creatinine.codes.observations[0]: loinc:2160-1: the LOINC check digit is wrong',
    ],
    [
      { observations: ['2160-0'], ucum: {} },
      'fields.creatinine.codes.observations[0]: "2160-0" must be written loinc:…',
    ],
    [
      { observations: ['loinc:2160-0'] },
      'fields.creatinine.codes.ucum: must give the UCUM code of each of the field’s units',
    ],
    [
      { observations: ['loinc:2160-0'], ucum: { 'mg/dL': 'mg/dL' } },
      'fields.creatinine.codes.ucum.µmol/L: is missing: give its UCUM code',
    ],
    [
      { observations: ['loinc:2160-0'], ucum: { 'mg/dL': 'mg/dL', 'µmol/L': 'µmol/L' } },
      'fields.creatinine.codes.ucum.µmol/L: must be a UCUM code',
    ],
    [
      { conditions: ['snomed:73211009'] },
      'fields.creatinine.codes: a number field is read from observations or the birth date',
    ],
    [
      { observations: ['loinc:2160-0'], patient: 'birthDate', ucum: {} },
      'fields.creatinine.codes: must name exactly one of observations, conditions or patient',
    ],
    [
      { ...serumCreatinine({ 'mg/dL': 'mg/dL', 'µmol/L': 'umol/L' }), maxAgeDays: 0 },
      'fields.creatinine.codes.maxAgeDays: must be a whole number of days',
    ],
    [
      { ...serumCreatinine({ 'mg/dL': 'mg/dL', 'µmol/L': 'umol/L' }), loinc: [] },
      'fields.creatinine.codes.loinc: unknown field',
    ],
  ])('%j is refused', (codes, message) => {
    expect(() => parseModel(withCodes('creatinine', codes))).toThrow(message);
  });
  it('a sex from the gender needs female and male; conditions answer yes/no fields only', () => {
    expect(() => parseModel(withCodes('sex', { patient: 'birthDate' }))).toThrow(
      'fields.sex.codes.patient: must be "birthDate" for a number field',
    );
    expect(() => parseModel(withCodes('sex', DIABETES))).toThrow(
      'fields.sex.codes.conditions: a condition answers a yes/no field only',
    );
  });
  it('a smoking answer may not mean two things', () => {
    const prevent = file('prevent-2023');
    const smoker = { ...CURRENT_SMOKER, answers: { yes: ['snomed:8517006'], no: ['snomed:8517006'] } };
    const fields = prevent.fields.map((f: { name: string }) =>
      f.name === 'smoker' ? { ...f, codes: smoker } : f,
    );
    expect(() => parseModel({ ...prevent, fields })).toThrow(
      'fields.smoker.codes.answers: gives snomed:8517006 two meanings',
    );
  });
  it('the built-in files name the codes of the shipped table', () => {
    const codesOf = (fields: readonly ModelField[]) =>
      Object.fromEntries(fields.map((f) => [f.name, f.codes]));
    const [ckd, prevent] = MODEL_FILES.map((m) => codesOf(m.fields));
    expect(ckd).toEqual({
      sex: SEX,
      age: AGE,
      creatinine: serumCreatinine({ 'mg/dL': 'mg/dL', 'µmol/L': 'umol/L' }),
    });
    expect(prevent).toMatchObject({
      sex: SEX,
      age: AGE,
      totalCholesterol: TOTAL_CHOLESTEROL,
      hdl: HDL_CHOLESTEROL,
      sbp: SYSTOLIC_PRESSURE,
      diabetes: DIABETES,
      smoker: CURRENT_SMOKER,
    });
  });
});

describe('every shipped field’s units', () => {
  const units = ucumConverter();
  const fields: [string, Field][] = [...COMPUTATIONS, ...MODEL_FILES].flatMap((c) =>
    c.fields.map((f) => [`${c.id}.${f.name}`, f as Field] as [string, Field]),
  );
  const numbers = fields.filter(([, f]) => f.kind === 'number' && f.codes?.ucum);
  it('are valid UCUM, and convert as the form converts them (toBase)', () => {
    expect(numbers.length).toBeGreaterThan(10);
    for (const [name, field] of numbers) {
      if (field.kind !== 'number' || !field.codes?.ucum) continue;
      const [first, ...others] = field.units;
      for (const unit of field.units)
        expect(units.isValid(field.codes.ucum[unit.id] as string), name).toBe(true);
      for (const unit of others) {
        const toBase = (unit as { toBase?: number }).toBase;
        const converted = units.convert(
          1,
          field.codes.ucum[unit.id] as string,
          field.codes.ucum[first.id] as string,
          field.codes.molarMass,
        );
        expect(converted, `${name} ${unit.id}`).toBeDefined();
        if (toBase !== undefined)
          expect(Math.abs((converted as number) / toBase - 1), `${name} ${unit.id}`).toBeLessThan(0.001);
      }
    }
  });
  it('the shipped calculators’ fields carry codes', () => {
    expect(
      fields.filter(([, f]) => f.kind !== 'series' && f.kind !== 'date' && f.codes).length,
    ).toBeGreaterThan(25);
  });
});
