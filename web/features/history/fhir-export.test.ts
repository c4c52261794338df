import { beforeAll, describe, expect, test } from 'vitest';
import { loadServedCatalog } from '../../../server/served-catalog.js';
import { COMPUTATIONS } from '../../../shared/computations/catalog.js';
import type { Computation, FormValues } from '../../../shared/computations/computation.js';
import { validateForm } from '../../../shared/computations/form.js';
import { computationFingerprint } from '../../../shared/proofs/fingerprint.js';
import type { HistoryEntry } from './entry.js';
import {
  type Bundle,
  entryToFhir,
  historyToFhirBundle,
  type Observation,
  type ResultResource,
  type RiskAssessment,
  shownDecimals,
} from './fhir-export.js';
import {
  computedEntry,
  type FhirValidator,
  fhirR4Validator,
  SCHEMA_COMPILE_TIMEOUT_MS,
} from './test-support.js';

const OPTIONS = { catalogUrl: 'https://vitals.example.org/api/v2/computations' };
const SERVED = loadServedCatalog();

function computationNamed(id: string): Computation {
  const computation = COMPUTATIONS.find((c) => c.id === id) ?? SERVED.get(id)?.computation;
  if (!computation) throw new Error(`${id} is neither shipped nor a built-in model file`);
  return computation;
}

let counter = 0;

/** A history entry as the app keeps one, numbered in this file. */
function computed(computation: Computation, values: FormValues): HistoryEntry {
  expect(validateForm(computation, values)).toEqual({});
  counter += 1;
  return computedEntry(computation, values, `0b7c1f4e-2a9d-4c3b-8e6f-${String(counter).padStart(12, '0')}`);
}

/** The number the result card shows ("26.9 kg/m²" → 26.9, "8,412 steps/day" → 8412). */
function shownNumber(display: string): number {
  const match = /^-?[\d,]+(\.\d+)?/.exec(display);
  if (!match) throw new Error(`No number in ${display}`);
  return Number(match[0].replaceAll(',', ''));
}

function contained(resource: ResultResource, reference: string | undefined) {
  const found = resource.contained?.find((r) => `#${r.id}` === reference);
  if (!found) throw new Error(`${reference} is not contained`);
  return found;
}

/** The inputs a result points to (`basis` or `derivedFrom`), each resolved to its contained Observation. */
function inputsOf(resource: ResultResource): Observation[] {
  const references =
    resource.resourceType === 'RiskAssessment' ? resource.basis : (resource.derivedFrom ?? []);
  return references.map((r) => contained(resource, r.reference) as Observation);
}

function byText(observations: readonly Observation[], text: string): Observation {
  const found = observations.find((o) => o.code.text === text);
  if (!found) throw new Error(`No input ${text}: ${observations.map((o) => o.code.text).join(', ')}`);
  return found;
}

function loincOf(observation: Observation): string | undefined {
  return observation.code.coding?.find((c) => c.system === 'http://loinc.org')?.code;
}

function ucumOf(observation: Observation): [number | undefined, string | undefined] {
  const q = observation.valueQuantity;
  expect(q?.system).toBe('http://unitsofmeasure.org');
  return [q?.value, q?.code];
}

let validate: FhirValidator;
beforeAll(() => {
  validate = fhirR4Validator();
}, SCHEMA_COMPILE_TIMEOUT_MS);

/** Every resource must be valid R4; and the validator must refuse what R4 refuses, or it proves nothing. */
function expectValid(resource: unknown): void {
  expect(validate(resource)).toEqual([]);
}

function expectComputationNamed(resource: ResultResource, computation: Computation): void {
  const fingerprint = computationFingerprint(computation);
  const method = resource.method;
  expect(method?.coding).toEqual([
    { system: OPTIONS.catalogUrl, code: computation.id, display: computation.title },
  ]);
  expect(method?.text).toContain(`version ${computation.version}`);
  expect(method?.text).toContain(fingerprint);
  const reference = resource.resourceType === 'RiskAssessment' ? resource.performer : resource.device;
  const device = contained(resource, reference?.reference);
  expect(device).toMatchObject({
    resourceType: 'Device',
    deviceName: [
      { name: computation.title, type: 'user-friendly-name' },
      { name: computation.id, type: 'model-name' },
    ],
    version: [{ value: String(computation.version) }],
  });
  expect(device.resourceType === 'Device' && device.identifier?.[0]?.value).toBe(fingerprint);
  expect(resource.note?.[0]?.text).toMatch(/verified that proof before it decrypted the result/);
  expect(resource.note?.[0]?.time).toBe('2026-03-02T09:15:00.000Z');
}

