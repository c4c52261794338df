/**
 * The API's per-client rate limit: 429 rate-limited with Retry-After, counted per client address;
 * liveness and readiness are never limited. (Shared across processes through Redis: rate-limit-store.test.ts.)
 */

import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterEach, describe, expect, test } from 'vitest';
import { buildApp } from './app.js';
import { buildTestApp, expectProblem } from './test-support.js';

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function limitedApp(max: number, options: { trustProxy?: boolean; timeWindowMs?: number } = {}) {
  const app = await buildTestApp({
    rateLimit: { max, timeWindowMs: options.timeWindowMs ?? 60_000 },
    trustProxy: options.trustProxy ?? false,
  });
  apps.push(app);
  return app;
}

/** The catalog: a cheap API request that counts toward the limit. */
const catalog = (extra: Partial<InjectOptions> = {}): InjectOptions => ({
  method: 'GET',
  url: '/api/v1/computations',
  ...extra,
});

test('by default a client may make 600 requests a minute', async () => {
  const app = await buildApp({ logger: false });
  apps.push(app);
  const response = await app.inject(catalog());
  expect(response.statusCode).toBe(200);
  expect(response.headers['x-ratelimit-limit']).toBe('600');
});

describe('over the limit', () => {
  test('the next request is 429 rate-limited with Retry-After', async () => {
    const app = await limitedApp(3);
    for (let i = 0; i < 3; i++) expect((await app.inject(catalog())).statusCode).toBe(200);
    const response = await app.inject(catalog());
    expectProblem(response, 'rate-limited', 429);
    expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
  });

  test('every API route counts toward the same limit', async () => {
    const app = await limitedApp(2);
    await app.inject(catalog());
    await app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/computations/bmi/evaluate',
      headers: { 'content-type': 'application/json' },
      payload: '{}',
    });
    expectProblem(response, 'rate-limited', 429);
  });

  test('another client address is not affected', async () => {
    const app = await limitedApp(1);
    await app.inject(catalog({ remoteAddress: '192.0.2.1' }));
    expectProblem(await app.inject(catalog({ remoteAddress: '192.0.2.1' })), 'rate-limited', 429);
    expect((await app.inject(catalog({ remoteAddress: '192.0.2.2' }))).statusCode).toBe(200);
  });

  test('the limit is lifted when the window ends', async () => {
    const app = await limitedApp(1, { timeWindowMs: 300 });
    await app.inject(catalog());
    expectProblem(await app.inject(catalog()), 'rate-limited', 429);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await app.inject(catalog())).statusCode).toBe(200);
  });
});

describe('X-Forwarded-For', () => {
  const from = (address: string) =>
    catalog({ remoteAddress: '10.0.0.1', headers: { 'x-forwarded-for': address } });

  test('is ignored by default, so a client cannot dodge the limit by forging it', async () => {
    const app = await limitedApp(1);
    await app.inject(from('198.51.100.1'));
    expectProblem(await app.inject(from('198.51.100.2')), 'rate-limited', 429);
  });

  test('identifies the client behind a trusted proxy', async () => {
    const app = await limitedApp(1, { trustProxy: true });
    await app.inject(from('198.51.100.1'));
    expectProblem(await app.inject(from('198.51.100.1')), 'rate-limited', 429);
    expect((await app.inject(from('198.51.100.2'))).statusCode).toBe(200);
  });
});

test('liveness and readiness answer a client over its limit, and do not count toward it', async () => {
  const app = await limitedApp(2);
  for (let i = 0; i < 5; i++) {
    expect((await app.inject({ url: '/api/v1/health' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/api/v1/health/ready' })).statusCode).toBe(200);
  }
  expect((await app.inject(catalog())).statusCode).toBe(200);
  expect((await app.inject(catalog())).statusCode).toBe(200);
  expectProblem(await app.inject(catalog()), 'rate-limited', 429);
  const live = await app.inject({ url: '/api/v1/health' });
  expect(live.statusCode).toBe(200);
  expect(live.json()).toEqual({ status: 'ok' });
  expect(live.headers['x-ratelimit-limit']).toBeUndefined();
  expect((await app.inject({ url: '/api/v1/health/ready' })).statusCode).toBe(200);
});

test('rateLimit: false turns the limit off', async () => {
  const app = await buildTestApp({ rateLimit: false });
  apps.push(app);
  const response = await app.inject(catalog());
  expect(response.headers['x-ratelimit-limit']).toBeUndefined();
});
