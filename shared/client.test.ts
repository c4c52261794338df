import { Value } from '@sinclair/typebox/value';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateRequest } from '../server/evaluation.js';
import { AdditiveDecoder } from './additive-decoder.js';
import { decryptOutputs, encryptInputs, type GroupKeyPair, generateGroupKeyPair } from './client.js';
import { bmi } from './computations/bmi.js';
import { cha2ds2Vasc } from './computations/cha2ds2-vasc.js';
import { type Computation, named, type Plaintexts } from './computations/computation.js';
import { serve } from './computations/test-support.js';
import { DecodeRangeError, ServiceResponseError } from './errors.js';
import { ffdheGroup } from './groups/index.js';
import { ristretto255SodiumGroup } from './groups/ristretto255-sodium.js';
import { bytesToBase64Url, type EvaluateResponse, elementToWire } from './wire.js';
import { EvaluateRequestSchema } from './wire-schemas.js';

const bmiKey = generateGroupKeyPair('ffdhe3072');
const scoreKey = generateGroupKeyPair('ristretto255');

/** The whole protocol in one process, with a JSON trip on each side as over HTTP. */
function roundTrip(computation: Computation, key: GroupKeyPair, plaintexts: Plaintexts): EvaluateResponse {
  const request = JSON.parse(JSON.stringify(encryptInputs(computation, key, plaintexts)));
  return JSON.parse(JSON.stringify(evaluateRequest(serve(computation), request)));
}

