/**
 * The API's web hardening and operations surface: security headers on every API answer (helmet), no
 * caching of results, a random request id per request that the client cannot choose, liveness and
 * readiness, and the OpenAPI document built from the very schemas requests are validated with.
 */

import { Writable } from 'node:stream';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { GROUP_NAMES } from '../shared/groups/group.js';
import { MAX_INPUTS } from '../shared/wire.js';
import { CiphertextSchema, EvaluateRequestSchema, EvaluateResponseSchema } from '../shared/wire-schemas.js';
import { buildTestApp, evaluatePath, expectProblem, postEvaluate, sampleRequest } from './test-support.js';

const logLines: string[] = [];
let app: FastifyInstance;
beforeAll(async () => {
  const stream = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(...String(chunk).trim().split('\n'));
      done();
    },
  });
  app = await buildTestApp({ logger: { level: 'info', stream } });
});
afterAll(() => app.close());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** One of each kind of API answer: a result, a refusal, a catalog, a missing route. */
async function apiAnswers(): Promise<[string, LightMyRequestResponse][]> {
  const { body } = sampleRequest('cha2ds2-vasc');
  return [
    ['an evaluation', await postEvaluate(app, 'cha2ds2-vasc', body)],
    ['a refusal', await postEvaluate(app, 'cha2ds2-vasc', { ...body, extra: 1 })],
    ['the catalog', await app.inject({ url: '/api/v1/computations' })],
    ['a missing API route', await app.inject({ url: '/api/v1/nothing' })],
  ];
}

describe('security headers on every API answer', () => {
  test('nothing may run, load or frame an API response, and it is never cached', async () => {
    for (const [what, response] of await apiAnswers()) {
      const headers = response.headers;
      expect(headers['content-security-policy'], what).toBe("default-src 'none';frame-ancestors 'none'");
      expect(headers['x-content-type-options'], what).toBe('nosniff');
      expect(headers['x-frame-options'], what).toBe('DENY');
      expect(headers['referrer-policy'], what).toBe('no-referrer');
      expect(headers['strict-transport-security'], what).toMatch(/^max-age=\d+/);
      expect(headers['cross-origin-resource-policy'], what).toBe('same-origin');
      expect(headers['cache-control'], what).toBe('no-store');
      expect(headers['x-powered-by'], what).toBeUndefined();
    }
  });
});

describe('request ids', () => {
  test('every answer carries a fresh random id, also in the log lines of its request', async () => {
    const answers = await apiAnswers();
    const ids = answers.map(([, response]) => String(response.headers['x-request-id']));
    for (const id of ids) expect(id).toMatch(UUID);
    expect(new Set(ids).size).toBe(ids.length);
    const [evaluationId] = ids;
    const logged = logLines.filter((line) => line.includes(`"reqId":"${evaluationId}"`));
    // "incoming request" and "request completed".
    expect(logged).toHaveLength(2);
  });

  test('an id sent by the client is ignored: it could forge or collide log entries', async () => {
    const response = await app.inject({
      url: '/api/v1/health',
      headers: { 'x-request-id': 'forged-id', 'request-id': 'forged-id' },
    });
    expect(response.headers['x-request-id']).toMatch(UUID);
    expect(logLines.join('\n')).not.toContain('forged-id');
  });
});

describe('liveness and readiness', () => {
  test('GET /api/v1/health is exactly the spec’s {"status":"ok"}', async () => {
    const response = await app.inject({ url: '/api/v1/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  test('GET /api/v1/health/ready is {"status":"ready"} while the service takes work', async () => {
    const response = await app.inject({ url: '/api/v1/health/ready' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ready' });
  });

  // Readiness under load is in admission.test.ts, during shutdown in shutdown.test.ts.
});

describe('OpenAPI document at /api/v1/openapi.json', () => {
  let document: {
    openapi: string;
    paths: Record<
      string,
      Record<
        string,
        {
          requestBody?: { content: Record<string, { schema: unknown }> };
          responses: Record<string, unknown>;
        }
      >
    >;
  };
  beforeAll(async () => {
    const response = await app.inject({ url: '/api/v1/openapi.json' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    document = response.json();
  });

  test('is OpenAPI 3.1 and lists exactly the API’s routes', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths).sort()).toEqual([
      '/api/v1/computations',
      '/api/v1/computations/{id}/evaluate',
      '/api/v1/health',
      '/api/v1/health/ready',
      '/api/v2/computations',
      '/api/v2/computations/{id}/evaluate',
    ]);
  });

  /** The schema as JSON, without TypeBox's symbol-keyed metadata. */
  const asJson = (schema: object): Record<string, unknown> => JSON.parse(JSON.stringify(schema));

  test('its evaluate schemas are the ones the service validates with', () => {
    const evaluate = document.paths['/api/v1/computations/{id}/evaluate']?.post;
    const body = evaluate?.requestBody?.content['application/json']?.schema;
    const request = asJson(EvaluateRequestSchema) as { properties: { publicKey: unknown; inputs: object } };
    // @fastify/swagger writes `const` as a one-value `enum` and a record's pattern as
    // additionalProperties; everything else is the validation schema itself.
    const groups = GROUP_NAMES.map((name) => ({ type: 'string', enum: [name] }));
    expect(body).toMatchObject({
      type: 'object',
      required: ['publicKey', 'inputs'],
      additionalProperties: false,
      properties: {
        publicKey: {
          required: ['group', 'y'],
          additionalProperties: false,
          properties: {
            group: { anyOf: groups },
            y: (request.properties.publicKey as PublicKeyJson).properties.y,
          },
        },
        inputs: { maxProperties: MAX_INPUTS },
      },
    });
    expect(JSON.stringify(body)).toContain(JSON.stringify(asJson(CiphertextSchema).required));
    expect(evaluate?.responses['200']).toMatchObject({
      content: { 'application/json': { schema: { required: asJson(EvaluateResponseSchema).required } } },
    });
  });
});

interface PublicKeyJson {
  properties: { y: unknown };
}

test('no answer carries a stack trace or the request’s data', async () => {
  const { body } = sampleRequest('bmi');
  const broken = { ...body, publicKey: { ...body.publicKey, y: `${body.publicKey.y}!` } };
  for (const response of [
    await postEvaluate(app, 'bmi', broken),
    await postEvaluate(app, 'bmi', '{"publicKey":'),
    await app.inject({
      method: 'POST',
      url: evaluatePath('bmi'),
      payload: 'x',
      headers: { 'content-type': 'text/x' },
    }),
  ]) {
    expectProblem(response, response.json().code, response.statusCode);
    expect(response.body).not.toMatch(/\bat .+\(.+:\d+:\d+\)|node_modules|\.ts:\d+/);
    expect(response.body).not.toContain(body.publicKey.y.slice(0, 20));
  }
});
