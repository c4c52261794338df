/**
 * From resources to proposed values, with the real UCUM library: unit conversion for every code the
 * shipped fields name (and glucose, HbA1c and diastolic pressure, listed by issue 18 for fields to come),
 * the latest final value, panel components, staleness, answers and conditions, and values refused.
 */

import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MODELS_DIR } from '../../server/served-catalog.js';
import { bmi } from '../computations/bmi.js';
import { cha2ds2Vasc } from '../computations/cha2ds2-vasc.js';
import { cockcroftGault } from '../computations/cockcroft-gault.js';
import type { Field } from '../computations/computation.js';
import { framingham } from '../computations/framingham.js';
import { parseModel } from '../models/model.js';
import type { FieldCodes } from './codes.js';
import { type FieldProposal, proposeFieldValues } from './propose.js';
import { type FhirResource, HealthRecordError, readHealthRecord } from './record.js';
import { ucumConverter } from './ucum.js';

const units = ucumConverter();
const NOW = new Date(2025, 5, 15, 12, 0);
const context = { now: NOW, units };

function modelFields(id: string): readonly Field[] {
  const file = JSON.parse(readFileSync(`${DEFAULT_MODELS_DIR}/${id}.model.json`, 'utf8'));
  return parseModel(file).fields as readonly Field[];
}

const FIXTURE = readHealthRecord(
  readFileSync(new URL('./fixtures/us-units.bundle.json', import.meta.url), 'utf8'),
);

let serial = 0;
function observation(
  loinc: string,
  quantity: Record<string, unknown> | undefined,
  date: string,
  extra: Record<string, unknown> = {},
): FhirResource {
  serial += 1;
  return {
    resourceType: 'Observation',
    id: `o${serial}`,
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: loinc }] },
    effectiveDateTime: date,
    ...(quantity ? { valueQuantity: quantity } : {}),
    ...extra,
  };
}

const ucum = (value: number, code: string) => ({
  value,
  unit: code,
  system: 'http://unitsofmeasure.org',
  code,
});

function proposalFor(
  fields: readonly Field[],
  name: string,
  resources: readonly FhirResource[],
): FieldProposal {
  const proposal = proposeFieldValues(resources, fields, context).find((p) => p.field === name);
  if (!proposal) throw new Error(`no proposal for ${name}`);
  return proposal;
}

function numberField(name: string, label: string, codes: FieldCodes, unitsOf: [string, number][]): Field {
  const list = unitsOf.map(([id, step]) => ({ id, label: id, min: 0, max: 10_000, step }));
  return { kind: 'number', name, label, units: list as [(typeof list)[0], ...typeof list], codes };
}

