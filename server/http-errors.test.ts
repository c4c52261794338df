/**
 * Errors before the body reaches the schema, and routes that do not exist: each is a problem+json
 * with the spec's status and code (spec: "HTTP API"), and none repeats the request back.
 */

import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildTestApp, evaluatePath, expectProblem, postEvaluate, sampleRequest } from './test-support.js';

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildTestApp();
});
afterAll(() => app.close());

const { body } = sampleRequest('cha2ds2-vasc');
const json = JSON.stringify(body);

describe('content type: application/json only (415 unsupported-media-type)', () => {
  test.each([
    'text/plain',
    'text/plain; charset=utf-8',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/octet-stream',
    'application/json-patch+json',
    'application/problem+json',
    'text/json',
  ])('%s is refused', async (contentType) => {
    const response = await postEvaluate(app, 'cha2ds2-vasc', json, { 'content-type': contentType });
    const detail = expectProblem(response, 'unsupported-media-type', 415);
    expect(detail).toContain('application/json');
  });

  test('a body without a content type is refused', async () => {
    const response = await app.inject({
      method: 'POST',
      url: evaluatePath('cha2ds2-vasc'),
      payload: Buffer.from(json),
    });
    expectProblem(response, 'unsupported-media-type', 415);
  });

  test.each(['application/json', 'application/json; charset=utf-8', 'Application/JSON; Charset=UTF-8'])(
    '%s is accepted',
    async (contentType) => {
      const response = await postEvaluate(app, 'cha2ds2-vasc', json, { 'content-type': contentType });
      expect(response.statusCode).toBe(200);
    },
  );
});

describe('bodies that are not JSON (400 validation-failed)', () => {
  test.each([
    ['an empty body', ''],
    ['truncated JSON', json.slice(0, -1)],
    ['JSON with a trailing comma', '{"publicKey":{},}'],
    ['single-quoted JSON', "{'publicKey':1}"],
    ['a "__proto__" key (prototype poisoning)', '{"__proto__":{"polluted":true}}'],
    ['a "constructor.prototype" key', '{"constructor":{"prototype":{"polluted":true}}}'],
  ])('%s', async (_, text) => {
    const detail = expectProblem(await postEvaluate(app, 'cha2ds2-vasc', text), 'validation-failed', 400);
    expect(detail).not.toContain('publicKey');
    expect(detail).not.toContain('polluted');
  });

  test('no body at all', async () => {
    const response = await app.inject({ method: 'POST', url: evaluatePath('cha2ds2-vasc') });
    expectProblem(response, 'validation-failed', 400);
  });
});

describe('body size (413 payload-too-large)', () => {
  const LIMIT = 64 * 1024;
  // Whitespace around a valid body keeps it valid JSON: only its size changes.
  const paddedTo = (bytes: number) => json + ' '.repeat(bytes - Buffer.byteLength(json));

  test('the default limit is 64 KiB: a valid body of exactly that size is evaluated', async () => {
    const response = await postEvaluate(app, 'cha2ds2-vasc', paddedTo(LIMIT));
    expect(response.statusCode).toBe(200);
  });

  test('one byte more is refused, naming the limit', async () => {
    const detail = expectProblem(
      await postEvaluate(app, 'cha2ds2-vasc', paddedTo(LIMIT + 1)),
      'payload-too-large',
      413,
    );
    expect(detail).toContain(String(LIMIT));
  });

  test('the limit is configurable', async () => {
    const small = await buildTestApp({ bodyLimit: 512 });
    try {
      const detail = expectProblem(await postEvaluate(small, 'cha2ds2-vasc', json), 'payload-too-large', 413);
      expect(detail).toContain('512');
    } finally {
      await small.close();
    }
  });
});

describe('unknown computations and routes (404)', () => {
  test('an unknown computation id is unknown-computation, without echoing the id', async () => {
    const detail = expectProblem(await postEvaluate(app, 'bmi-v2', body), 'unknown-computation', 404);
    expect(detail).not.toContain('bmi-v2');
  });

  test('an unknown computation is a 404 whatever the body is', async () => {
    expectProblem(await postEvaluate(app, 'bmi-v2', '{not json'), 'unknown-computation', 404);
    const response = await postEvaluate(app, 'bmi-v2', json, { 'content-type': 'text/plain' });
    expectProblem(response, 'unknown-computation', 404);
  });

  test('a computation id longer than the router allows is not-found', async () => {
    expectProblem(await postEvaluate(app, 'x'.repeat(500), body), 'not-found', 404);
  });

  test.each([
    ['GET', '/api/v1/nothing'],
    ['GET', '/api/v2/health'],
    ['GET', '/api'],
    ['GET', '/'],
    ['GET', '/index.html'],
    ['POST', '/api/v1/health'],
    ['DELETE', '/api/v1/computations'],
    ['GET', '/api/v1/computations/bmi/evaluate'],
    ['PUT', '/api/v1/computations/bmi/evaluate'],
    ['OPTIONS', '/api/v1/computations'],
  ] as const)('%s %s is not-found (no web app configured, no CORS origins)', async (method, url) => {
    expectProblem(await app.inject({ method, url }), 'not-found', 404);
  });

  test('a malformed percent-encoding is not-found', async () => {
    expectProblem(
      await app.inject({ method: 'GET', url: '/api/v1/computations/%E0%A4%A/evaluate' }),
      'not-found',
      404,
    );
  });
});
