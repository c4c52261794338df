/**
 * Untrusted bytes are refused at the edge (spec: "Bytes in JSON", "Groups", "Keys and ciphertexts"):
 * wrong group, non-elements, forbidden identities, wrong lengths and non-base64url text each get their
 * 400 and code, with a detail that names the field and never repeats what was sent. Non-elements are
 * tried in every element position (y, and each input's a and b) of every computation in the catalog.
 */

import { pow } from '@noble/curves/abstract/modular.js';
import { hexToBytes, numberToBytesBE } from '@noble/curves/utils.js';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateGroupKeyPair } from '../shared/client.js';
import { COMPUTATIONS } from '../shared/computations/catalog.js';
import type { Computation } from '../shared/computations/computation.js';
import type { FfdheGroupName } from '../shared/groups/group.js';
import { ffdheGroup } from '../shared/groups/index.js';
import { bytesToBase64Url, type EvaluateRequest } from '../shared/wire.js';
import {
  buildTestApp,
  catalogEntry,
  catalogSampleRequest,
  expectProblem,
  postEvaluate,
  sampleRequest,
} from './test-support.js';

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

/** Every element position of a request: the public key's y, then each input's a and b. */
function elementFields(body: EvaluateRequest): ElementField[] {
  return [
    ['publicKey', 'y'],
    ...Object.keys(body.inputs).flatMap((name) => [
      ['inputs', name, 'a'],
      ['inputs', name, 'b'],
    ]),
  ];
}

async function expectRejectedIn(
  computation: Computation,
  field: ElementField,
  text: string,
  code: 'invalid-element' | 'invalid-encoding',
) {
  const { body } = catalogSampleRequest(computation);
  const response = await postEvaluate(app, computation.id, withElement(body, field, text));
  const detail = expectProblem(response, code, 400);
  expect(detail).toContain(field.join('.'));
  expect(detail).not.toContain(text);
}

const expectRejected = (
  id: 'bmi' | 'cha2ds2-vasc',
  field: ElementField,
  text: string,
  code: 'invalid-element' | 'invalid-encoding',
) => expectRejectedIn(catalogEntry(id), field, text, code);

const ffdheComputations = COMPUTATIONS.filter(
  (c): c is Computation & { group: FfdheGroupName } => c.group !== 'ristretto255',
);
const ristrettoComputations = COMPUTATIONS.filter((c) => c.group === 'ristretto255');

describe.each(ffdheComputations.map((c) => [c.id, c] as const))(
  '%s (ffdhe): 1 < y < p − 1 and y^q ≡ 1 (mod p) in every element position',
  (_, computation) => {
    const group = ffdheGroup(computation.group);
    const { p } = group;
    const q = (p - 1n) / 2n;
    const bytes = group.elementBytes;
    const element = (value: bigint) => bytesToBase64Url(numberToBytesBE(value, bytes));
    // p ≡ 3 (mod 4) makes −1 a non-residue and the generator 2 is a residue, so −2 = p − 2 is not one.
    const nonResidue = p - 2n;

    test('p − 2 really is outside the subgroup (checked here by Euler’s criterion)', () => {
      expect(pow(nonResidue, q, p)).toBe(p - 1n);
    });

    const invalid = {
      '0': 0n,
      '1 (the identity)': 1n,
      'p − 1 (order 2)': p - 1n,
      p: p,
      'p + 1': p + 1n,
      [`2^${8 * bytes} − 1`]: 2n ** BigInt(8 * bytes) - 1n,
      'p − 2 (a non-residue)': nonResidue,
    };
    test.each(Object.entries(invalid))('%s is invalid-element everywhere', async (_, value) => {
      for (const field of elementFields(catalogSampleRequest(computation).body)) {
        await expectRejectedIn(computation, field, element(value), 'invalid-element');
      }
    });
    test.each([bytes - 1, bytes + 1, 32, 512])('%i bytes is invalid-encoding everywhere', async (length) => {
      for (const field of elementFields(catalogSampleRequest(computation).body)) {
        await expectRejectedIn(
          computation,
          field,
          bytesToBase64Url(new Uint8Array(length).fill(7)),
          'invalid-encoding',
        );
      }
    });
  },
);

/**
 * RFC 9496 Appendix A.2, "Invalid encodings" (all 29, in order): non-canonical field elements,
 * negative field elements, non-square x², negative xy, s = −1.
 */
