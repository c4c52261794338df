/** What the API tests share: a quiet app, real encrypted requests, and the problem+json contract. */

import fc from 'fast-check';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { formArbitrary } from '../scripts/load-traffic.js';
import { encryptInputs, type GroupKeyPair, generateGroupKeyPair } from '../shared/client.js';
import { findComputation } from '../shared/computations/catalog.js';
import type { Computation, Plaintexts } from '../shared/computations/computation.js';
import { serve } from '../shared/computations/test-support.js';
import type { Ciphertext } from '../shared/elgamal.js';
import { evaluateDeclared } from '../shared/evaluation.js';
import { withScheme } from '../shared/scheme.js';
import {
  type CiphertextWire,
  ciphertextFromWire,
  ciphertextToWire,
  type EvaluateRequest,
  type EvaluateResponse,
} from '../shared/wire.js';
import { type AppOptions, buildApp } from './app.js';

/**
 * Quiet, and without the per-client rate limit and admission control, which tests of those turn on: tests
 * running in parallel on a busy machine would otherwise trip them at random.
 */
export function buildTestApp(options: AppOptions = {}): Promise<FastifyInstance> {
  return buildApp({ logger: false, rateLimit: false, overload: false, ...options });
}

export function catalogEntry(id: 'bmi' | 'cha2ds2-vasc'): Computation {
  const computation = findComputation(id);
  if (!computation) throw new Error(`The catalog lost ${id}.`);
  return computation;
}

export const evaluatePath = (id: string) => `/api/v1/computations/${id}/evaluate`;

export interface EncryptedRequest {
  readonly computation: Computation;
  readonly key: GroupKeyPair;
  readonly body: EvaluateRequest;
  /** What was encrypted: only for tests that craft their own ciphertexts of it. */
  readonly plaintexts: Plaintexts;
}

/** A valid request as the patient's device builds it, under a fresh key. */
export function encryptedRequest(computation: Computation, plaintexts: Plaintexts): EncryptedRequest {
  const key = generateGroupKeyPair(computation.group);
  return { computation, key, body: encryptInputs(computation, key, plaintexts), plaintexts };
}

/** Inputs inside the declared bounds, for tests about everything but the result. */
export const SAMPLE_PLAINTEXTS = {
  bmi: { weight: 700n, height: 1750n },
  'cha2ds2-vasc': {
    chf: 0n,
    hypertension: 1n,
    age65to74: 0n,
    age75plus: 1n,
    diabetes: 0n,
    stroke: 1n,
    vascular: 0n,
    female: 1n,
  },
} as const satisfies Record<string, Plaintexts>;

const samples = new Map<string, EncryptedRequest>();

const catalogSamples = new Map<string, EncryptedRequest>();

/**
 * A valid request for any computation in the catalog, from a generated patient form (fixed seed), made
 * once per test file: treat it as read-only.
 */
export function catalogSampleRequest(computation: Computation): EncryptedRequest {
  let sample = catalogSamples.get(computation.id);
  if (!sample) {
    const [form] = fc.sample(formArbitrary(computation), { numRuns: 1, seed: 9496 });
    if (!form) throw new Error(`No form for ${computation.id}.`);
    sample = encryptedRequest(computation, computation.encodeInputs(form));
    catalogSamples.set(computation.id, sample);
  }
  return sample;
}

/** One valid request per computation, made once per test file: treat it as read-only. */
export function sampleRequest(id: keyof typeof SAMPLE_PLAINTEXTS): EncryptedRequest {
  let sample = samples.get(id);
  if (!sample) {
    sample = encryptedRequest(catalogEntry(id), SAMPLE_PLAINTEXTS[id]);
    samples.set(id, sample);
  }
  return sample;
}

export function postEvaluate(
  app: FastifyInstance,
  id: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url: evaluatePath(id),
    headers: { 'content-type': 'application/json', ...headers },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** What `expectProblem` reads of a response: `inject`'s, or one parsed from a raw socket. */
type ReceivedResponse = Pick<LightMyRequestResponse, 'statusCode' | 'headers' | 'json'>;

/** An HTTP/1.1 response as written on a socket (status line, headers, body), for `expectProblem`. */
export function parseRawResponse(text: string): ReceivedResponse {
  const [head = '', body = ''] = text.split('\r\n\r\n', 2);
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const status = /^HTTP\/1\.1 (\d{3}) /.exec(statusLine);
  if (!status) throw new Error(`Not an HTTP/1.1 response: ${JSON.stringify(text.slice(0, 80))}`);
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  expect(Buffer.byteLength(body)).toBe(Number(headers['content-length']));
  return { statusCode: Number(status[1]), headers, json: () => JSON.parse(body) };
}

/**
 * Asserts an RFC 9457 problem with exactly the protocol's members, the given code and status, and
 * returns its detail for further checks.
 */
export function expectProblem(response: ReceivedResponse, code: string, status: number): string {
  expect(response.statusCode).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json(;|$)/);
  const problem: unknown = response.json();
  expect(problem).toEqual({
    type: `urn:sealed-vitals:problem:${code}`,
    title: expect.any(String),
    status,
    detail: expect.any(String),
    code,
  });
  const { title, detail } = problem as { title: string; detail: string };
  expect(title).not.toBe('');
  expect(detail).not.toBe('');
  return detail;
}

/**
 * The declared function of a request's inputs before re-randomization (Dⱼ), as a v1 answer: what the
 * re-randomization tests compare the service's outputs against. Never sent to a client.
 */
export function unrandomizedAnswer(computation: Computation, request: EvaluateRequest): EvaluateResponse {
  const { matrix } = serve(computation);
  return withScheme(computation.group, ({ group }) => {
    const inputs = computation.inputs.map((input) =>
      ciphertextFromWire(group, request.inputs[input.name] as CiphertextWire, input.name),
    );
    const declared = evaluateDeclared(group, computation.evaluation.kind, matrix, inputs);
    return {
      computation: computation.id,
      version: computation.version,
      outputs: Object.fromEntries(
        computation.outputs.map((o, j) => [
          o.name,
          ciphertextToWire(group, declared[j] as Ciphertext<typeof group.identity>),
        ]),
      ),
    };
  });
}
