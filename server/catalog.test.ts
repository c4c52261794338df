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
  test('lists every computation the app ships as the app describes it, and the other built-in models', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/computations' });
    expect(response.statusCode).toBe(200);
    const { computations } = response.json() as { computations: { id: string }[] };
    for (const shipped of COMPUTATIONS) {
      expect(computations.find((entry) => entry.id === shipped.id)).toEqual(computationToWire(shipped));
    }
    expect(computations.map((entry) => entry.id).sort()).toEqual(
      [...COMPUTATIONS.map((c) => c.id), 'ckd-epi-2021', 'mayo-lung-nodule'].sort(),
    );
  });

  // The two computations every implementation must offer exactly so (spec: "Two computations").
  test('offers bmi and cha2ds2-vasc with the groups, names and bounds of the spec', async () => {
    const { computations } = (await app.inject({ method: 'GET', url: '/api/v1/computations' })).json();
    const byId = new Map<string, unknown>(computations.map((c: { id: string }) => [c.id, c]));
    expect(byId.get('bmi')).toMatchObject({
      group: 'ffdhe3072',
      inputs: [
        { name: 'weight', min: 10, max: 6500 },
        { name: 'height', min: 300, max: 2800 },
      ],
      outputs: [
        { name: 'numerator', min: 10 * 100000, max: 6500 * 100000 },
        { name: 'denominator', min: 300 ** 2, max: 2800 ** 2 },
      ],
    });
    const indicators = [
      'chf',
      'hypertension',
      'age65to74',
      'age75plus',
      'diabetes',
      'stroke',
      'vascular',
      'female',
    ];
    expect(byId.get('cha2ds2-vasc')).toMatchObject({
      group: 'ristretto255',
      inputs: indicators.map((name) => ({ name, min: 0, max: 1 })),
      outputs: [{ name: 'score', min: 0, max: 9 }],
    });
  });
});
