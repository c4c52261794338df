/** Reading a file: what is refused, with which message, and what is read from a bundle. */

import { describe, expect, it } from 'vitest';
import { readHealthRecord } from './record.js';

const bundle = (...resources: object[]) =>
  JSON.stringify({
    resourceType: 'Bundle',
    type: 'collection',
    entry: resources.map((resource) => ({ resource })),
  });
const patient = (id: string) => ({ resourceType: 'Patient', id, gender: 'female' });
const observation = { resourceType: 'Observation', id: 'o', status: 'final', code: {} };

describe('readHealthRecord refuses', () => {
  it.each([
    ['not JSON', '%PDF-1.7 …', /The file is not JSON/],
    ['JSON that is not FHIR', '{"weight": 80}', /not a FHIR resource: it has no resourceType/],
    ['a list', '[{"resourceType": "Patient"}]', /not a FHIR resource/],
    [
      'a resource no calculator uses',
      '{"resourceType": "Medication", "id": "m"}',
      /a FHIR Medication, which holds nothing a calculator uses/,
    ],
    [
      'a bundle of resources no calculator uses',
      bundle({ resourceType: 'Immunization' }),
      /no Patient, Observation or Condition/,
    ],
    ['an empty bundle', bundle(), /no Patient, Observation or Condition/],
    ['a bundle whose entry is not a list', '{"resourceType": "Bundle", "entry": {}}', /entry is not a list/],
    [
      'an entry that is not a resource',
      bundle('x' as unknown as object),
      /Entry 1 of the bundle is not a FHIR resource/,
    ],
    ['two patients’ records', bundle(patient('a'), patient('b'), observation), /holds 2 patients’ records/],
  ])('%s', (_, text, message) => {
    expect(() => readHealthRecord(text)).toThrow(message);
  });
});

describe('readHealthRecord reads', () => {
  it('a single Patient, Observation or Condition', () => {
    expect(readHealthRecord(JSON.stringify(observation))).toEqual([observation]);
  });
  it('the used resources of a bundle, nested bundles too, leaving others out', () => {
    const inner = { resourceType: 'Bundle', entry: [{ resource: observation }] };
    const read = readHealthRecord(
      bundle(patient('a'), { resourceType: 'Immunization' }, inner, { resourceType: 'Condition' }),
    );
    expect(read.map((r) => r.resourceType)).toEqual(['Patient', 'Observation', 'Condition']);
  });
});
