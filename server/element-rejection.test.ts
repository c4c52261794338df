/**
 * Untrusted bytes are refused at the edge (spec: "Bytes in JSON", "Groups", "Keys and ciphertexts"):
 * wrong group, non-elements, forbidden identities, wrong lengths and non-base64url text each get their
 * 400 and code, with a detail that names the field and never repeats what was sent.
 */

import { pow } from '@noble/curves/abstract/modular.js';
import { hexToBytes, numberToBytesBE } from '@noble/curves/utils.js';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateGroupKeyPair } from '../shared/client.js';
import { ffdheGroup } from '../shared/groups/index.js';
import { bytesToBase64Url, type EvaluateRequest } from '../shared/wire.js';
import { buildTestApp, expectProblem, postEvaluate, sampleRequest } from './test-support.js';

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildTestApp();
});
afterAll(() => app.close());

/** Where an element string sits in the body, e.g. ['inputs', 'weight', 'a']. */
type ElementField = readonly string[];

/** A copy of the request with one element string replaced. */
function withElement(body: EvaluateRequest, field: ElementField, text: string): EvaluateRequest {
  const copy = structuredClone(body);
  let target: Record<string, unknown> = copy;
  for (const step of field.slice(0, -1)) target = target[step] as Record<string, unknown>;
  target[field[field.length - 1] as string] = text;
  return copy;
}

async function expectRejected(
  id: 'bmi' | 'cha2ds2-vasc',
  field: ElementField,
  text: string,
  code: 'invalid-element' | 'invalid-encoding',
) {
  const response = await postEvaluate(app, id, withElement(sampleRequest(id).body, field, text));
  const detail = expectProblem(response, code, 400);
  expect(detail).toContain(field.join('.'));
  expect(detail).not.toContain(text);
}

describe('ffdhe3072 (bmi): 1 < y < p − 1 and y^q ≡ 1 (mod p), 384 bytes', () => {
  const { p } = ffdheGroup('ffdhe3072');
  const q = (p - 1n) / 2n;
  const element = (value: bigint) => bytesToBase64Url(numberToBytesBE(value, 384));
  // p ≡ 3 (mod 4) makes −1 a non-residue and the generator 2 is a residue, so −2 = p − 2 is not one.
  const nonResidue = p - 2n;

  test('p − 2 really is outside the subgroup (checked here by Euler’s criterion)', () => {
    expect(pow(nonResidue, q, p)).toBe(p - 1n);
  });

  const fields: ElementField[] = [
    ['publicKey', 'y'],
    ['inputs', 'weight', 'a'],
    ['inputs', 'height', 'b'],
  ];
  const invalid = {
    '0': 0n,
    '1 (the identity)': 1n,
    'p − 1 (order 2)': p - 1n,
    p: p,
    'p + 1': p + 1n,
    '2^3072 − 1': 2n ** 3072n - 1n,
    'p − 2 (a non-residue)': nonResidue,
  };
  describe.each(fields.map((field) => [field.join('.'), field] as const))('%s', (_, field) => {
    test.each(Object.entries(invalid))('%s is invalid-element', (_, value) =>
      expectRejected('bmi', field, element(value), 'invalid-element'),
    );
    test.each([383, 385, 256, 512])('%i bytes is invalid-encoding', (length) =>
      expectRejected('bmi', field, bytesToBase64Url(new Uint8Array(length).fill(7)), 'invalid-encoding'),
    );
  });
});

describe('ristretto255 (cha2ds2-vasc): canonical RFC 9496 encodings, 32 bytes', () => {
  const identity = bytesToBase64Url(new Uint8Array(32));
  // RFC 9496 Appendix A.2, "Invalid encodings": non-canonical field elements, negative field
  // elements, non-square x², negative xy, s = −1 (in that order, one of each).
  const rfc9496Invalid = [
    'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    '0100000000000000000000000000000000000000000000000000000000000000',
    '26948d35ca62e643e26a83177332e6b6afeb9d08e4268b650f1f5bbd8d81d371',
    '3eb858e78f5a7254d8c9731174a94f76755fd3941c0ac93735c07ba14579630e',
    'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  ];
  const fields: ElementField[] = [
    ['publicKey', 'y'],
    ['inputs', 'chf', 'a'],
    ['inputs', 'stroke', 'b'],
  ];

  describe.each(fields.map((field) => [field.join('.'), field] as const))('%s', (_, field) => {
    test.each(rfc9496Invalid)('RFC 9496 invalid encoding %s is invalid-element', (hex) =>
      expectRejected('cha2ds2-vasc', field, bytesToBase64Url(hexToBytes(hex)), 'invalid-element'),
    );
    test.each([31, 33, 384])('%i bytes is invalid-encoding', (length) =>
      expectRejected('cha2ds2-vasc', field, bytesToBase64Url(new Uint8Array(length)), 'invalid-encoding'),
    );
  });

  test('the identity is refused as public key y', () =>
    expectRejected('cha2ds2-vasc', ['publicKey', 'y'], identity, 'invalid-element'));

  test('the identity is refused as ciphertext component a', () =>
    expectRejected('cha2ds2-vasc', ['inputs', 'female', 'a'], identity, 'invalid-element'));

  test('the identity is a valid b (spec: only y and a must not be the identity)', async () => {
    const { body } = sampleRequest('cha2ds2-vasc');
    const response = await postEvaluate(
      app,
      'cha2ds2-vasc',
      withElement(body, ['inputs', 'chf', 'b'], identity),
    );
    expect(response.statusCode).toBe(200);
  });
});

describe('base64url without padding (RFC 4648 §5)', () => {
  const { body } = sampleRequest('cha2ds2-vasc');
  const a = body.inputs.chf?.a ?? '';
  const replaceFirst = (character: string) => character + a.slice(1);
  const cases = {
    'padding "="': `${a}=`,
    'standard-alphabet "+"': replaceFirst('+'),
    'standard-alphabet "/"': replaceFirst('/'),
    'a space': replaceFirst(' '),
    'a non-ASCII letter': replaceFirst('é'),
    'a dot': replaceFirst('.'),
    // 43 characters carry 258 bits for 256: the last two must be zero (RFC 4648 §3.5, canonical).
    'non-zero trailing bits': a.slice(0, -1) + (a.endsWith('B') ? 'C' : 'B'),
    'a length that is no whole number of bytes': `${a}A`,
  };
  test.each(Object.entries(cases))('%s is invalid-encoding', (_, text) =>
    expectRejected('cha2ds2-vasc', ['inputs', 'chf', 'a'], text, 'invalid-encoding'),
  );
});

describe('group-mismatch: the public key must be for the computation’s group', () => {
  test.each([
    ['bmi', 'ristretto255'],
    ['bmi', 'ffdhe2048'],
    ['bmi', 'ffdhe4096'],
    ['cha2ds2-vasc', 'ffdhe3072'],
  ] as const)('%s with a %s key', async (id, group) => {
    const { body } = sampleRequest(id);
    const response = await postEvaluate(app, id, {
      ...body,
      publicKey: generateGroupKeyPair(group).publicKey,
    });
    const detail = expectProblem(response, 'group-mismatch', 400);
    expect(detail).toContain(group);
  });

  test('a right-group label on a wrong-group element is invalid-encoding', async () => {
    const { body } = sampleRequest('bmi');
    const foreign = generateGroupKeyPair('ristretto255').publicKey;
    const response = await postEvaluate(app, 'bmi', {
      ...body,
      publicKey: { group: 'ffdhe3072', y: foreign.y },
    });
    expectProblem(response, 'invalid-encoding', 400);
  });
});