describe('encryptInputs → evaluateRequest → decryptOutputs', () => {
  it('computes bmi’s numerator and denominator', () => {
    const weight = fc.bigInt({ min: 10n, max: 6500n });
    const height = fc.bigInt({ min: 300n, max: 2800n });
    fc.assert(
      fc.property(weight, height, (w, h) => {
        const response = roundTrip(bmi, bmiKey, { weight: w, height: h });
        expect(decryptOutputs(bmi, bmiKey, response)).toEqual({ numerator: w * 100000n, denominator: h * h });
      }),
      { numRuns: 4 },
    );
    // Both ends of both inputs: the declared output bounds must hold the extreme results.
    for (const [w, h] of [
      [10n, 300n],
      [6500n, 2800n],
    ] as const) {
      const outputs = decryptOutputs(bmi, bmiKey, roundTrip(bmi, bmiKey, { weight: w, height: h }));
      expect(outputs).toEqual({ numerator: w * 100000n, denominator: h * h });
    }
  });

  it('computes the CHA₂DS₂-VASc score', () => {
    const bit = fc.constantFrom(0n, 1n);
    const answers = fc.record(Object.fromEntries(cha2ds2Vasc.inputs.map((input) => [input.name, bit])));
    // An age is in at most one band; both set would score 10, outside the declared [0, 9] (see below).
    const ageBands = fc.constantFrom([0n, 0n], [1n, 0n], [0n, 1n]);
    const flags = fc
      .tuple(answers, ageBands)
      .map(([rest, [age65to74, age75plus]]) => ({ ...rest, age65to74, age75plus }));
    fc.assert(
      fc.property(flags, (inputs) => {
        // The spec's formula, written out independently of the computation's weight table.
        const flag = (name: string) => named(inputs, name);
        const expected =
          flag('chf') +
          flag('hypertension') +
          flag('age65to74') +
          2n * flag('age75plus') +
          flag('diabetes') +
          2n * flag('stroke') +
          flag('vascular') +
          flag('female');
        const response = roundTrip(cha2ds2Vasc, scoreKey, inputs);
        expect(decryptOutputs(cha2ds2Vasc, scoreKey, response)).toEqual({ score: expected });
      }),
      { numRuns: 6 },
    );
  });

  it('interoperates across ristretto255 backends: libsodium (the worker’s) and noble, either way round', () => {
    const sodium = { ristretto255: ristretto255SodiumGroup };
    const flags = fc.record(
      Object.fromEntries(cha2ds2Vasc.inputs.map((input) => [input.name, fc.constantFrom(0n, 1n)])),
    );
    fc.assert(
      fc.property(flags, fc.boolean(), (answers, sodiumEncrypts) => {
        const inputs = { ...answers, age75plus: 0n };
        const request = encryptInputs(cha2ds2Vasc, scoreKey, inputs, sodiumEncrypts ? sodium : {});
        const response = evaluateRequest(serve(cha2ds2Vasc), request);
        const expected = cha2ds2Vasc.inputs.reduce(
          (sum, input) => sum + named(inputs, input.name) * (input.name === 'stroke' ? 2n : 1n),
          0n,
        );
        expect(decryptOutputs(cha2ds2Vasc, scoreKey, response, sodiumEncrypts ? {} : sodium)).toEqual({
          score: expected,
        });
      }),
      { numRuns: 6 },
    );
  });

  it('decodes with the decoder it is given, whose table later decodes reuse', () => {
    const decoder = new AdditiveDecoder();
    decoder.prepare(64, Number.POSITIVE_INFINITY);
    const none = Object.fromEntries(cha2ds2Vasc.inputs.map((input) => [input.name, 0n]));
    const response = roundTrip(cha2ds2Vasc, scoreKey, { ...none, stroke: 1n, diabetes: 1n });
    expect(decryptOutputs(cha2ds2Vasc, scoreKey, response, {}, decoder)).toEqual({ score: 3n });
    expect(decoder.width).toBe(64);
    // A wider range than its table: the decoder widens (kept for the next decode).
    const wide = { ...cha2ds2Vasc, outputs: [{ name: 'score', min: 0, max: 10 ** 6 }] };
    expect(decryptOutputs(wide, scoreKey, response, {}, decoder)).toEqual({ score: 3n });
    expect(decoder.width).toBe(251); // ⌈√(10^6 + 1) / 4⌉
  });

  it('reports both age bands at once, which no form produces, as DecodeRangeError rather than a score', () => {
    const inputs = Object.fromEntries(cha2ds2Vasc.inputs.map((input) => [input.name, 1n]));
    const response = roundTrip(cha2ds2Vasc, scoreKey, inputs);
    expect(() => decryptOutputs(cha2ds2Vasc, scoreKey, response)).toThrow(DecodeRangeError);
  });

  it('builds a request that fits the schema, with exactly the declared inputs', () => {
    const request = encryptInputs(bmi, bmiKey, { weight: 700n, height: 1750n });
    expect(Value.Check(EvaluateRequestSchema, request)).toBe(true);
    expect(Object.keys(request.inputs).sort()).toEqual(['height', 'weight']);
    expect(request.publicKey).toEqual(bmiKey.publicKey);
  });
});

describe('encryptInputs refuses', () => {
  it.each([
    ['a weight below its range', { weight: 9n, height: 1750n }],
    ['a weight above its range', { weight: 6501n, height: 1750n }],
    ['a height below its range', { weight: 700n, height: 299n }],
    ['a height above its range', { weight: 700n, height: 2801n }],
    ['a missing input', { weight: 700n }],
  ])('%s', (_, plaintexts) => {
    expect(() => encryptInputs(bmi, bmiKey, plaintexts)).toThrow(RangeError);
  });

  it('an indicator other than 0 or 1', () => {
    const inputs = Object.fromEntries(cha2ds2Vasc.inputs.map((input) => [input.name, 0n]));
    expect(() => encryptInputs(cha2ds2Vasc, scoreKey, { ...inputs, stroke: 2n })).toThrow(RangeError);
    expect(() => encryptInputs(cha2ds2Vasc, scoreKey, { ...inputs, stroke: -1n })).toThrow(RangeError);
  });

  it('a key for another group', () => {
    expect(() => encryptInputs(bmi, scoreKey, { weight: 700n, height: 1750n })).toThrow(RangeError);
    expect(() =>
      encryptInputs(bmi, generateGroupKeyPair('ffdhe2048'), { weight: 700n, height: 1750n }),
    ).toThrow(RangeError);
  });
});

