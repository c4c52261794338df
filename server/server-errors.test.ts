/**
 * "No request ever gets a 5xx for anything it sent" (spec: "HTTP API"): random bodies, mutations of
 * valid requests, content types and paths all get a 2xx or a 4xx problem. The 500 path exists only for
 * the service's own bugs: generic to the caller, logged with its stack but never with the body.
 */

import { Writable } from 'node:stream';
import fc from 'fast-check';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bytesToBase64Url } from '../shared/wire.js';
import { buildTestApp, expectProblem, postEvaluate, sampleRequest } from './test-support.js';

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildTestApp();
});
afterAll(() => app.close());

function expectNoServerError(response: LightMyRequestResponse): void {
  expect(response.statusCode).toBeLessThan(500);
  // A HEAD response has the headers of the GET but no body to check.
  if (response.statusCode >= 400 && response.body !== '') {
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expectProblem(response, response.json().code, response.statusCode);
  }
}

const ids = fc.constantFrom('bmi', 'cha2ds2-vasc');

/** Every path to a value inside a JSON value, the root included. */
function pathsOf(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return [prefix, ...Object.entries(value).flatMap(([key, child]) => pathsOf(child, [...prefix, key]))];
}

function replaceAt(value: unknown, path: readonly string[], replacement: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return replacement;
  const record = value as Record<string, unknown>;
  return { ...record, [head]: replaceAt(record[head], rest, replacement) };
}

/** Strings shaped like elements: base64url of random bytes, some of exactly an element's length. */
const elementLike = fc.oneof(
  fc.uint8Array({ minLength: 32, maxLength: 32 }).map(bytesToBase64Url),
  fc.uint8Array({ minLength: 384, maxLength: 384 }).map(bytesToBase64Url),
  fc.uint8Array({ minLength: 0, maxLength: 520 }).map(bytesToBase64Url),
  fc.string({ maxLength: 700 }),
);

describe('no request gets a 5xx', () => {
  test('any JSON value as the body', async () => {
    await fc.assert(
      fc.asyncProperty(ids, fc.jsonValue(), async (id, value) => {
        expectNoServerError(await postEvaluate(app, id, value));
      }),
      { numRuns: 200 },
    );
  });

  test('any text as a JSON body', async () => {
    await fc.assert(
      fc.asyncProperty(ids, fc.string({ unit: 'binary', maxLength: 300 }), async (id, text) => {
        expectNoServerError(await postEvaluate(app, id, text));
      }),
      { numRuns: 200 },
    );
  });

  test('a valid request with any one part replaced', async () => {
    const requests = { bmi: sampleRequest('bmi').body, 'cha2ds2-vasc': sampleRequest('cha2ds2-vasc').body };
    const mutation = ids.chain((id) =>
      fc.record({
        id: fc.constant(id),
        path: fc.constantFrom(...pathsOf(requests[id])),
        replacement: fc.oneof(elementLike, fc.jsonValue()),
      }),
    );
    await fc.assert(
      fc.asyncProperty(mutation, async ({ id, path, replacement }) => {
        expectNoServerError(await postEvaluate(app, id, replaceAt(requests[id], path, replacement)));
      }),
      { numRuns: 300 },
    );
  });

  test('any content type', async () => {
    const json = JSON.stringify(sampleRequest('cha2ds2-vasc').body);
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(/^[\x20-\x7e]{0,80}$/), async (contentType) => {
        expectNoServerError(await postEvaluate(app, 'cha2ds2-vasc', json, { 'content-type': contentType }));
      }),
      { numRuns: 200 },
    );
  });

  test('any path and method', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'),
        fc.oneof(
          fc.webPath(),
          fc.webPath().map((path) => `/api/v1${path}`),
        ),
        async (method, url) => {
          expectNoServerError(await app.inject({ method, url: url || '/' }));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('a bug of the service itself', () => {
  test('is a generic 500 internal-error, logged with the stack and without the body', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const faulty = await buildTestApp({ logger: { level: 'info', stream } });
    faulty.post('/api/v1/faulty', async () => {
      throw new Error('invariant broken in faulty handler');
    });
    try {
      const body = JSON.stringify(sampleRequest('cha2ds2-vasc').body);
      const response = await faulty.inject({
        method: 'POST',
        url: '/api/v1/faulty',
        headers: { 'content-type': 'application/json' },
        payload: body,
      });
      const detail = expectProblem(response, 'internal-error', 500);
      expect(detail).not.toContain('invariant');
      const log = lines.join('');
      expect(log).toContain('invariant broken in faulty handler');
      expect(log).not.toContain(sampleRequest('cha2ds2-vasc').body.publicKey.y);
    } finally {
      await faulty.close();
    }
  });
});
