/**
 * Framingham 2008, Cockcroft–Gault and the readings summary over HTTP: what the patient's device
 * encodes and encrypts, the service computes on ciphertexts, and the decrypted outputs equal the same
 * arithmetic on the plaintexts; and every computation refuses a request whose group or input set is not
 * its own (spec: "HTTP API").
 */

import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AdditiveDecoder } from '../shared/additive-decoder.js';
import { decryptOutputs, generateGroupKeyPair } from '../shared/client.js';
import { COMPUTATIONS, findComputation } from '../shared/computations/catalog.js';
import type { Computation, FormValues, Plaintexts } from '../shared/computations/computation.js';
import { validateForm } from '../shared/computations/form.js';
import { MEASURES, type Measure } from '../shared/computations/readings-summary.js';
import { evaluateInTheClear } from '../shared/computations/test-support.js';
import type { GroupName } from '../shared/groups/group.js';
import { buildTestApp, encryptedRequest, expectProblem, postEvaluate } from './test-support.js';

let app: FastifyInstance;
/** The file's decoder: its table, built by the first decode, serves the rest. */
const decoder = new AdditiveDecoder();
beforeAll(async () => {
  app = await buildTestApp();
});
afterAll(() => app.close());

function entry(id: string): Computation {
  const computation = findComputation(id);
  if (!computation) throw new Error(`The catalog lost ${id}.`);
  return computation;
}

/** Posts what the device would send for these form values; returns the decrypted outputs. */
async function evaluateOverHttp(computation: Computation, values: FormValues): Promise<Plaintexts> {
  expect(validateForm(computation, values)).toEqual({});
  const { key, body } = encryptedRequest(computation, computation.encodeInputs(values));
  const response = await postEvaluate(app, computation.id, body);
  expect(response.statusCode).toBe(200);
  return decryptOutputs(computation, key, response.json(), {}, decoder);
}

const sex = fc.constantFrom('female', 'male');
const quantity = (unit: string, min: number, max: number) =>
  fc.integer({ min, max }).map((value) => ({ value, unit }));

describe('round trips over HTTP', () => {
  test('framingham-2008 returns E(Σβx), which the client turns into a 10-year risk', async () => {
    const framingham = entry('framingham-2008');
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          sex,
          age: quantity('years', 30, 74),
          totalCholesterol: quantity('mg/dL', 100, 405),
          hdl: quantity('mg/dL', 10, 100),
          sbp: quantity('mmHg', 90, 200),
          treated: fc.boolean(),
          smoker: fc.boolean(),
          diabetes: fc.boolean(),
        }),
        async (values) => {
          const inputs = framingham.encodeInputs(values);
          const outputs = await evaluateOverHttp(framingham, values);
          expect(outputs).toEqual(evaluateInTheClear(framingham, inputs));
          const { value } = framingham.interpret(outputs, values);
          expect(value).toBeGreaterThan(0);
          expect(value).toBeLessThan(100);
        },
      ),
      // Few runs: each is dominated by the client's decode over a 3·10^9-wide range.
      { numRuns: 4 },
    );
  }, 30_000);

  test('cockcroft-gault returns E(numerator) and E(denominator) for kg or lb, mg/dL or µmol/L', async () => {
    const cockcroftGault = entry('cockcroft-gault');
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          age: quantity('years', 18, 110),
          sex,
          weight: fc.oneof(quantity('kg', 20, 300), quantity('lb', 45, 661)),
          creatinine: fc.oneof(quantity('mg/dL', 1, 22), quantity('umol/L', 10, 2000)),
        }),
        async (values) => {
          const outputs = await evaluateOverHttp(cockcroftGault, values);
          expect(outputs).toEqual(evaluateInTheClear(cockcroftGault, cockcroftGault.encodeInputs(values)));
        },
      ),
      // About 20 ffdhe3072 exponentiations a run.
      { numRuns: 6 },
    );
  }, 30_000);

  test('readings-summary returns E(Σx), E(Σx² high) and E(Σx² low), exact for the largest sums', async () => {
    const readingsSummary = entry('readings-summary');
    const series = fc.constantFrom(...(Object.keys(MEASURES) as Measure[])).chain((measure) =>
      fc.record({
        measure: fc.constant(measure),
        readings: fc.array(
          fc.integer({ min: Math.ceil(MEASURES[measure].min), max: Math.floor(MEASURES[measure].max) }),
          { minLength: 1, maxLength: 31 },
        ),
        lastDay: fc.constant('2026-11-30'),
      }),
    );
    const largest = {
      measure: 'steps',
      readings: Array<number>(31).fill(MEASURES.steps.max),
      lastDay: '2026-11-30',
    };
    await fc.assert(
      fc.asyncProperty(series, async (values) => {
        const outputs = await evaluateOverHttp(readingsSummary, values);
        expect(outputs).toEqual(evaluateInTheClear(readingsSummary, readingsSummary.encodeInputs(values)));
        const sum = values.readings.reduce((s, x) => s + x, 0);
        expect(readingsSummary.interpret(outputs, values).value).toBeCloseTo(sum / values.readings.length, 9);
      }),
      // 93 inputs encrypted a run, so few runs.
      { numRuns: 3, examples: [[largest]] },
    );
  }, 30_000);
});

describe.each(COMPUTATIONS.map((c) => [c.id, c] as const))(
  '%s refuses a request that is not its own',
  (_, computation) => {
    /** A valid request in every other respect: each input at its lower bound. */
    const plaintexts = Object.fromEntries(computation.inputs.map((i) => [i.name, BigInt(i.min)]));
    const { body } = encryptedRequest(computation, plaintexts);
    const names = Object.keys(body.inputs);

    test('a public key of another group is group-mismatch', async () => {
      const otherGroup: GroupName = computation.group === 'ristretto255' ? 'ffdhe3072' : 'ristretto255';
      const request = { ...body, publicKey: generateGroupKeyPair(otherGroup).publicKey };
      const detail = expectProblem(await postEvaluate(app, computation.id, request), 'group-mismatch', 400);
      expect(detail).toContain(computation.group);
    });

    test('a missing input is missing-input, naming it', async () => {
      const missing = names[names.length - 1] as string;
      const inputs = Object.fromEntries(Object.entries(body.inputs).filter(([name]) => name !== missing));
      const detail = expectProblem(
        await postEvaluate(app, computation.id, { ...body, inputs }),
        'missing-input',
        400,
      );
      expect(detail).toContain(missing);
    });

    test('an extra input is unexpected-input, naming it', async () => {
      const inputs = { ...body.inputs, extraInput: body.inputs[names[0] as string] };
      const detail = expectProblem(
        await postEvaluate(app, computation.id, { ...body, inputs }),
        'unexpected-input',
        400,
      );
      expect(detail).toContain('extraInput');
    });
  },
);
