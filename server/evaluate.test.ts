/**
 * POST /api/v1/computations/{id}/evaluate computes the right thing: over random inputs, the patient's
 * side (shared/client.ts) encrypts, the service evaluates, and the decrypted outputs equal the spec's
 * formulas evaluated here on the plaintexts.
 */

import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { decryptOutputs } from '../shared/client.js';
import { buildTestApp, catalogEntry, encryptedRequest, postEvaluate } from './test-support.js';

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildTestApp();
});
afterAll(() => app.close());

test('bmi returns E(weight · 100000) and E(height²) (spec: "bmi")', async () => {
  const bmi = catalogEntry('bmi');
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 10, max: 6500 }),
      fc.integer({ min: 300, max: 2800 }),
      async (w, h) => {
        const weight = BigInt(w);
        const height = BigInt(h);
        const { key, body } = encryptedRequest(bmi, { weight, height });
        const response = await postEvaluate(app, 'bmi', body);
        expect(response.statusCode).toBe(200);
        expect(decryptOutputs(bmi, key, response.json())).toEqual({
          numerator: weight * 100000n,
          denominator: height * height,
        });
      },
    ),
    // Each run is about a dozen ffdhe3072 exponentiations; the bounds are always tried.
    {
      numRuns: 12,
      examples: [
        [10, 300],
        [6500, 2800],
        [700, 1750],
      ],
    },
  );
});

test('cha2ds2-vasc returns E(score) with stroke and age ≥ 75 counting double (spec: "cha2ds2-vasc")', async () => {
  const cha2ds2Vasc = catalogEntry('cha2ds2-vasc');
  const indicator = fc.constantFrom(0n, 1n);
  // The two age brackets exclude each other; both set would score 10, outside the declared [0, 9].
  const ageBracket = fc.constantFrom(
    { age65to74: 0n, age75plus: 0n },
    { age65to74: 1n, age75plus: 0n },
    { age65to74: 0n, age75plus: 1n },
  );
  await fc.assert(
    fc.asyncProperty(
      fc.record({
        chf: indicator,
        hypertension: indicator,
        diabetes: indicator,
        stroke: indicator,
        vascular: indicator,
        female: indicator,
      }),
      ageBracket,
      async (flags, age) => {
        const inputs = { ...flags, ...age };
        const { key, body } = encryptedRequest(cha2ds2Vasc, inputs);
        const response = await postEvaluate(app, 'cha2ds2-vasc', body);
        expect(response.statusCode).toBe(200);
        const score =
          inputs.chf +
          inputs.hypertension +
          inputs.age65to74 +
          2n * inputs.age75plus +
          inputs.diabetes +
          2n * inputs.stroke +
          inputs.vascular +
          inputs.female;
        expect(decryptOutputs(cha2ds2Vasc, key, response.json())).toEqual({ score });
      },
    ),
    // Constant-time ristretto255 scalar multiplications on both sides make each run costly; the
    // lowest (0) and highest (9) scores are always tried.
    {
      numRuns: 20,
      examples: [
        [
          { chf: 0n, hypertension: 0n, diabetes: 0n, stroke: 0n, vascular: 0n, female: 0n },
          { age65to74: 0n, age75plus: 0n },
        ],
        [
          { chf: 1n, hypertension: 1n, diabetes: 1n, stroke: 1n, vascular: 1n, female: 1n },
          { age65to74: 0n, age75plus: 1n },
        ],
      ],
    },
  );
});

test('the response names the computation and its version', async () => {
  const bmi = catalogEntry('bmi');
  const { body } = encryptedRequest(bmi, { weight: 700n, height: 1750n });
  const response = await postEvaluate(app, 'bmi', body);
  expect(response.json()).toMatchObject({ computation: 'bmi', version: bmi.version });
});
