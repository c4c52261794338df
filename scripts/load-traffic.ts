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
import { loadServedCatalog } from '../server/served-catalog.js';
import { AdditiveDecoder } from '../shared/additive-decoder.js';
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
import { bytesToBase64Url, type EvaluateRequest } from '../shared/wire.js';

const evaluatePath = (id: string) => `/api/v1/computations/${id}/evaluate`;
/** A new object each time: autocannon writes each request's Content-Length into its headers object. */
const jsonHeaders = () => ({ 'content-type': 'application/json' });

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
    case 'date':
      return fc.constant('2026-01-05');
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
      const step = bounds.step ?? 1;
      const reading = fc
        .integer({ min: Math.ceil(bounds.min / step - 1e-9), max: Math.floor(bounds.max / step + 1e-9) })
        .map((k) => Number((k * step).toFixed(decimalsOf(step))));
      return fc
        .array(reading, { minLength: 1, maxLength: f.maxItems })
        .map((list) => [f.name, list] as const);
    });
    return fc.tuple(...seriesValues).map((entries) => ({ ...values, ...Object.fromEntries(entries) }));
  });
}

/**
 * A patient of one computation: one key, several forms. Responses are matched to a computation by
 * their content, not by the request autocannon pairs them with: it pairs them wrongly after the service
 * closes a connection (as it does after an unparsable or unread body).
 */
export interface Patient {
  readonly computation: Computation;
  readonly key: GroupKeyPair;
  readonly bodies: readonly EvaluateRequest[];
  /** The results of the service's evaluation done here, without network or concurrency in between. */
  readonly expected: ReadonlySet<string>;
  /** Responses kept to decrypt after the run. */
  readonly responses: string[];
}

export interface LoadMix {
  /** For autocannon: valid requests, refusals on open connections, catalog reads. */
  readonly requests: autocannon.Request[];
  /** For `sendClosingRefusals`. */
  readonly closingRefusals: readonly Refusal[];
  readonly patients: readonly Patient[];
  /** Why each response that was neither a valid result, an expected refusal nor shed was wrong. */
  readonly unexpected: string[];
  /** Requests answered `503 service-unavailable`: admission control's refusals, which the soak tolerates. */
  readonly shed: { count: number };
}

export interface LoadMixOptions {
  /** Different forms per computation. */
  readonly formsPerComputation: number;
  /** Responses kept per computation for decrypting after the run. */
  readonly responsesToCheck: number;
  readonly seed: number;
}

const resultKey = (plaintexts: Plaintexts) =>
  JSON.stringify(Object.entries(plaintexts).map(([name, value]) => [name, String(value)]));

const servedCatalog = loadServedCatalog();
/** The traffic's own decoder: its table, built by the first decodes, serves every later check. */
const decoder = new AdditiveDecoder();
function servedComputation(computation: Computation) {
  const served = servedCatalog.get(computation.id);
  if (!served) throw new Error(`The service does not serve ${computation.id}.`);
  return served;
}

function patient(computation: Computation, forms: readonly FormValues[]): Patient {
  const key = generateGroupKeyPair(computation.group);
  const bodies = forms.map((form) => {
    const errors = validateForm(computation, form);
    if (Object.keys(errors).length > 0) {
      throw new Error(`${computation.id}: generated an invalid form (${Object.keys(errors).join(', ')}).`);
    }
    return encryptInputs(computation, key, computation.encodeInputs(form));
  });
  const expected = new Set(
    bodies.map((body) =>
      resultKey(
        decryptOutputs(computation, key, evaluateRequest(servedComputation(computation), body), {}, decoder),
      ),
    ),
  );
  return { computation, key, bodies, expected, responses: [] };
}

/** A request the service must refuse, and the status and code of the refusal. */
interface Refusal {
  readonly request: ReturnType<typeof postRequest>;
  readonly refusal: string;
}

/**
 * Refusals that keep the connection open: they cost little and check that refusals stay fast and
 * correct while evaluations keep the event loop busy.
 */
function refusalsOnOpenConnections(sample: EvaluateRequest): Refusal[] {
  const [firstName, first] = Object.entries(sample.inputs)[0] ?? [];
  if (!firstName || !first) throw new Error('A computation without inputs cannot be mutated.');
  const withFirstInput = (a: string) =>
    JSON.stringify({ ...sample, inputs: { ...sample.inputs, [firstName]: { ...first, a } } });
  const post = (body: string) => postRequest(evaluatePath('cha2ds2-vasc'), body);
  return [
    { request: post(withFirstInput('AAAA')), refusal: '400 invalid-encoding' },
    // 2^256 − 1: 32 bytes, but no canonical field element (RFC 9496 §4.3.1), so never a point.
    {
      request: post(withFirstInput(bytesToBase64Url(new Uint8Array(32).fill(0xff)))),
      refusal: '400 invalid-element',
    },
    { request: post(JSON.stringify({ ...sample, extra: 1 })), refusal: '400 validation-failed' },
    { request: post(JSON.stringify({ ...sample, inputs: {} })), refusal: '400 missing-input' },
  ];
}

/**
 * Refusals after which the service closes the connection, since the body was not read or could not be
 * parsed. autocannon pairs responses with the wrong requests after a close, so these are sent with
 * fetch, alongside it.
 */