describe('unit conversion, for every field and code', () => {
  const cases: readonly {
    fields: readonly Field[];
    field: string;
    loinc: string;
    recorded: [number, string];
    expected: { value: number; unit: string };
  }[] = [
    // Weight (BMI, Cockcroft–Gault): pounds are kept, grams and ounces converted to kg.
    {
      fields: bmi.fields,
      field: 'weight',
      loinc: '29463-7',
      recorded: [185, '[lb_av]'],
      expected: { value: 185, unit: 'lb' },
    },
    {
      fields: bmi.fields,
      field: 'weight',
      loinc: '3141-9',
      recorded: [83_914, 'g'],
      expected: { value: 83.9, unit: 'kg' },
    },
    {
      fields: cockcroftGault.fields,
      field: 'weight',
      loinc: '29463-7',
      recorded: [2960, '[oz_av]'],
      expected: { value: 83.9, unit: 'kg' },
    },
    // Height: inches kept, feet and metres into cm.
    {
      fields: bmi.fields,
      field: 'height',
      loinc: '8302-2',
      recorded: [70, '[in_i]'],
      expected: { value: 70, unit: 'in' },
    },
    {
      fields: bmi.fields,
      field: 'height',
      loinc: '8302-2',
      recorded: [5.75, '[ft_i]'],
      expected: { value: 175.3, unit: 'cm' },
    },
    {
      fields: bmi.fields,
      field: 'height',
      loinc: '8302-2',
      recorded: [1.78, 'm'],
      expected: { value: 178, unit: 'cm' },
    },
    // Systolic pressure: mmHg kept; kPa converted.
    {
      fields: framingham.fields,
      field: 'sbp',
      loinc: '8480-6',
      recorded: [138, 'mm[Hg]'],
      expected: { value: 138, unit: 'mmHg' },
    },
    {
      fields: modelFields('prevent-2023'),
      field: 'sbp',
      loinc: '8480-6',
      recorded: [18.4, 'kPa'],
      expected: { value: 138, unit: 'mmHg' },
    },
    // Cholesterol and HDL: mg/dL and mmol/L each kept; g/L converted; moles by the molar mass.
    {
      fields: framingham.fields,
      field: 'totalCholesterol',
      loinc: '2093-3',
      recorded: [5.4, 'mmol/L'],
      expected: { value: 5.4, unit: 'mmol/L' },
    },
    {
      fields: framingham.fields,
      field: 'totalCholesterol',
      loinc: '14647-2',
      recorded: [209, 'mg/dL'],
      expected: { value: 209, unit: 'mg/dL' },
    },
    {
      fields: framingham.fields,
      field: 'totalCholesterol',
      loinc: '2093-3',
      recorded: [2.09, 'g/L'],
      expected: { value: 209, unit: 'mg/dL' },
    },
    {
      fields: modelFields('prevent-2023'),
      field: 'hdl',
      loinc: '2085-9',
      recorded: [1240, 'umol/L'],
      expected: { value: 48, unit: 'mg/dL' },
    },
    {
      fields: modelFields('prevent-2023'),
      field: 'hdl',
      loinc: '14646-4',
      recorded: [1.24, 'mmol/L'],
      expected: { value: 1.24, unit: 'mmol/L' },
    },
    {
      fields: framingham.fields,
      field: 'hdl',
      loinc: '2085-9',
      recorded: [48, 'mg/dL'],
      expected: { value: 48, unit: 'mg/dL' },
    },
    // Creatinine: mg/dL and µmol/L kept (in each field's own unit id); mmol/L converted.
    {
      fields: cockcroftGault.fields,
      field: 'creatinine',
      loinc: '2160-0',
      recorded: [88.4, 'umol/L'],
      expected: { value: 88.4, unit: 'umol/L' },
    },
    {
      fields: modelFields('ckd-epi-2021'),
      field: 'creatinine',
      loinc: '14682-9',
      recorded: [88, 'umol/L'],
      expected: { value: 88, unit: 'µmol/L' },
    },
    {
      fields: modelFields('ckd-epi-2021'),
      field: 'creatinine',
      loinc: '2160-0',
      recorded: [1.1, 'mg/dL'],
      expected: { value: 1.1, unit: 'mg/dL' },
    },
    {
      fields: modelFields('ckd-epi-2021'),
      field: 'creatinine',
      loinc: '2160-0',
      recorded: [0.0884, 'mmol/L'],
      expected: { value: 1, unit: 'mg/dL' },
    },
    // eGFR (PREVENT).
    {
      fields: modelFields('prevent-2023'),
      field: 'egfr',
      loinc: '98979-8',
      recorded: [74, 'mL/min/{1.73_m2}'],
      expected: { value: 74, unit: 'mL/min/1.73 m²' },
    },
    // Fields to come: glucose in either unit by its molar mass, HbA1c in % kept.
    {
      fields: [
        numberField(
          'glucose',
          'Glucose',
          { observations: ['loinc:2339-0', 'loinc:2345-7'], ucum: { 'mmol/L': 'mmol/L' }, molarMass: 180.16 },
          [['mmol/L', 0.1]],
        ),
      ],
      field: 'glucose',
      loinc: '2345-7',
      recorded: [99, 'mg/dL'],
      expected: { value: 5.5, unit: 'mmol/L' },
    },
    {
      fields: [
        numberField(
          'glucose',
          'Glucose',
          { observations: ['loinc:2339-0', 'loinc:2345-7'], ucum: { 'mg/dL': 'mg/dL' }, molarMass: 180.16 },
          [['mg/dL', 1]],
        ),
      ],
      field: 'glucose',
      loinc: '2339-0',
      recorded: [5.5, 'mmol/L'],
      expected: { value: 99, unit: 'mg/dL' },
    },
    {
      fields: [
        numberField('hba1c', 'HbA1c', { observations: ['loinc:4548-4'], ucum: { '%': '%' } }, [['%', 0.1]]),
      ],
      field: 'hba1c',
      loinc: '4548-4',
      recorded: [6.8, '%'],
      expected: { value: 6.8, unit: '%' },
    },
  ];
  it.each(cases)(
    '$field $recorded.1 ($loinc) → $expected.unit',
    ({ fields, field, loinc, recorded, expected }) => {
      const proposal = proposalFor(fields, field, [observation(loinc, ucum(...recorded), '2025-05-01')]);
      expect(proposal.value).toEqual(expected);
      expect(proposal.source?.recorded).toBe(`${recorded[0]} ${recorded[1]}`);
    },
  );

  it('any weight in pounds is kept in pounds; any in grams is the kilograms at 0.1 kg', () => {
    fc.assert(
      fc.property(fc.integer({ min: 23, max: 1433 }), fc.integer({ min: 1000, max: 650_000 }), (lb, g) => {
        const [inPounds] = proposeFieldValues(
          [observation('29463-7', ucum(lb, '[lb_av]'), '2025-05-01')],
          bmi.fields,
          context,
        );
        expect(inPounds?.value).toEqual({ value: lb, unit: 'lb' });
        const [inGrams] = proposeFieldValues(
          [observation('29463-7', ucum(g, 'g'), '2025-05-01')],
          bmi.fields,
          context,
        );
        expect(inGrams?.value).toEqual({ value: Math.round(g / 100) / 10, unit: 'kg' });
      }),
      { numRuns: 50 },
    );
  });

  it('a value the form does not take is shown with why, and not proposed', () => {
    const proposal = proposalFor(framingham.fields, 'totalCholesterol', [
      observation('2093-3', ucum(700, 'mg/dL'), '2025-05-01'),
    ]);
    expect(proposal.value).toBeUndefined();
    expect(proposal.note).toMatch(
      /total cholesterol \(700 mg\/dL\) is outside what this calculator takes \(50–600 mg\/dL\)/,
    );
  });
});

