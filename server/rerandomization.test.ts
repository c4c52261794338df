/**
 * Every output is re-randomized before it leaves the service (spec: "HTTP API"): multiplied by a fresh
 * encryption of the neutral plaintext, so it carries no trace of how it was computed from the inputs.
 */

import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { decryptOutputs } from '../shared/client.js';
import { bmi } from '../shared/computations/bmi.js';
import { COMPUTATIONS } from '../shared/computations/catalog.js';
import { cha2ds2Vasc } from '../shared/computations/cha2ds2-vasc.js';
import { named } from '../shared/computations/computation.js';
import { schemeOf } from '../shared/scheme.js';
import {
  bytesToBase64Url,
  ciphertextToWire,
  type EvaluateRequest,
  publicKeyFromWire,
} from '../shared/wire.js';
import {
  buildTestApp,
  catalogSampleRequest,
  expectProblem,
  postEvaluate,
  sampleRequest,
  unrandomizedAnswer,
} from './test-support.js';

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
    const bare = unrandomizedAnswer(computation, body).outputs;
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

/**
 * A curious client chooses its own encryption randomness: r = 1 for every input, so each `a` is the
 * generator. Without re-randomization the output's `a` would be g^w (w·G): a function of the service's
 * weights alone, which the client could look up or solve for. (The unit vectors r = e_k that would
 * isolate one weight need a = identity for the other inputs, which the service refuses.)
 */
describe.each(COMPUTATIONS.map((c) => [c.id, c] as const))(
  '%s: a client that sends a = generator',
  (_, computation) => {
    /** Every input encrypted with r = 1: a = g, b = enc(m)·y. */
    function withUnitRandomness(): EvaluateRequest {
      const { key, plaintexts } = catalogSampleRequest(computation);
      return schemeOf(computation, ({ group, encode }) => {
        const y = publicKeyFromWire(group, key.publicKey);
        const inputs = Object.fromEntries(
          computation.inputs.map((input) => {
            const m = named(plaintexts, input.name);
            return [
              input.name,
              ciphertextToWire(group, { a: group.generator, b: group.multiply(encode(m), y) }),
            ];
          }),
        );
        return { publicKey: key.publicKey, inputs };
      });
    }

    test('the returned a is not the bare g^w, and the result still decrypts correctly', async () => {
      const { key } = catalogSampleRequest(computation);
      const crafted = withUnitRandomness();
      const bare = unrandomizedAnswer(computation, crafted);
      const first = await postEvaluate(app, computation.id, crafted);
      const second = await postEvaluate(app, computation.id, crafted);
      expect(first.statusCode).toBe(200);
      for (const output of computation.outputs) {
        const bareA = bare.outputs[output.name]?.a;
        expect(bareA).toBeDefined();
        expect(first.json().outputs[output.name].a).not.toBe(bareA);
        expect(second.json().outputs[output.name].a).not.toBe(bareA);
        expect(second.json().outputs[output.name].a).not.toBe(first.json().outputs[output.name].a);
      }
      const expected = decryptOutputs(computation, key, bare);
      expect(decryptOutputs(computation, key, first.json())).toEqual(expected);
    });

    test('the identity as a (r = 0, the zero entries of a unit vector) is refused', async () => {
      const crafted = withUnitRandomness();
      const [name, ciphertext] = Object.entries(crafted.inputs)[0] ?? [];
      if (!name || !ciphertext) throw new Error('No input.');
      const identity = schemeOf(computation, ({ group }) => bytesToBase64Url(group.toBytes(group.identity)));
      const response = await postEvaluate(app, computation.id, {
        ...crafted,
        inputs: { ...crafted.inputs, [name]: { ...ciphertext, a: identity } },
      });
      expectProblem(response, 'invalid-element', 400);
    });
  },
);
