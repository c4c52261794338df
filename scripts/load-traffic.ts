/**
 * The traffic of the load test (server/load.test.ts) and the soak (scripts/soak.ts): valid requests
 * of every computation in the catalog, built the way the patient's device builds them (a filled form,
 * `encodeInputs`, `encryptInputs`), mixed with requests the service must refuse, sent by autocannon.
 * Every response's status is checked as it arrives; a sample of valid responses is decrypted after the
 * run, when decrypting no longer competes with the service for the CPU.
 */

import autocannon from 'autocannon';
import fc from 'fast-check';
import { evaluateRequest } from '../server/evaluation.js';
import { decryptOutputs, encryptInputs, type GroupKeyPair, generateGroupKeyPair } from '../shared/client.js';
import { COMPUTATIONS } from '../shared/computations/catalog.js';
import type {
  Computation,
  Field,
  FieldValue,
  FormValues,
  Plaintexts,
} from '../shared/computations/computation.js';
import { validateForm } from '../shared/computations/form.js';
import type { EvaluateRequest } from '../shared/wire.js';

const evaluatePath = (id: string) => `/api/v1/computations/${id}/evaluate`;
const JSON_HEADERS = { 'content-type': 'application/json' };

/** Decimal places of a unit's step (0.1 → 1), so generated values are the ones a patient can type. */
function decimalsOf(step: number): number {
  return Math.max(0, Math.ceil(-Math.log10(step) - 1e-9));
}

function fieldValue(field: Exclude<Field, { kind: 'series' }>): fc.Arbitrary<FieldValue> {
  switch (field.kind) {
    case 'boolean':
      return fc.boolean();
    case 'choice':
      return fc.constantFrom(...field.options.map((option) => option.value));
    case 'number':
      return fc.constantFrom(...field.units).chain((unit) => {
        const steps = Math.floor((unit.max - unit.min) / unit.step + 1e-9);
        return fc.integer({ min: 0, max: steps }).map((k) => ({
          value: Math.min(unit.max, Number((unit.min + k * unit.step).toFixed(decimalsOf(unit.step)))),
          unit: unit.id,
        }));
      });
  }
}

/** Any form a patient could submit for this computation: every field present and in range. */
export function formArbitrary(computation: Computation): fc.Arbitrary<FormValues> {
  const plain = computation.fields.filter(
    (f): f is Exclude<Field, { kind: 'series' }> => f.kind !== 'series',
  );
  const series = computation.fields.filter(
    (f): f is Extract<Field, { kind: 'series' }> => f.kind === 'series',
  );
  return fc.record(Object.fromEntries(plain.map((f) => [f.name, fieldValue(f)]))).chain((values) => {
    const seriesValues = series.map((f) => {
      const bounds = f.boundsBy.bounds[String(values[f.boundsBy.field])];
      if (!bounds) throw new Error(`${computation.id}: ${f.name} has no bounds for the chosen option.`);
      const reading = fc.integer({ min: bounds.min, max: bounds.max });
      return fc
        .array(reading, { minLength: 1, maxLength: f.maxItems })
        .map((list) => [f.name, list] as const);
    });
    return fc.tuple(...seriesValues).map((entries) => ({ ...values, ...Object.fromEntries(entries) }));
  });
}

/** One valid request: what was sent, the result it must decrypt to, and responses kept to check. */
export interface ValidCase {
  readonly computation: Computation;
  readonly key: GroupKeyPair;
  readonly body: EvaluateRequest;
  /** The service's evaluation done here, without the network and concurrency in between. */
  readonly expected: Plaintexts;
  readonly responses: string[];
}

export interface LoadMix {
  readonly requests: autocannon.Request[];
  readonly validCases: readonly ValidCase[];
  /** "<expected> → <received> <path>" for every response whose status was not the expected one. */
  readonly unexpected: string[];
}

export interface LoadMixOptions {
  /** Different patients (forms and keys) per computation. */
  readonly formsPerComputation: number;
  /** Responses kept per valid case for decrypting after the run. */
  readonly responsesToCheck: number;
  readonly seed: number;
}

function validCase(computation: Computation, form: FormValues): ValidCase {
  const errors = validateForm(computation, form);
  if (Object.keys(errors).length > 0) {
    throw new Error(`${computation.id}: generated an invalid form (${Object.keys(errors).join(', ')}).`);
  }
  const key = generateGroupKeyPair(computation.group);
  const body = encryptInputs(computation, key, computation.encodeInputs(form));
  const expected = decryptOutputs(computation, key, evaluateRequest(computation, body));
  return { computation, key, body, expected, responses: [] };
}