describe('the schema validator', () => {
  test('refuses what FHIR R4 refuses: no subject, a probability as text, an element R4 does not have', () => {
    const assessment = entryToFhir(
      computed(computationNamed('framingham-2008'), {
        sex: 'female',
        age: { value: 61, unit: 'years' },
        totalCholesterol: { value: 180, unit: 'mg/dL' },
        hdl: { value: 47, unit: 'mg/dL' },
        sbp: { value: 124, unit: 'mmHg' },
        treated: false,
        smoker: true,
        diabetes: false,
      }),
      computationNamed('framingham-2008'),
      OPTIONS,
    ) as RiskAssessment;
    expectValid(assessment);
    const { subject: _, ...withoutSubject } = assessment;
    expect(validate(withoutSubject).join()).toMatch(/subject/);
    const textual = {
      ...assessment,
      prediction: [{ ...assessment.prediction[0], probabilityDecimal: '10.5' }],
    };
    expect(validate(textual).join()).toMatch(/probabilityDecimal/);
    // An element R4 does not define (a score of our own) is refused, not ignored.
    expect(validate({ ...assessment, score: 3 }).join()).toMatch(/additional properties/);
  });
});

describe('risk models as RiskAssessment', () => {
  test('Framingham: the risk as a percentage, each input coded with LOINC and UCUM', () => {
    const framingham = computationNamed('framingham-2008');
    const entry = computed(framingham, {
      sex: 'female',
      age: { value: 61, unit: 'years' },
      totalCholesterol: { value: 180, unit: 'mg/dL' },
      hdl: { value: 47, unit: 'mg/dL' },
      sbp: { value: 124, unit: 'mmHg' },
      treated: false,
      smoker: true,
      diabetes: false,
    });
    const resource = entryToFhir(entry, framingham, OPTIONS);
    expectValid(resource);
    if (resource.resourceType !== 'RiskAssessment') throw new Error('a risk model is a RiskAssessment');
    expect(resource.status).toBe('final');
    expect(resource.id).toBe(entry.id);
    expect(resource.identifier).toEqual([{ system: 'urn:ietf:rfc:3986', value: `urn:uuid:${entry.id}` }]);
    expect(resource.occurrenceDateTime).toBe(entry.computedAt);
    // The pinned vector of clinical.md: 10.48 %, shown as 10.5 %.
    expect(entry.result.display).toBe('10.5 %');
    const [prediction] = resource.prediction;
    expect(prediction?.probabilityDecimal).toBe(10.5);
    expect(prediction?.qualitativeRisk?.text).toBe(entry.result.category);
    expect(prediction?.whenRange?.high).toEqual({
      value: 10,
      unit: 'years',
      system: 'http://unitsofmeasure.org',
      code: 'a',
    });
    expectComputationNamed(resource, framingham);

    const inputs = inputsOf(resource);
    expect(inputs.map((o) => o.code.text)).toEqual([
      'Sex',
      'Age',
      'Total cholesterol',
      'HDL cholesterol',
      'Systolic blood pressure',
      'On blood-pressure medication',
      'Current smoker',
      'Diabetes',
    ]);
    const quantities = Object.fromEntries(
      ['Total cholesterol', 'HDL cholesterol', 'Systolic blood pressure', 'Age'].map((text) => {
        const o = byText(inputs, text);
        return [text, [loincOf(o), ...ucumOf(o)]];
      }),
    );
    expect(quantities).toEqual({
      'Total cholesterol': ['2093-3', 180, 'mg/dL'],
      'HDL cholesterol': ['2085-9', 47, 'mg/dL'],
      'Systolic blood pressure': ['8480-6', 124, 'mm[Hg]'],
      Age: [undefined, 61, 'a'],
    });
    expect(byText(inputs, 'Sex').valueCodeableConcept?.coding).toEqual([
      { system: 'http://hl7.org/fhir/administrative-gender', code: 'female', display: 'Female' },
    ]);
    const smoker = byText(inputs, 'Current smoker');
    expect(loincOf(smoker)).toBe('72166-2');
    expect(smoker.valueCodeableConcept?.coding).toEqual([
      { system: 'http://snomed.info/sct', code: '77176002', display: 'Smoker' },
    ]);
    expect(byText(inputs, 'Diabetes').valueBoolean).toBe(false);
    expect(byText(inputs, 'On blood-pressure medication').code.coding).toBeUndefined();
  });

  test('cholesterol in mmol/L keeps its unit and takes the substance-concentration codes', () => {
    const framingham = computationNamed('framingham-2008');
    const resource = entryToFhir(
      computed(framingham, {
        sex: 'male',
        age: { value: 53, unit: 'years' },
        totalCholesterol: { value: 4.16, unit: 'mmol/L' },
        hdl: { value: 1.42, unit: 'mmol/L' },
        sbp: { value: 125, unit: 'mmHg' },
        treated: true,
        smoker: false,
        diabetes: true,
      }),
      framingham,
      OPTIONS,
    );
    expectValid(resource);
    const inputs = inputsOf(resource);
    expect([
      loincOf(byText(inputs, 'Total cholesterol')),
      ...ucumOf(byText(inputs, 'Total cholesterol')),
    ]).toEqual(['14647-2', 4.16, 'mmol/L']);
    expect([
      loincOf(byText(inputs, 'HDL cholesterol')),
      ...ucumOf(byText(inputs, 'HDL cholesterol')),
    ]).toEqual(['14646-4', 1.42, 'mmol/L']);
    const smoker = byText(inputs, 'Current smoker');
    expect(smoker.valueCodeableConcept).toEqual({ text: 'Not a current smoker' });
  });

  test('CHA₂DS₂-VASc: a score, with its grade as the qualitative risk and yes/no inputs', () => {
    const cha2ds2Vasc = computationNamed('cha2ds2-vasc');
    const entry = computed(cha2ds2Vasc, {
      age: { value: 72, unit: 'years' },
      sex: 'female',
      chf: false,
      hypertension: true,
      diabetes: false,
      stroke: false,
      vascular: false,
    });
    const resource = entryToFhir(entry, cha2ds2Vasc, OPTIONS) as RiskAssessment;
    expectValid(resource);
    expect(resource.resourceType).toBe('RiskAssessment');
    // 1 (age 65–74) + 1 (female) + 1 (hypertension).
    expect(entry.result.display).toBe('3 of 9');
    const [prediction] = resource.prediction;
    expect(prediction?.probabilityDecimal).toBeUndefined();
    expect(prediction?.rationale).toBe('Score 3 of 9');
    expect(prediction?.qualitativeRisk?.text).toBe(entry.result.category);
    expect(prediction?.outcome.text).toBe('Stroke or systemic thromboembolism');
    const inputs = inputsOf(resource);
    expect(inputs).toHaveLength(7);
    expect(inputs.filter((o) => o.valueBoolean === true).map((o) => o.code.text)).toEqual(['Hypertension']);
    expectComputationNamed(resource, cha2ds2Vasc);
  });

  test.each([
    [
      'prevent-2023',
      {
        sex: 'female',
        age: { value: 50, unit: 'years' },
        totalCholesterol: { value: 200, unit: 'mg/dL' },
        hdl: { value: 45, unit: 'mg/dL' },
        sbp: { value: 160, unit: 'mmHg' },
        egfr: { value: 90, unit: 'mL/min/1.73 m²' },
        diabetes: true,
        smoker: false,
        bpTreated: true,
        statin: false,
      },
    ],
    [
      'mayo-lung-nodule',
      {
        age: { value: 64, unit: 'years' },
        smoker: true,
        cancer: false,
        diameter: { value: 12, unit: 'mm' },
        spiculation: true,
        upperLobe: true,
      },
    ],
  ] as const)('%s (a model file): its risk as shown, a percentage', (id, values) => {
    const computation = computationNamed(id);
    const entry = computed(computation, values);
    const resource = entryToFhir(entry, computation, OPTIONS) as RiskAssessment;
    expectValid(resource);
    expect(resource.resourceType).toBe('RiskAssessment');
    expect(entry.result.display).toMatch(/^\d+\.\d %$/);
    expect(resource.prediction[0]?.probabilityDecimal).toBe(shownNumber(entry.result.display));
    expect(inputsOf(resource)).toHaveLength(Object.keys(values).length);
    expectComputationNamed(resource, computation);
  });

  test('PREVENT: its eGFR input goes as the CKD-EPI 2021 code in mL/min/1.73 m²', () => {
    const prevent = computationNamed('prevent-2023');
    const resource = entryToFhir(
      computed(prevent, {
        sex: 'male',
        age: { value: 55, unit: 'years' },
        totalCholesterol: { value: 5.2, unit: 'mmol/L' },
        hdl: { value: 1.1, unit: 'mmol/L' },
        sbp: { value: 140, unit: 'mmHg' },
        egfr: { value: 75, unit: 'mL/min/1.73 m²' },
        diabetes: false,
        smoker: true,
        bpTreated: false,
        statin: true,
      }),
      prevent,
      OPTIONS,
    );
    const egfr = inputsOf(resource).find((o) => loincOf(o) === '98979-8');
    expect(egfr && ucumOf(egfr)).toEqual([75, 'mL/min/{1.73_m2}']);
  });
});

