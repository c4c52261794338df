/**
 * A health record as a patient's portal or phone exports it: a FHIR R4 Bundle (JSON) or a single
 * resource. Read once here, at the edge: what is not JSON, not FHIR, or holds nothing a form uses is
 * refused with a message that says so; what passes is a flat list of the resources forms read
 * (Patient, Observation, Condition). Nothing here keeps anything: the caller holds the list.
 */

import { isRecord } from '../records.js';

/** A FHIR resource as read from JSON: its type and id checked, the rest read where it is used. */
export type FhirResource = Readonly<Record<string, unknown>> & {
  readonly resourceType: 'Patient' | 'Observation' | 'Condition';
};

/** Why a file or one of its values cannot be used, in words a patient can act on. */
export class HealthRecordError extends Error {
  override readonly name = 'HealthRecordError';
}

export const USED_TYPES = ['Patient', 'Observation', 'Condition'] as const;
const RESOURCE_TYPE = /^[A-Z][A-Za-z]{1,63}$/;
/** A portal's full export can be large; beyond this it is not a record a browser should parse whole. */
export const MAX_RECORD_BYTES = 50 * 1024 * 1024;

function isUsed(resource: Record<string, unknown>): resource is FhirResource {
  return (USED_TYPES as readonly unknown[]).includes(resource.resourceType);
}

/** The resources of a file's text; throws `HealthRecordError` saying what is wrong with it. */
export function readHealthRecord(text: string): readonly FhirResource[] {
  if (text.length > MAX_RECORD_BYTES)
    throw new HealthRecordError('The file is larger than 50 MB: export only the records you need.');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new HealthRecordError(
      'The file is not JSON. Choose a FHIR export (a .json file), not a PDF, a picture or a CDA document.',
    );
  }
  if (!isRecord(json) || typeof json.resourceType !== 'string' || !RESOURCE_TYPE.test(json.resourceType))
    throw new HealthRecordError('The file is JSON but not a FHIR resource: it has no resourceType.');
  if (json.resourceType === 'Bundle') return resourcesOfBundle(json);
  if (!isUsed(json))
    throw new HealthRecordError(
      `The file is a FHIR ${json.resourceType}, which holds nothing a calculator uses: ` +
        'choose a Bundle, or a Patient, Observation or Condition.',
    );
  return [json];
}

function resourcesOfBundle(bundle: Record<string, unknown>): readonly FhirResource[] {
  const entries = bundle.entry ?? [];
  if (!Array.isArray(entries)) throw new HealthRecordError('The bundle’s entry is not a list.');
  const resources: FhirResource[] = [];
  entries.forEach((entry: unknown, index) => {
    const resource = isRecord(entry) ? entry.resource : undefined;
    if (resource === undefined) return;
    if (!isRecord(resource) || typeof resource.resourceType !== 'string')
      throw new HealthRecordError(`Entry ${index + 1} of the bundle is not a FHIR resource.`);
    // A bundle inside a bundle (a portal's document of documents) is read the same way.
    if (resource.resourceType === 'Bundle') resources.push(...resourcesOfBundle(resource));
    else if (isUsed(resource)) resources.push(resource);
  });
  if (resources.length === 0)
    throw new HealthRecordError(
      'The bundle has no Patient, Observation or Condition: nothing in it can fill a calculator.',
    );
  const patients = new Set(
    resources
      .filter((r) => r.resourceType === 'Patient')
      .map((r, i) => (typeof r.id === 'string' ? r.id : i)),
  );
  if (patients.size > 1)
    throw new HealthRecordError(
      `The bundle holds ${patients.size} patients’ records: export your own record alone.`,
    );
  return resources;
}