const RFC9496_INVALID = [
  '00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
  'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'f3ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0100000000000000000000000000000000000000000000000000000000000000',
  '01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'ed57ffd8c914fb201471d1c3d245ce3c746fcbe63a3679d51b6a516ebebe0e20',
  'c34c4e1826e5d403b78e246e88aa051c36ccf0aafebffe137d148a2bf9104562',
  'c940e5a4404157cfb1628b108db051a8d439e1a421394ec4ebccb9ec92a8ac78',
  '47cfc5497c53dc8e61c91d17fd626ffb1c49e2bca94eed052281b510b1117a24',
  'f1c6165d33367351b0da8f6e4511010c68174a03b6581212c71c0e1d026c3c72',
  '87260f7a2f12495118360f02c26a470f450dadf34a413d21042b43b9d93e1309',
  '26948d35ca62e643e26a83177332e6b6afeb9d08e4268b650f1f5bbd8d81d371',
  '4eac077a713c57b4f4397629a4145982c661f48044dd3f96427d40b147d9742f',
  'de6a7b00deadc788eb6b6c8d20c0ae96c2f2019078fa604fee5b87d6e989ad7b',
  'bcab477be20861e01e4a0e295284146a510150d9817763caf1a6f4b422d67042',
  '2a292df7e32cababbd9de088d1d1abec9fc0440f637ed2fba145094dc14bea08',
  'f4a9e534fc0d216c44b218fa0c42d99635a0127ee2e53c712f70609649fdff22',
  '8268436f8c4126196cf64b3c7ddbda90746a378625f9813dd9b8457077256731',
  '2810e5cbc2cc4d4eece54f61c6f69758e289aa7ab440b3cbeaa21995c2f4232b',
  '3eb858e78f5a7254d8c9731174a94f76755fd3941c0ac93735c07ba14579630e',
  'a45fdc55c76448c049a1ab33f17023edfb2be3581e9c7aade8a6125215e04220',
  'd483fe813c6ba647ebbfd3ec41adca1c6130c2beeee9d9bf065c8d151c5f396e',
  '8a2e1d30050198c65a54483123960ccc38aef6848e1ec8f5f780e8523769ba32',
  '32888462f8b486c68ad7dd9610be5192bbeaf3b443951ac1a8118419d9fa097b',
  '227142501b9d4355ccba290404bde41575b037693cef1f438c47f8fbf35d1165',
  '5c37cc491da847cfeb9281d407efc41e15144c876e0170b499a96a22ed31e01e',
  '445425117cb8c90edcbc7c1cc0e74f747f2c1efa5630a967c64f287792a48a4b',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
];

/**
 * Every position is preceded by all the elements before it, which are decoded first: beyond this many
 * positions (readings-summary has 187), the cases of a test share out the positions instead.
 */
const MAX_POSITIONS_PER_CASE = 64;

/**
 * The positions case `index` of `count` is tried in: all of them, or for a large computation every
 * `count`-th one, so that every position is still tried with some case and every case somewhere.
 */
function positionsFor(
  fields: readonly ElementField[],
  index: number,
  count: number,
): readonly ElementField[] {
  return fields.length <= MAX_POSITIONS_PER_CASE ? fields : fields.filter((_, i) => i % count === index);
}

test('the list holds Appendix A.2’s 29 distinct encodings', () => {
  expect(new Set(RFC9496_INVALID).size).toBe(29);
});

describe.each(ristrettoComputations.map((c) => [c.id, c] as const))(
  '%s (ristretto255): every RFC 9496 invalid encoding in every element position',
  (_, computation) => {
    const fields = elementFields(catalogSampleRequest(computation).body);

    test.each(RFC9496_INVALID.map((hex, i) => [hex, i] as const))('%s is invalid-element', async (hex, i) => {
      for (const field of positionsFor(fields, i, RFC9496_INVALID.length)) {
        await expectRejectedIn(computation, field, bytesToBase64Url(hexToBytes(hex)), 'invalid-element');
      }
    });

    const lengths = [31, 33, 384];
    test.each(lengths.map((length, i) => [length, i] as const))(
      '%i bytes is invalid-encoding',
      async (length, i) => {
        for (const field of positionsFor(fields, i, lengths.length)) {
          await expectRejectedIn(
            computation,
            field,
            bytesToBase64Url(new Uint8Array(length)),
            'invalid-encoding',
          );
        }
      },
    );

    test('the identity is refused as y and as every a', async () => {
      const identity = bytesToBase64Url(new Uint8Array(32));
      for (const field of fields.filter((f) => f.at(-1) !== 'b')) {
        await expectRejectedIn(computation, field, identity, 'invalid-element');
      }
    }, 30_000);
  },
);

test('the identity is a valid b (spec: only y and a must not be the identity)', async () => {
  const { body } = sampleRequest('cha2ds2-vasc');
  const identity = bytesToBase64Url(new Uint8Array(32));
  const response = await postEvaluate(
    app,
    'cha2ds2-vasc',
    withElement(body, ['inputs', 'chf', 'b'], identity),
  );
  expect(response.statusCode).toBe(200);
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