describe('measures as Observation', () => {
  test('BMI: 39156-5 in kg/m2, from body weight and height', () => {
    const bmi = computationNamed('bmi');
    const entry = computed(bmi, {
      weight: { value: 83.7, unit: 'kg' },
      height: { value: 176.4, unit: 'cm' },
    });
    const resource = entryToFhir(entry, bmi, OPTIONS);
    expectValid(resource);
    if (resource.resourceType !== 'Observation') throw new Error('BMI is an Observation');
    expect(loincOf(resource)).toBe('39156-5');
    // 83.7 / 1.764² = 26.899…, shown as 26.9.
    expect(ucumOf(resource)).toEqual([Number((83.7 / 1.764 ** 2).toFixed(1)), 'kg/m2']);
    expect(resource.valueQuantity?.value).toBe(shownNumber(entry.result.display));
    expect(resource.category?.[0]?.coding?.[0]?.code).toBe('vital-signs');
    expect(resource.effectiveDateTime).toBe(entry.computedAt);
    expect(resource.interpretation).toEqual([{ text: 'Overweight' }]);
    expect(resource.subject?.display).toMatch(/not named/);
    const inputs = inputsOf(resource);
    expect(inputs.map((o) => [loincOf(o), ...ucumOf(o)])).toEqual([
      ['29463-7', 83.7, 'kg'],
      ['8302-2', 176.4, 'cm'],
    ]);
    expectComputationNamed(resource, bmi);
  });

  test('BMI in pounds and inches: the units as entered, in UCUM', () => {
    const bmi = computationNamed('bmi');
    const resource = entryToFhir(
      computed(bmi, { weight: { value: 184.5, unit: 'lb' }, height: { value: 69.4, unit: 'in' } }),
      bmi,
      OPTIONS,
    );
    expectValid(resource);
    expect(inputsOf(resource).map((o) => [o.valueQuantity?.unit, o.valueQuantity?.code])).toEqual([
      ['lb', '[lb_av]'],
      ['in', '[in_i]'],
    ]);
  });

  test('CKD-EPI 2021 (a model file): eGFR 98979-8 in mL/min/{1.73_m2}, creatinine 2160-0 or 14682-9', () => {
    const ckdEpi = computationNamed('ckd-epi-2021');
    for (const [creatinine, code, ucum] of [
      [{ value: 1.1, unit: 'mg/dL' }, '2160-0', 'mg/dL'],
      [{ value: 97, unit: 'µmol/L' }, '14682-9', 'umol/L'],
    ] as const) {
      const entry = computed(ckdEpi, { sex: 'male', age: { value: 60, unit: 'years' }, creatinine });
      const resource = entryToFhir(entry, ckdEpi, OPTIONS);
      expectValid(resource);
      expect(resource.resourceType).toBe('Observation');
      expect(loincOf(resource as Observation)).toBe('98979-8');
      expect(ucumOf(resource as Observation)).toEqual([
        shownNumber(entry.result.display),
        'mL/min/{1.73_m2}',
      ]);
      const input = byText(inputsOf(resource), 'Serum creatinine');
      expect([loincOf(input), ...ucumOf(input)]).toEqual([code, creatinine.value, ucum]);
      expectComputationNamed(resource, ckdEpi);
    }
  });

  test('Cockcroft–Gault: the predicted clearance (35591-7) in mL/min', () => {
    const cockcroftGault = computationNamed('cockcroft-gault');
    const values = {
      age: { value: 78, unit: 'years' },
      sex: 'female',
      weight: { value: 47.6, unit: 'kg' },
      creatinine: { value: 1.56, unit: 'mg/dL' },
    };
    const entry = computed(cockcroftGault, values);
    const resource = entryToFhir(entry, cockcroftGault, OPTIONS) as Observation;
    expectValid(resource);
    expect(resource.resourceType).toBe('Observation');
    expect(loincOf(resource)).toBe('35591-7');
    // (140 − 78) · 47.6 · 0.85 / (72 · 1.56) = 22.2 mL/min.
    expect(ucumOf(resource)).toEqual([
      Number((((140 - 78) * 47.6 * 0.85) / (72 * 1.56)).toFixed(1)),
      'mL/min',
    ]);
    const inputs = inputsOf(resource);
    expect(inputs.map((o) => o.code.text)).toEqual(['Age', 'Sex', 'Weight', 'Serum creatinine']);
    expect([
      loincOf(byText(inputs, 'Serum creatinine')),
      ...ucumOf(byText(inputs, 'Serum creatinine')),
    ]).toEqual(['2160-0', 1.56, 'mg/dL']);
  });

  test('readings summary: the mean over the days of the readings, each reading dated', () => {
    const summary = computationNamed('readings-summary');
    const entry = computed(summary, {
      measure: 'systolic',
      lastDay: '2026-03-01',
      readings: [128, 131, 125],
    });
    const resource = entryToFhir(entry, summary, OPTIONS) as Observation;
    expectValid(resource);
    expect(resource.resourceType).toBe('Observation');
    expect(loincOf(resource)).toBe('8480-6');
    expect(resource.code.text).toBe('Mean of 3 daily readings: Systolic blood pressure');
    expect(ucumOf(resource)).toEqual([128, 'mm[Hg]']);
    // Across the month boundary: 27, 28 February, 1 March.
    expect(resource.effectivePeriod).toEqual({ start: '2026-02-27', end: '2026-03-01' });
    expect(resource.component).toEqual([{ code: { text: 'Number of readings' }, valueInteger: 3 }]);
    expect(inputsOf(resource).map((o) => [o.effectiveDateTime, loincOf(o), ...ucumOf(o)])).toEqual([
      ['2026-02-27', '8480-6', 128, 'mm[Hg]'],
      ['2026-02-28', '8480-6', 131, 'mm[Hg]'],
      ['2026-03-01', '8480-6', 125, 'mm[Hg]'],
    ]);
  });

  test.each([
    ['steps', [8412, 10020], '41950-7', '/d'],
    ['glucoseMmol', [5.4, 6.1], '15074-8', 'mmol/L'],
    ['heartRate', [64, 70], '8867-4', '/min'],
  ] as const)('readings of %s: coded %s', (measure, readings, loinc, ucum) => {
    const summary = computationNamed('readings-summary');
    const entry = computed(summary, { measure, lastDay: '2026-03-01', readings });
    const resource = entryToFhir(entry, summary, OPTIONS) as Observation;
    expectValid(resource);
    expect([loincOf(resource), ...ucumOf(resource)]).toEqual([
      loinc,
      shownNumber(entry.result.display),
      ucum,
    ]);
  });
});