describe('decryptOutputs', () => {
  const valid = roundTrip(bmi, bmiKey, { weight: 700n, height: 1750n });
  const numerator = named(valid.outputs, 'numerator');
  const denominator = named(valid.outputs, 'denominator');
  const group = ffdheGroup('ffdhe3072');
  const withOutputs = (outputs: Record<string, unknown>) => ({ ...valid, outputs });
  const withNumerator = (ciphertext: unknown) => withOutputs({ numerator: ciphertext, denominator });

  it('accepts the untouched response', () => {
    expect(decryptOutputs(bmi, bmiKey, valid)).toEqual({ numerator: 70_000_000n, denominator: 3_062_500n });
  });

  it.each([
    ['null', null],
    ['an array', [valid]],
    ['a string', 'ok'],
    ['another computation', { ...valid, computation: 'cha2ds2-vasc' }],
    ['another version', { ...valid, version: 2 }],
    ['a version as a string', { ...valid, version: '1' }],
    ['no outputs', { computation: valid.computation, version: valid.version }],
    ['outputs that are not an object', { ...valid, outputs: [numerator, denominator] }],
    ['a missing output', withOutputs({ numerator })],
    ['an extra output', withOutputs({ numerator, denominator, bmi: numerator })],
    ['a renamed output', withOutputs({ numerator, denominatr: denominator })],
    ['an output that is a string', withNumerator('AAAA')],
    ['an output without b', withNumerator({ a: numerator.a })],
    ['an output with an extra field', withNumerator({ ...numerator, c: numerator.a })],
    ['an output with a number for a', withNumerator({ a: 5, b: numerator.b })],
    ['an element that is not base64url', withNumerator({ a: `${numerator.a.slice(1)}+`, b: numerator.b })],
    [
      'an element of the wrong length',
      withNumerator({ a: bytesToBase64Url(new Uint8Array(10)), b: numerator.b }),
    ],
    ['the identity as a', withNumerator({ a: elementToWire(group, 1n), b: numerator.b })],
    ['a non-residue as b', withNumerator({ a: numerator.a, b: elementToWire(group, group.p - 4n) })],
  ])('rejects %s with ServiceResponseError', (_, response) => {
    expect(() => decryptOutputs(bmi, bmiKey, response)).toThrow(ServiceResponseError);
  });

  it('reports a response encrypted to another key as DecodeRangeError, not a wrong value', () => {
    // Each response decodes under the key it was made for, so only the key makes the decode fail.
    const otherBmiKey = generateGroupKeyPair('ffdhe3072');
    const foreignBmi = roundTrip(bmi, otherBmiKey, { weight: 700n, height: 1750n });
    expect(decryptOutputs(bmi, otherBmiKey, foreignBmi)).toEqual({
      numerator: 70_000_000n,
      denominator: 3_062_500n,
    });
    expect(() => decryptOutputs(bmi, bmiKey, foreignBmi)).toThrow(DecodeRangeError);

    const otherScoreKey = generateGroupKeyPair('ristretto255');
    const flags = {
      ...Object.fromEntries(cha2ds2Vasc.inputs.map((input) => [input.name, 1n])),
      age75plus: 0n,
    };
    const foreignScore = roundTrip(cha2ds2Vasc, otherScoreKey, flags);
    expect(decryptOutputs(cha2ds2Vasc, otherScoreKey, foreignScore)).toEqual({ score: 8n });
    expect(() => decryptOutputs(cha2ds2Vasc, scoreKey, foreignScore)).toThrow(DecodeRangeError);
  });

  it('refuses a key for another group', () => {
    expect(() => decryptOutputs(bmi, scoreKey, valid)).toThrow(RangeError);
  });
});
