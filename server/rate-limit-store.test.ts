/**
 * The rate limit counted in Redis (server/rate-limit-store.ts): two instances sharing one store allow
 * one budget between them, not one each; when the store is unreachable or hangs, requests are let
 * through (fail open, the documented choice), counted as store errors, and probes still answer.
 */

import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { freePort, type RedisProcess, startRedis } from './fleet/test-support.js';
import { redisUrlProblem } from './rate-limit-store.js';
import { buildTestApp, expectProblem } from './test-support.js';

let redis: RedisProcess;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis.stop());

const apps: FastifyInstance[] = [];
afterEach(async () => {
  redis.process.kill('SIGCONT');
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function instance(redisUrl: string, max: number): Promise<FastifyInstance> {
  const app = await buildTestApp({ rateLimit: { max, timeWindowMs: 60_000, redisUrl } });
  apps.push(app);
  await app.ready();
  return app;
}

/** Each test counts a client address of its own, so the shared store carries nothing between tests. */
const catalogFrom = (remoteAddress: string) => ({ url: '/api/v1/computations', remoteAddress });

/** Waits until the app's store connection is up (its gauge says 1). */
async function storeConnected(app: FastifyInstance): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await metricValue(app, 'sealed_vitals_rate_limit_store_up')) === 1) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('The rate-limit store never connected.');
}

async function metricValue(app: FastifyInstance, name: string): Promise<number> {
  const text = (await app.metrics?.registry.metrics()) ?? '';
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1] ?? Number.NaN);
}

test('two instances sharing the store allow one budget between them', async () => {
  const [a, b] = [await instance(redis.url, 4), await instance(redis.url, 4)];
  await Promise.all([storeConnected(a), storeConnected(b)]);
  const client = '192.0.2.10';
  const statuses: number[] = [];
  for (let i = 0; i < 4; i++) {
    statuses.push((await (i % 2 === 0 ? a : b).inject(catalogFrom(client))).statusCode);
  }
  expect(statuses).toEqual([200, 200, 200, 200]);
  for (const app of [a, b]) {
    const response = await app.inject(catalogFrom(client));
    expectProblem(response, 'rate-limited', 429);
    expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
    expect(response.headers['x-ratelimit-limit']).toBe('4');
  }
  // Another address has its own budget, and probes are never counted or refused.
  expect((await b.inject(catalogFrom('192.0.2.11'))).statusCode).toBe(200);
  expect((await a.inject({ url: '/api/v1/health', remoteAddress: client })).statusCode).toBe(200);
  expect(await metricValue(a, 'sealed_vitals_rate_limited_total')).toBe(1);
  expect(await metricValue(a, 'sealed_vitals_rate_limit_store_errors_total')).toBe(0);
});

describe('when the store cannot answer, the limit fails open', () => {
  test('nothing listening: requests are let through and counted as store errors', async () => {
    const app = await instance(`redis://127.0.0.1:${await freePort()}`, 1);
    const client = '192.0.2.20';
    for (let i = 0; i < 3; i++) expect((await app.inject(catalogFrom(client))).statusCode).toBe(200);
    expect(await metricValue(app, 'sealed_vitals_rate_limit_store_errors_total')).toBe(3);
    expect(await metricValue(app, 'sealed_vitals_rate_limit_store_up')).toBe(0);
    expect((await app.inject({ url: '/api/v1/health/ready' })).statusCode).toBe(200);
  });

  test('a store that hangs: each count gives up after its timeout and the request goes through', async () => {
    const app = await instance(redis.url, 1);
    await storeConnected(app);
    const client = '192.0.2.30';
    expect((await app.inject(catalogFrom(client))).statusCode).toBe(200);
    expectProblem(await app.inject(catalogFrom(client)), 'rate-limited', 429);
    redis.process.kill('SIGSTOP');
    try {
      expect((await app.inject(catalogFrom(client))).statusCode).toBe(200);
      expect(await metricValue(app, 'sealed_vitals_rate_limit_store_errors_total')).toBe(1);
    } finally {
      redis.process.kill('SIGCONT');
    }
    // Back: counting resumes where the store left it.
    expectProblem(await app.inject(catalogFrom(client)), 'rate-limited', 429);
  });
});

describe('REDIS_URL', () => {
  test('accepts redis:// and rediss:// with an optional database number', () => {
    for (const url of ['redis://127.0.0.1:6379', 'rediss://user:pw@cache.example.org:6380/2', 'redis://h/']) {
      expect(redisUrlProblem(url)).toBeUndefined();
    }
  });

  test('names what is wrong without repeating the URL, which may hold a password', () => {
    for (const url of [
      'cache:6379',
      'http://127.0.0.1:6379',
      'redis://:s3cret-pw@/',
      'redis://:s3cret-pw@h/db',
    ]) {
      const problem = redisUrlProblem(url);
      expect(problem).toMatch(/\w/);
      expect(problem).not.toContain('s3cret-pw');
    }
  });
});