describe('which value', () => {
  it('takes the latest final, amended or corrected one, and says what it left out', () => {
    const resources = [
      observation('2093-3', ucum(240, 'mg/dL'), '2024-01-01'),
      observation('2093-3', ucum(190, 'mg/dL'), '2025-03-01', { status: 'amended' }),
      observation('2093-3', ucum(150, 'mg/dL'), '2025-04-01', { status: 'preliminary' }),
      observation('2093-3', ucum(160, 'mg/dL'), '2025-05-01', { status: 'entered-in-error' }),
      observation('2093-3', ucum(170, 'mg/dL'), '2025-05-02', {
        status: 'final',
        dataAbsentReason: { text: 'x' },
      }),
    ];
    const proposal = proposalFor(framingham.fields, 'totalCholesterol', resources);
    expect(proposal.value).toEqual({ value: 190, unit: 'mg/dL' });
    expect(proposal.source?.date).toBe('2025-03-01');
    expect(proposal.note).toMatch(/latest of 2 values/);
    expect(proposal.note).toMatch(/1 preliminary, 1 entered-in-error/);
  });

  it('compares instants, not text: an evening in New York is after noon in London', () => {
    const resources = [
      observation('8480-6', ucum(120, 'mm[Hg]'), '2025-05-01T20:00:00-04:00'),
      observation('8480-6', ucum(140, 'mm[Hg]'), '2025-05-01T23:30:00+01:00'),
    ];
    expect(proposalFor(framingham.fields, 'sbp', resources).value).toEqual({ value: 120, unit: 'mmHg' });
  });

  it('reads systolic and diastolic pressure from a panel’s components, and a later one alone wins', () => {
    const mmHg = (v: number) => ucum(v, 'mm[Hg]');
    const panel = observation('85354-9', undefined, '2025-05-01', {
      component: [
        { code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] }, valueQuantity: mmHg(132) },
        { code: { coding: [{ system: 'http://loinc.org', code: '8462-4' }] }, valueQuantity: mmHg(84) },
      ],
    });
    const diastolic = numberField(
      'dbp',
      'Diastolic pressure',
      { observations: ['loinc:8462-4'], ucum: { mmHg: 'mm[Hg]' } },
      [['mmHg', 1]],
    );
    expect(proposalFor(framingham.fields, 'sbp', [panel]).value).toEqual({ value: 132, unit: 'mmHg' });
    expect(proposalFor([diastolic], 'dbp', [panel]).value).toEqual({ value: 84, unit: 'mmHg' });
    const later = observation('8480-6', mmHg(128), '2025-05-03');
    expect(proposalFor(framingham.fields, 'sbp', [panel, later]).value).toEqual({ value: 128, unit: 'mmHg' });
  });

  it('flags a value older than the field’s limit, and one without a date', () => {
    const old = proposalFor(framingham.fields, 'hdl', [
      observation('2085-9', ucum(50, 'mg/dL'), '2024-06-01'),
    ]);
    expect(old.value).toEqual({ value: 50, unit: 'mg/dL' });
    expect(old.stale).toMatch(/From 2024-06-01, more than a year ago/);
    const recent = proposalFor(framingham.fields, 'hdl', [
      observation('2085-9', ucum(50, 'mg/dL'), '2024-06-16'),
    ]);
    expect(recent.stale).toBeUndefined();
    const undated = proposalFor(framingham.fields, 'hdl', [
      { ...observation('2085-9', ucum(50, 'mg/dL'), ''), effectiveDateTime: undefined },
    ]);
    expect(undated.stale).toMatch(/no date/);
  });

  it('reads the smoking status’s SNOMED CT answer, and says when it does not tell', () => {
    const answer = (code: string, date: string) =>
      observation('72166-2', undefined, date, {
        valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code }] },
      });
    expect(proposalFor(framingham.fields, 'smoker', [answer('449868002', '2025-01-01')]).value).toBe(true);
    expect(proposalFor(framingham.fields, 'smoker', [answer('428041000124106', '2025-01-01')]).value).toBe(
      true,
    );
    expect(
      proposalFor(framingham.fields, 'smoker', [
        answer('449868002', '2020-01-01'),
        answer('8517006', '2025-01-01'),
      ]).value,
    ).toBe(false);
    expect(proposalFor(framingham.fields, 'smoker', [answer('266919005', '2025-01-01')]).value).toBe(false);
    const unknown = proposalFor(framingham.fields, 'smoker', [answer('266927001', '2025-01-01')]);
    expect(unknown.value).toBeUndefined();
    expect(unknown.note).toMatch(/does not say/);
  });

  it('answers yes/no from conditions: active ones, any for a history, by SNOMED CT or the ICD-10 hierarchy', () => {
    const condition = (
      system: string,
      code: string,
      clinical?: string,
      verification?: string,
    ): FhirResource => ({
      resourceType: 'Condition',
      id: `c${code}`,
      code: { coding: [{ system, code }] },
      ...(clinical ? { clinicalStatus: { coding: [{ code: clinical }] } } : {}),
      ...(verification ? { verificationStatus: { coding: [{ code: verification }] } } : {}),
    });
    const icd = 'http://hl7.org/fhir/sid/icd-10-cm';
    const sct = 'http://snomed.info/sct';
    const fields = cha2ds2Vasc.fields;
    expect(proposalFor(fields, 'diabetes', [condition(icd, 'E11.9', 'active')]).value).toBe(true);
    expect(proposalFor(fields, 'diabetes', [condition(icd, 'E119')]).value).toBe(true);
    expect(proposalFor(fields, 'diabetes', [condition(icd, 'E16.2', 'active')]).value).toBe(false);
    expect(proposalFor(fields, 'diabetes', [condition(sct, '44054006', 'resolved')]).value).toBe(false);
    expect(proposalFor(fields, 'diabetes', [condition(sct, '44054006', 'active', 'refuted')]).value).toBe(
      false,
    );
    expect(proposalFor(fields, 'chf', [condition(sct, '84114007', 'active')]).value).toBe(true);
    expect(proposalFor(fields, 'stroke', [condition(sct, '230690007', 'resolved')]).value).toBe(true);
    expect(proposalFor(fields, 'vascular', [condition(icd, 'I25.2', 'inactive')]).value).toBe(true);
    expect(proposalFor(fields, 'hypertension', [condition(sct, '38341003', 'active')]).source?.what).toBe(
      'SNOMED CT 38341003',
    );
    const none = proposalFor(fields, 'hypertension', [
      observation('8480-6', ucum(120, 'mm[Hg]'), '2025-01-01'),
    ]);
    expect(none.value).toBeUndefined();
    expect(none.note).toMatch(/no conditions/);
  });

  it('takes sex from the administrative gender, and leaves other genders to the patient', () => {
    const patient = (gender: string): FhirResource => ({
      resourceType: 'Patient',
      id: 'p',
      gender,
      birthDate: '1960-01-01',
    });
    expect(proposalFor(framingham.fields, 'sex', [patient('female')]).value).toBe('female');
    expect(proposalFor(framingham.fields, 'sex', [patient('unknown')]).value).toBeUndefined();
    expect(proposalFor(framingham.fields, 'age', [patient('female')]).value).toEqual({
      value: 65,
      unit: 'years',
    });
  });
});