function refusalsThatCloseTheConnection(sample: EvaluateRequest): Refusal[] {
  const json = JSON.stringify(sample);
  const path = evaluatePath('cha2ds2-vasc');
  return [
    { request: postRequest(path, `${json.slice(0, -1)},`), refusal: '400 validation-failed' },
    {
      request: postRequest(path, json, { 'content-type': 'text/plain' }),
      refusal: '415 unsupported-media-type',
    },
    { request: postRequest(evaluatePath('no-such-computation'), json), refusal: '404 unknown-computation' },
    { request: postRequest(path, json + ' '.repeat(64 * 1024)), refusal: '413 payload-too-large' },
  ];
}

function postRequest(path: string, body: string, headers: Record<string, string> = jsonHeaders()) {
  return { method: 'POST' as const, path, headers, body };
}

/** Valid requests of every computation interleaved with invalid ones and catalog reads. */
export function buildLoadMix({ formsPerComputation, responsesToCheck, seed }: LoadMixOptions): LoadMix {
  const patients = COMPUTATIONS.map((computation) =>
    patient(computation, fc.sample(formArbitrary(computation), { numRuns: formsPerComputation, seed })),
  );
  const byId = new Map(patients.map((p) => [p.computation.id, p]));
  const sample = byId.get('cha2ds2-vasc')?.bodies[0];
  if (!sample) throw new Error('The catalog lost cha2ds2-vasc.');
  const invalid = refusalsOnOpenConnections(sample);
  const refusals = new Set(invalid.map(({ refusal }) => refusal));
  const unexpected: string[] = [];
  const shed = { count: 0 };

  const onResponse = (status: number, body: string) => {
    const json: unknown = JSON.parse(body);
    if (isShed(status, json)) {
      shed.count++;
      return;
    }
    if (status === 200 && isRecord(json) && Array.isArray(json.computations)) return;
    if (status === 200 && isRecord(json)) {
      const kept = byId.get(String(json.computation))?.responses;
      if (!kept) unexpected.push(`200 for an unknown computation: ${body.slice(0, 80)}`);
      else if (kept.length < responsesToCheck) kept.push(body);
      return;
    }
    const refusal = isRecord(json) ? `${status} ${String(json.code)}` : String(status);
    if (!refusals.has(refusal)) unexpected.push(refusal);
  };
  const valid = patients.flatMap((p) =>
    p.bodies.map(
      (body): autocannon.Request => ({
        method: 'POST',
        path: evaluatePath(p.computation.id),
        headers: jsonHeaders(),
        body: JSON.stringify(body),
      }),
    ),
  );
  const others = [
    ...invalid.map(({ request }) => request),
    { method: 'GET', path: '/api/v1/computations' } as const,
  ];
  // One other request after each valid one, cycling through both lists.
  const requests = valid.flatMap((request, i) => [request, others[i % others.length] as autocannon.Request]);
  return {
    requests: requests.map((request) => ({ ...request, onResponse })),
    closingRefusals: refusalsThatCloseTheConnection(sample),
    patients,
    unexpected,
    shed,
  };
}

function isShed(status: number, problem: unknown): boolean {
  return status === 503 && isRecord(problem) && problem.code === 'service-unavailable';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface DecryptionCheck {
  readonly checked: number;
  /** "<computation>: <why>" for every kept response that did not decrypt to an expected result. */
  readonly wrong: string[];
}

/** Decrypts every kept response: it must be the result of one of the computation's requests. */
export function checkDecryptions(mix: LoadMix): DecryptionCheck {
  const wrong: string[] = [];
  let checked = 0;
  for (const { computation, key, expected, responses } of mix.patients) {
    for (const body of responses) {
      checked++;
      try {
        const outputs = decryptOutputs(computation, key, JSON.parse(body), {}, decoder);
        if (!expected.has(resultKey(outputs))) wrong.push(`${computation.id}: not the result of any request`);
      } catch (error) {
        wrong.push(`${computation.id}: ${error instanceof Error ? error.message : String(error)}`);
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

/** Runs autocannon and, alongside, the refusals that close their connection; resolves with both. */
export async function runLoad(
  mix: LoadMix,
  { url, durationSeconds, connections, timeoutSeconds }: LoadRunOptions,
): Promise<{ result: autocannon.Result; closingRefusalsSent: number }> {
  const load = autocannon({
    url,
    duration: durationSeconds,
    connections,
    timeout: timeoutSeconds,
    requests: mix.requests,
  });
  let running = true;
  let closingRefusalsSent = 0;
  const refusing = (async () => {
    for (let i = 0; running; i++) {
      const { request, refusal } = mix.closingRefusals[i % mix.closingRefusals.length] as Refusal;
      closingRefusalsSent++;
      const init = {
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal: AbortSignal.timeout(timeoutSeconds * 1000),
      };
      try {
        const response = await fetch(`${url}${request.path}`, init);
        const problem: unknown = await response.json();
        if (isShed(response.status, problem)) {
          mix.shed.count++;
          continue;
        }
        const received = `${response.status} ${isRecord(problem) ? String(problem.code) : ''}`;
        if (received !== refusal) mix.unexpected.push(`${refusal} → ${received}`);
      } catch (error) {
        mix.unexpected.push(`${refusal} → ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  })();
  const result = await load;
  running = false;
  await refusing;
  return { result, closingRefusalsSent };
}
