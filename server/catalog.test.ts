/** GET /api/v1/health and GET /api/v1/computations (spec: "HTTP API"). */

import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { COMPUTATIONS, computationToWire } from '../shared/computations/catalog.js';
import { buildTestApp } from './test-support.js';

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildTestApp();
});
afterAll(() => app.close());

test('GET /api/v1/health answers {"status":"ok"}', async () => {
  const response = await app.inject({ method: 'GET', url: '/api/v1/health' });
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  expect(response.json()).toEqual({ status: 'ok' });
});

describe('GET /api/v1/computations', () => {
  // Each shipped entry as computationToWire gives it: the spec's bmi and cha2ds2-vasc are checked there
  // (shared/computations/catalog.test.ts), once.
  test('lists every computation the app ships as the app describes it, and the other built-in models', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/computations' });
    expect(response.statusCode).toBe(200);
    const { computations } = response.json() as { computations: { id: string }[] };
    for (const shipped of COMPUTATIONS) {
      expect(computations.find((entry) => entry.id === shipped.id)).toEqual(computationToWire(shipped));
    }
    expect(computations.map((entry) => entry.id).sort()).toEqual(
      [...COMPUTATIONS.map((c) => c.id), 'ckd-epi-2021', 'mayo-lung-nodule', 'prevent-2023'].sort(),
    );
  });
});