/**
 * Requests the service must refuse, each with its status: they cost little to send and check that
 * refusals stay fast and correct while evaluations keep the event loop busy.
 */
function invalidRequests(sample: EvaluateRequest): { request: autocannon.Request; status: number }[] {
  const [firstName, first] = Object.entries(sample.inputs)[0] ?? [];
  if (!firstName || !first) throw new Error('A computation without inputs cannot be mutated.');
  const json = JSON.stringify(sample);
  const post = (path: string, body: string, headers: Record<string, string> = JSON_HEADERS) => ({
    method: 'POST' as const,
    path,
    headers,
    body,
  });
  const withFirstInput = (a: string) =>
    JSON.stringify({ ...sample, inputs: { ...sample.inputs, [firstName]: { ...first, a } } });
  return [
    { request: post(evaluatePath('cha2ds2-vasc'), withFirstInput('AAAA')), status: 400 },
    { request: post(evaluatePath('cha2ds2-vasc'), `${json.slice(0, -1)},`), status: 400 },
    { request: post(evaluatePath('cha2ds2-vasc'), JSON.stringify({ ...sample, extra: 1 })), status: 400 },
    { request: post(evaluatePath('cha2ds2-vasc'), json, { 'content-type': 'text/plain' }), status: 415 },
    { request: post(evaluatePath('no-such-computation'), json), status: 404 },
    { request: post(evaluatePath('cha2ds2-vasc'), json + ' '.repeat(64 * 1024)), status: 413 },
    { request: { method: 'GET', path: '/api/v1/computations' }, status: 200 },
  ];
}

/**
 * Valid requests of every computation interleaved with invalid ones. Every response's status is
 * checked against the expected one as it arrives.
 */
export function buildLoadMix({ formsPerComputation, responsesToCheck, seed }: LoadMixOptions): LoadMix {
  const validCases = COMPUTATIONS.flatMap((computation) =>
    fc
      .sample(formArbitrary(computation), { numRuns: formsPerComputation, seed })
      .map((form) => validCase(computation, form)),
  );
  const unexpected: string[] = [];
  const expecting = (request: autocannon.Request, status: number): autocannon.Request => ({
    ...request,
    onResponse: (received) => {
      if (received !== status) unexpected.push(`${status} → ${received} ${request.path}`);
    },
  });
  const valid = validCases.map(
    (c): autocannon.Request => ({
      method: 'POST',
      path: evaluatePath(c.computation.id),
      headers: JSON_HEADERS,
      body: JSON.stringify(c.body),
      onResponse: (status, body) => {
        if (status !== 200) unexpected.push(`200 → ${status} ${evaluatePath(c.computation.id)}`);
        else if (c.responses.length < responsesToCheck) c.responses.push(body);
      },
    }),
  );
  const sample = validCases.find((c) => c.computation.id === 'cha2ds2-vasc')?.body;
  if (!sample) throw new Error('The catalog lost cha2ds2-vasc.');
  const invalid = invalidRequests(sample).map(({ request, status }) => expecting(request, status));
  // One invalid request after each valid one, cycling through both lists.
  const requests = validCases.flatMap((_, i) => [
    valid[i] as autocannon.Request,
    invalid[i % invalid.length] as autocannon.Request,
  ]);
  return { requests, validCases, unexpected };
}

export interface DecryptionCheck {
  readonly checked: number;
  /** "<computation>: <why>" for every kept response that did not decrypt to the expected result. */
  readonly wrong: string[];
}

/** Decrypts every kept response and compares it with the expected result. */
export function checkDecryptions(mix: LoadMix): DecryptionCheck {
  const wrong: string[] = [];
  let checked = 0;
  for (const c of mix.validCases) {
    for (const body of c.responses) {
      checked++;
      try {
        const outputs = decryptOutputs(c.computation, c.key, JSON.parse(body));
        for (const [name, value] of Object.entries(c.expected)) {
          if (outputs[name] !== value) wrong.push(`${c.computation.id}: output ${name} differs`);
        }
      } catch (error) {
        wrong.push(`${c.computation.id}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
  return { checked, wrong };
}

export interface LoadRunOptions {
  readonly url: string;
  readonly durationSeconds: number;
  readonly connections: number;
  /** A request with no answer after this long counts as a timeout. */
  readonly timeoutSeconds: number;
}

export function runLoad(mix: LoadMix, { url, durationSeconds, connections, timeoutSeconds }: LoadRunOptions) {
  return autocannon({
    url,
    duration: durationSeconds,
    connections,
    timeout: timeoutSeconds,
    requests: mix.requests,
  });
}
