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
import { ALL_INVALID_ENCODINGS } from '../shared/groups/test-support.js';
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
  expect(new Set(ALL_INVALID_ENCODINGS).size).toBe(29);
});

describe.each(ristrettoComputations.map((c) => [c.id, c] as const))(
  '%s (ristretto255): every RFC 9496 invalid encoding in every element position',
  (_, computation) => {
    const fields = elementFields(catalogSampleRequest(computation).body);

    test.each(ALL_INVALID_ENCODINGS.map((hex, i) => [hex, i] as const))(
      '%s is invalid-element',
      async (hex, i) => {
        for (const field of positionsFor(fields, i, ALL_INVALID_ENCODINGS.length)) {
          await expectRejectedIn(computation, field, bytesToBase64Url(hexToBytes(hex)), 'invalid-element');
        }
      },
    );

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
