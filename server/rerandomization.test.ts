/**
 * Every output is re-randomized before it leaves the service (spec: "HTTP API"): multiplied by a fresh
 * encryption of the neutral plaintext, so it carries no trace of how it was computed from the inputs.
 */

import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { decryptOutputs } from '../shared/client.js';
import { bmi } from '../shared/computations/bmi.js';
import { cha2ds2Vasc } from '../shared/computations/cha2ds2-vasc.js';
import { evaluateWithoutRerandomizing } from './evaluation.js';
import { buildTestApp, postEvaluate, sampleRequest } from './test-support.js';

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildTestApp();
});
afterAll(() => app.close());

describe.each([
  ['bmi', bmi],
  ['cha2ds2-vasc', cha2ds2Vasc],
] as const)('%s', (id, computation) => {
  test('the same request twice gives different ciphertexts of the same result', async () => {
    const { key, body } = sampleRequest(id);
    const first = (await postEvaluate(app, id, body)).json();
    const second = (await postEvaluate(app, id, body)).json();
    for (const output of computation.outputs) {
      expect(second.outputs[output.name].a).not.toBe(first.outputs[output.name].a);
      expect(second.outputs[output.name].b).not.toBe(first.outputs[output.name].b);
    }
    expect(decryptOutputs(computation, key, second)).toEqual(decryptOutputs(computation, key, first));
  });

  test('no output is the un-randomized evaluation, nor shares its randomness', async () => {
    const { body } = sampleRequest(id);
    const bare = evaluateWithoutRerandomizing(computation, body).outputs;
    const { outputs } = (await postEvaluate(app, id, body)).json();
    for (const output of computation.outputs) {
      const returned = outputs[output.name];
      const unrandomized = bare[output.name];
      expect(unrandomized).toBeDefined();
      expect(returned.a).not.toBe(unrandomized?.a);
      expect(returned.b).not.toBe(unrandomized?.b);
    }
  });
});
