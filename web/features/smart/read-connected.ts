/**
 * What the connected record proposes for a form: the patient's Patient, Observations and Conditions,
 * read from the FHIR server with the session's token, then read exactly as a file is (the same edge
 * checks in `readHealthRecord`, the same `proposeFieldValues`). Loaded by a dynamic import when the
 * patient asks, like the file's reader.
 */

import type { Field } from '../../../shared/computations/computation.js';
import { type FieldProposal, proposeFieldValues } from '../../../shared/fhir/propose.js';
import { readHealthRecord } from '../../../shared/fhir/record.js';
import { ucumConverter } from '../../../shared/fhir/ucum.js';
import type { SmartSession } from './session.js';

/** Enough for years of a patient's vital signs and labs; the server pages, fhirclient follows. */
const PAGE_SIZE = 200;

export async function proposalsOfConnection(
  session: SmartSession,
  fields: readonly Field[],
  now: Date,
): Promise<readonly FieldProposal[]> {
  const patient = encodeURIComponent(session.patientId);
  const [resource, observations, conditions] = await Promise.all([
    session.client.request<unknown>(`Patient/${patient}`),
    session.client.request<unknown[]>(`Observation?patient=${patient}&_count=${PAGE_SIZE}`, {
      pageLimit: 0,
      flat: true,
    }),
    session.client.request<unknown[]>(`Condition?patient=${patient}&_count=${PAGE_SIZE}`, {
      pageLimit: 0,
      flat: true,
    }),
  ]);
  const entry = [resource, ...observations, ...conditions].map((r) => ({ resource: r }));
  const record = readHealthRecord(JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry }));
  return proposeFieldValues(record, fields, { now, units: ucumConverter() });
}