describe('values refused, naming the value', () => {
  const refused = (quantity: Record<string, unknown>) => () =>
    proposeFieldValues(
      [{ ...observation('2093-3', undefined, '2025-05-01'), id: 'chol-1', valueQuantity: quantity }],
      framingham.fields,
      context,
    );
  it('a value without a unit', () => {
    expect(refused({ value: 5.2 })).toThrow(HealthRecordError);
    expect(refused({ value: 5.2 })).toThrow(
      'Total cholesterol 5.2 in Observation/chol-1, 2025-05-01 has no unit',
    );
  });
  it('a unit that is not UCUM', () => {
    expect(refused({ value: 5.2, unit: 'mmol per litre' })).toThrow(/“mmol per litre” is not a UCUM unit/);
  });
  it('a unit that does not convert', () => {
    expect(
      refused({ value: 5.2, unit: 'mm[Hg]', code: 'mm[Hg]', system: 'http://unitsofmeasure.org' }),
    ).toThrow(
      'Total cholesterol 5.2 mm[Hg] in Observation/chol-1, 2025-05-01: this unit does not convert to mg/dL or mmol/L.',
    );
  });
  it('a value that is not a number, or only a bound', () => {
    expect(refused({ value: '5.2', unit: 'mmol/L' })).toThrow(/has no number as its value/);
    expect(refused({ value: 5.2, comparator: '<', unit: 'mmol/L' })).toThrow(
      /recorded as < 5.2 mmol\/L, not as one value/,
    );
  });
});

