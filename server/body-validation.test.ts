/**
 * The evaluate body is checked strictly against the protocol's schema (shared/wire.ts) and the
 * computation's input names: extra fields are refused (never stripped), nothing is coerced, and the
 * detail names the field without echoing what was sent.
 */

import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MAX_INPUTS } from '../shared/wire.js';
import { buildTestApp, expectProblem, postEvaluate, sampleRequest } from './test-support.js';

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildTestApp();
});
afterAll(() => app.close());

const { body } = sampleRequest('bmi');
const weight = body.inputs.weight;
if (!weight) throw new Error('The sample bmi request has no weight.');

describe('validation-failed, naming the field', () => {
  const cases: [string, unknown, string][] = [
    ['a number as y', { ...body, publicKey: { ...body.publicKey, y: 12345 } }, 'publicKey.y'],
    [
      'a number as a',
      { ...body, inputs: { ...body.inputs, weight: { ...weight, a: 67890 } } },
      'inputs.weight.a',
    ],
    [
      'a boolean as b',
      { ...body, inputs: { ...body.inputs, weight: { ...weight, b: true } } },
      'inputs.weight.b',
    ],
    ['null as a', { ...body, inputs: { ...body.inputs, weight: { ...weight, a: null } } }, 'inputs.weight.a'],
    ['an array as y', { ...body, publicKey: { ...body.publicKey, y: [body.publicKey.y] } }, 'publicKey.y'],
    ['a number as group', { ...body, publicKey: { ...body.publicKey, group: 3072 } }, 'publicKey.group'],
    [
      'an unknown group',
      { ...body, publicKey: { ...body.publicKey, group: 'ffdhe1024' } },
      'publicKey.group',
    ],
    ['an empty element', { ...body, publicKey: { ...body.publicKey, y: '' } }, 'publicKey.y'],
    [
      'an element longer than any group’s',
      { ...body, publicKey: { ...body.publicKey, y: 'A'.repeat(684) } },
      'publicKey.y',
    ],
    [
      'a string as a ciphertext',
      { ...body, inputs: { ...body.inputs, weight: 'E(weight)' } },
      'inputs.weight',
    ],
    ['an array as inputs', { ...body, inputs: [weight] }, 'inputs'],
    ['an extra top-level field', { ...body, note: 'x' }, 'note'],
    ['an extra public-key field', { ...body, publicKey: { ...body.publicKey, x: '42' } }, 'publicKey'],
    [
      'an extra ciphertext field',
      { ...body, inputs: { ...body.inputs, weight: { ...weight, c: weight.a } } },
      'inputs.weight',
    ],
    ['no publicKey', { inputs: body.inputs }, 'publicKey'],
    ['no inputs', { publicKey: body.publicKey }, 'inputs'],
    ['no y', { ...body, publicKey: { group: body.publicKey.group } }, 'y'],
    ['no b', { ...body, inputs: { ...body.inputs, weight: { a: weight.a } } }, 'b'],
  ];
  test.each(cases)('%s', async (_, request, field) => {
    const detail = expectProblem(await postEvaluate(app, 'bmi', request), 'validation-failed', 400);
    expect(detail).toContain(field);
    for (const sent of ['12345', '67890', 'E(weight)', '42', 'AAAAAAAAAA', weight.a.slice(0, 16)]) {
      expect(detail).not.toContain(sent);
    }
  });

  test('an unknown group lists the groups there are', async () => {
    const request = { ...body, publicKey: { ...body.publicKey, group: 'ffdhe1024' } };
    const detail = expectProblem(await postEvaluate(app, 'bmi', request), 'validation-failed', 400);
    expect(detail).toMatch(/ristretto255, ffdhe2048, ffdhe3072, ffdhe4096/);
  });

  test.each([
    ['an array', [body]],
    ['a string', 'body'],
    ['a number', 42],
    ['null', null],
  ])('a body that is %s', async (_, request) => {
    expectProblem(await postEvaluate(app, 'bmi', JSON.stringify(request)), 'validation-failed', 400);
  });

  test(`more than ${MAX_INPUTS} inputs`, async () => {
    // Short strings keep the body under the size limit: the schema refuses it before any decoding.
    const inputs = Object.fromEntries(
      Array.from({ length: MAX_INPUTS + 1 }, (_, i) => [`input${i}`, { a: 'AA', b: 'AA' }]),
    );
    const detail = expectProblem(
      await postEvaluate(app, 'bmi', { ...body, inputs }),
      'validation-failed',
      400,
    );
    expect(detail).toContain('inputs');
  });
});

describe('the input names must be exactly the computation’s', () => {
  test('a missing input is missing-input, naming it', async () => {
    const { height } = body.inputs;
    const detail = expectProblem(
      await postEvaluate(app, 'bmi', { ...body, inputs: { height } }),
      'missing-input',
      400,
    );
    expect(detail).toContain('weight');
  });

  test('no inputs at all is missing-input', async () => {
    expectProblem(await postEvaluate(app, 'bmi', { ...body, inputs: {} }), 'missing-input', 400);
  });

  test('an input the computation does not take is unexpected-input, naming it', async () => {
    const request = { ...body, inputs: { ...body.inputs, age: weight } };
    const detail = expectProblem(await postEvaluate(app, 'bmi', request), 'unexpected-input', 400);
    expect(detail).toContain('age');
  });

  test('another computation’s inputs are missing and unexpected: missing-input first', async () => {
    const { body: scoreRequest } = sampleRequest('cha2ds2-vasc');
    const request = { ...body, inputs: scoreRequest.inputs };
    expectProblem(await postEvaluate(app, 'bmi', request), 'missing-input', 400);
  });
});

describe('hostile structure: deep nesting and prototype keys are refused, not recursed into', () => {
  const json = JSON.stringify(body);
  /** The valid body with the ciphertext of weight replaced by raw JSON text. */
  const withWeight = (raw: string) => json.replace(JSON.stringify(weight), () => raw);

  test.each([
    ['30,000 nested arrays as a ciphertext', withWeight(`${'['.repeat(30_000)}${']'.repeat(30_000)}`)],
    ['30,000 nested arrays as the body', `${'['.repeat(30_000)}${']'.repeat(30_000)}`],
    ['4,000 nested objects as a ciphertext', withWeight(`${'{"a":'.repeat(4_000)}0${'}'.repeat(4_000)}`)],
  ])('%s is validation-failed', async (_, text) => {
    expect(Buffer.byteLength(text)).toBeLessThan(64 * 1024);
    expectProblem(await postEvaluate(app, 'bmi', text), 'validation-failed', 400);
  });

  test.each([
    [
      '"__proto__" inside a ciphertext',
      withWeight(`{"__proto__":{"a":"x"},"a":"${weight.a}","b":"${weight.b}"}`),
    ],
    [
      '"constructor.prototype" inside the public key',
      json.replace('"publicKey":{', '"publicKey":{"constructor":{"prototype":{"y":1}},'),
    ],
    [
      '"__proto__" under deep nesting',
      withWeight(`${'{"x":'.repeat(2_000)}{"__proto__":1}${'}'.repeat(2_000)}`),
    ],
  ])('%s is refused and pollutes nothing', async (_, text) => {
    expectProblem(await postEvaluate(app, 'bmi', text), 'validation-failed', 400);
    expect(({} as Record<string, unknown>).a).toBeUndefined();
    expect(({} as Record<string, unknown>).y).toBeUndefined();
  });
});