describe('the Bundle', () => {
  test('every shipped computation once, as a collection validating against R4', () => {
    const entries = [
      computed(computationNamed('bmi'), {
        weight: { value: 70, unit: 'kg' },
        height: { value: 175, unit: 'cm' },
      }),
      computed(computationNamed('cha2ds2-vasc'), {
        age: { value: 80, unit: 'years' },
        sex: 'male',
        chf: true,
        hypertension: true,
        diabetes: true,
        stroke: true,
        vascular: true,
      }),
    ];
    const bundle: Bundle = historyToFhirBundle(entries, (e) => computationNamed(e.computationId), {
      ...OPTIONS,
      now: new Date('2026-03-05T10:00:00.000Z'),
    });
    expectValid(bundle);
    expect(bundle.type).toBe('collection');
    expect(bundle.timestamp).toBe('2026-03-05T10:00:00.000Z');
    expect(bundle.entry.map((e) => [e.fullUrl, e.resource.resourceType])).toEqual([
      [`urn:uuid:${entries[0]?.id}`, 'Observation'],
      [`urn:uuid:${entries[1]?.id}`, 'RiskAssessment'],
    ]);
  });

  test('a computation this version no longer knows: its raw inputs, its result as text, no fingerprint', () => {
    const bmi = computationNamed('bmi');
    const gone: HistoryEntry = {
      ...computed(bmi, { weight: { value: 70, unit: 'kg' }, height: { value: 175, unit: 'cm' } }),
      computationId: 'retired-calculator',
      id: 'not a uuid',
      sealed: { publicKey: { group: 'ffdhe3072', y: 'AA' }, response: {} },
    };
    const resource = entryToFhir(gone, undefined, OPTIONS) as Observation;
    expectValid(resource);
    expect(resource.id).toBeUndefined();
    expect(resource.valueString).toBe(gone.result.display);
    expect(resource.method?.text).not.toContain('fingerprint');
    expect(inputsOf(resource).map((o) => [o.code.text, o.valueQuantity?.unit])).toEqual([
      ['weight', 'kg'],
      ['height', 'cm'],
    ]);
    expectValid(historyToFhirBundle([gone], () => undefined, { ...OPTIONS, now: new Date() }));
  });
});

test('shownDecimals reads the decimals the card shows', () => {
  expect([shownDecimals('26.9 kg/m²'), shownDecimals('8,412 steps/day'), shownDecimals('3 of 9')]).toEqual([
    1, 0, 0,
  ]);
  expect(shownDecimals('10.48 %')).toBe(2);
});