describe('the synthetic bundle (US units, mixed, with older and preliminary values)', () => {
  const values = (fields: readonly Field[]) =>
    Object.fromEntries(
      proposeFieldValues(FIXTURE, fields, context).flatMap((p) =>
        p.value === undefined ? [] : [[p.field, p.value]],
      ),
    );
  it('fills Framingham, BMI, CKD-EPI and PREVENT as a clinician reads the record', () => {
    expect(values(framingham.fields)).toEqual({
      sex: 'male',
      age: { value: 63, unit: 'years' },
      totalCholesterol: { value: 5.4, unit: 'mmol/L' },
      hdl: { value: 48, unit: 'mg/dL' },
      sbp: { value: 138, unit: 'mmHg' },
      smoker: false,
      diabetes: false,
    });
    expect(values(bmi.fields)).toEqual({
      weight: { value: 185, unit: 'lb' },
      height: { value: 70, unit: 'in' },
    });
    expect(values(modelFields('ckd-epi-2021'))).toEqual({
      sex: 'male',
      age: { value: 63, unit: 'years' },
      creatinine: { value: 1.1, unit: 'mg/dL' },
    });
    expect(values(modelFields('prevent-2023'))).toMatchObject({
      totalCholesterol: { value: 5.4, unit: 'mmol/L' },
      hdl: { value: 48, unit: 'mg/dL' },
      egfr: { value: 74, unit: 'mL/min/1.73 m²' },
      smoker: false,
    });
    expect(values(cha2ds2Vasc.fields)).toMatchObject({ hypertension: true, chf: false, stroke: false });
  });
});
