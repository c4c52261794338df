/**
 * The service on a real listening socket, called with fetch as a browser or third-party client would:
 * JSON over HTTP, CORS for the configured origins only (preflight included), problems on the wire.
 */

import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { decryptOutputs } from '../shared/client.js';
import { buildTestApp, sampleRequest } from './test-support.js';

const ALLOWED = 'https://vitals.example.org';
const OTHER = 'https://evil.example.com';

async function listening(app: FastifyInstance): Promise<string> {
  return app.listen({ port: 0, host: '127.0.0.1' });
}

let app: FastifyInstance;
let base: string;
beforeAll(async () => {
  app = await buildTestApp({ corsOrigins: [ALLOWED], rateLimit: { max: 600, timeWindowMs: 60_000 } });
  base = await listening(app);
});
afterAll(() => app.close());

const evaluateInit = (origin: string, body: string, contentType = 'application/json'): RequestInit => ({
  method: 'POST',
  headers: { origin, 'content-type': contentType },
  body,
});

test('GET /api/v1/health over HTTP', async () => {
  const response = await fetch(`${base}/api/v1/health`);
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ status: 'ok' });
});

test('a cross-origin evaluation from an allowed origin decrypts to the right score', async () => {
  const { computation, key, body } = sampleRequest('cha2ds2-vasc');
  const response = await fetch(
    `${base}/api/v1/computations/cha2ds2-vasc/evaluate`,
    evaluateInit(ALLOWED, JSON.stringify(body)),
  );
  expect(response.status).toBe(200);
  expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
  expect(response.headers.get('vary')).toMatch(/\bOrigin\b/i);
  // SAMPLE_PLAINTEXTS is docs/PROTOCOL.md's worked example: hypertension + 2·age75plus + 2·stroke + female.
  expect(decryptOutputs(computation, key, await response.json())).toEqual({ score: 6n });
});

describe('CORS preflight', () => {
  const preflight = (origin: string) =>
    fetch(`${base}/api/v1/computations/bmi/evaluate`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });

  test('an allowed origin may POST JSON', async () => {
    const response = await preflight(ALLOWED);
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(response.headers.get('access-control-allow-methods')).toMatch(/\bPOST\b/);
    expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('content-type');
    expect(response.headers.get('vary')).toMatch(/\bOrigin\b/i);
  });

  test('any other origin gets no permission', async () => {
    const response = await preflight(OTHER);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});

test('a request from another origin gets no CORS permission (the browser withholds the answer)', async () => {
  const response = await fetch(`${base}/api/v1/computations`, { headers: { origin: OTHER } });
  expect(response.headers.get('access-control-allow-origin')).toBeNull();
  expect(response.headers.get('vary')).toMatch(/\bOrigin\b/i);
});

test('problems reach an allowed origin as application/problem+json with CORS headers', async () => {
  const response = await fetch(
    `${base}/api/v1/computations/bmi/evaluate`,
    evaluateInit(ALLOWED, 'weight=70', 'application/x-www-form-urlencoded'),
  );
  expect(response.status).toBe(415);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
  expect(await response.json()).toMatchObject({ status: 415, code: 'unsupported-media-type' });
});

test('a 429 tells an allowed origin when to retry (Retry-After is exposed)', async () => {
  const limited = await buildTestApp({ corsOrigins: [ALLOWED], rateLimit: { max: 1, timeWindowMs: 60_000 } });
  try {
    // The catalog, not health: liveness and readiness are never rate limited.
    const url = `${await listening(limited)}/api/v1/computations`;
    await fetch(url, { headers: { origin: ALLOWED } });
    const response = await fetch(url, { headers: { origin: ALLOWED } });
    expect(response.status).toBe(429);
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(response.headers.get('access-control-expose-headers')).toMatch(/Retry-After/i);
    expect(response.headers.get('access-control-expose-headers')).toMatch(/X-Request-Id/i);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
  } finally {
    await limited.close();
  }
});

test('without configured origins there is no CORS at all', async () => {
  const closed = await buildTestApp();
  try {
    const origin = await listening(closed);
    const simple = await fetch(`${origin}/api/v1/health`, { headers: { origin: ALLOWED } });
    expect(simple.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${origin}/api/v1/health`, {
      method: 'OPTIONS',
      headers: { origin: ALLOWED, 'access-control-request-method': 'GET' },
    });
    expect(preflight.status).toBe(404);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  } finally {
    await closed.close();
  }
});
