/**
 * What a chosen file proposes for a form: loaded by a dynamic import when the patient picks a file,
 * so UCUM's tables stay out of the app's first paint.
 */

import type { Field } from '../../../shared/computations/computation.js';
import { type FieldProposal, proposeFieldValues } from '../../../shared/fhir/propose.js';
import { readHealthRecord } from '../../../shared/fhir/record.js';
import { ucumConverter } from '../../../shared/fhir/ucum.js';

export function proposalsOfFile(text: string, fields: readonly Field[], now: Date): readonly FieldProposal[] {
  return proposeFieldValues(readHealthRecord(text), fields, { now, units: ucumConverter() });
}
