/**
 * The spec-only v2 client against protocol-v2-vectors.json, the vectors an independent implementation
 * published beside protocol-v2.md (copied here as data; only whitespace differs, from the formatter).
 * Every byte is reproduced from the spec: generators, input ciphertexts from r, outputs and proofs
 * from the prover's secrets and nonces; then the verifier must accept each answer and refuse every
 * change to it.
 */
import { readFileSync } from 'node:fs';
import { bytesToNumberBE, bytesToNumberLE } from '@noble/curves/utils.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CiphertextJson,
  decrypt,
  type EvaluateRequestJson,
  encrypt,
  ffdhe3072Group,
  fromBase64Url,
  keyPairFromPrivateKey,
  ristretto255Group,
  type SpecGroup,
  type SpecKeyPair,
  toBase64Url,
} from './spec-client.js';
import {
  blindingGenerator,
  type ComputationShape,
  commitmentGenerator,
  type Declaration,
  DeclarationError,
  DeclarationPins,
  type EvaluateResponseV2Json,
  item,
  parseDeclaration,
  proofTaskFor,
  u32be,
  VerificationError,
  verifyAnswer,
} from './spec-client-v2.js';
import {
  answerPrivate,
  answerPublic,
  commitToModel,
  type PrivateAnswerSecrets,
  type PublicAnswerSecrets,
} from './spec-prover-v2.js';

// ─── The vectors, as data ─────────────────────────────────────────────────────────────────────

interface VectorEntry extends ComputationShape {
  readonly inputs: { name: string; min: number; max: number }[];
  readonly outputs: { name: string; min: number; max: number }[];
  readonly evaluation: Record<string, unknown>;
}

interface Vector {
  entry: VectorEntry;
  x: string;
  publicKey: string;
  inputs: Record<string, { value: number; r: string; a: string; b: string }>;
  prover: {
    s: string[];
    nonces?: string[];
    nonces_v?: string[];
    nonce_rho?: string;
    nonces_s?: string[];
    kappa?: number;
  };
  model?: { weights: number[][]; constants: number[]; rho: string };
  outputs: Record<string, { value: number; a: string; b: string }>;
  proof: { challenge: string; responses: string[] };
}

const vectors = JSON.parse(readFileSync(new URL('./protocol-v2-vectors.json', import.meta.url), 'utf8')) as {
  generators: Record<'G0' | 'G1' | 'G14' | 'H', string>;
} & Record<VectorName, Vector>;

const VECTOR_NAMES = [
  'public-linear',
  'public-linear-2',
  'private-linear',
  'private-linear-2',
  'public-monomial',
] as const;
type VectorName = (typeof VECTOR_NAMES)[number];

/** 3072-bit exponentiations: seconds per ffdhe verification on a busy 2-core machine. */
const SLOW_CRYPTO = { timeout: 120_000 };

const hexBytes = (hex: string) => new Uint8Array(Buffer.from(hex, 'hex'));
const hexToWire = (hex: string) => toBase64Url(hexBytes(hex));
const wireToHex = (text: string) => Buffer.from(fromBase64Url(text)).toString('hex');
const ℓ = ristretto255Group.order;

/** One vector in wire form (base64url), with everything its group needs to reproduce it. */
interface VectorCase<E> {
  readonly name: VectorName;
  readonly vector: Vector;
  readonly group: SpecGroup<E>;
  /** Ristretto255 integers are little-endian scalars; ffdhe integers big-endian (the vectors' `encoding`). */
  readonly integer: (hex: string) => bigint;
  readonly entry: VectorEntry;
  readonly declaration: Declaration;
  readonly keyPair: SpecKeyPair;
  readonly request: EvaluateRequestJson;
  readonly response: EvaluateResponseV2Json;
}

/** The literal `evaluation`, with its hex commitment in the wire's base64url. */
function evaluationOnWire(vector: Vector): Record<string, unknown> {
  const { evaluation } = vector.entry;
  return typeof evaluation.commitment === 'string'
    ? { ...evaluation, commitment: hexToWire(evaluation.commitment) }
    : evaluation;
}

const wirePairs = (pairs: Record<string, { a: string; b: string }>): Record<string, CiphertextJson> =>
  Object.fromEntries(
    Object.entries(pairs).map(([name, { a, b }]) => [name, { a: hexToWire(a), b: hexToWire(b) }]),
  );

function vectorCase<E>(name: VectorName, group: SpecGroup<E>): VectorCase<E> {
  const vector = vectors[name];
  const integer =
    group === (ristretto255Group as SpecGroup<unknown>)
      ? (hex: string) => bytesToNumberLE(hexBytes(hex))
      : (hex: string) => bytesToNumberBE(hexBytes(hex));
  const publicKey = { group: vector.entry.group, y: hexToWire(vector.publicKey) };
  return {
    name,
    vector,
    group,
    integer,
    entry: vector.entry,
    declaration: parseDeclaration(vector.entry, evaluationOnWire(vector)),
    keyPair: { publicKey, privateKey: integer(vector.x) },
    request: { publicKey, inputs: wirePairs(vector.inputs) },
    response: {
      computation: vector.entry.id,
      version: vector.entry.version,
      outputs: wirePairs(vector.outputs),
      proof: {
        challenge: hexToWire(vector.proof.challenge),
        responses: vector.proof.responses.map(hexToWire),
      },
    },
  };
}

const ristrettoCases = (
  ['public-linear', 'public-linear-2', 'private-linear', 'private-linear-2'] as const
).map((name) => vectorCase(name, ristretto255Group));
const ffdheCase = vectorCase('public-monomial', ffdhe3072Group);
const allCases: VectorCase<unknown>[] = [...ristrettoCases, ffdheCase] as VectorCase<unknown>[];

/** A copy with one entry replaced (Array.prototype.with is ES2023, beyond this project's lib). */
function replaceAt<T>(values: readonly T[], index: number, value: T): T[] {
  return values.map((old, position) => (position === index ? value : old));
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`the vector lacks ${what}`);
  return value;
}

/** Runs the test prover on a vector's published secrets and nonces. */
function proveAgain(testCase: VectorCase<unknown>): EvaluateResponseV2Json {
  const { vector, integer, entry, declaration, request } = testCase;
  if (vector.model !== undefined) {
    const secrets: PrivateAnswerSecrets = {
      model: {
        weights: vector.model.weights.map((row) => row.map(BigInt)),
        constants: vector.model.constants.map(BigInt),
        blinding: integer(vector.model.rho),
      },
      rerandomizers: vector.prover.s.map(integer),
      nonces: {
        model: required(vector.prover.nonces_v, 'nonces_v').map(integer),
        blinding: integer(required(vector.prover.nonce_rho, 'nonce_rho')),
        rerandomizers: required(vector.prover.nonces_s, 'nonces_s').map(integer),
      },
    };
    return answerPrivate(entry, declaration, request, secrets);
  }
  const secrets: PublicAnswerSecrets = {
    rerandomizers: vector.prover.s.map(integer),
    nonces: required(vector.prover.nonces, 'nonces').map(integer),
    // The ffdhe vector uses short exponents with zⱼ over the integers (protocol-v2.md, test vectors).
    responsesOverIntegers: vector.prover.kappa !== undefined,
  };
  return answerPublic(entry, declaration, request, secrets);
}

const rangeOf = ({ min, max }: { min: number; max: number }) => ({ min: BigInt(min), max: BigInt(max) });

// ─── Reproducing every vector ─────────────────────────────────────────────────────────────────

describe('protocol-v2-vectors.json: "generators"', () => {
  it('Gₖ and H are RFC 9496 §4.3.4 derivations of SHA-512 of their items', () => {
    const hex = (point: { toBytes(): Uint8Array }) => Buffer.from(point.toBytes()).toString('hex');
    expect({
      G0: hex(commitmentGenerator(0)),
      G1: hex(commitmentGenerator(1)),
      G14: hex(commitmentGenerator(14)),
      H: hex(blindingGenerator),
    }).toEqual(vectors.generators);
  });

  it('item and u32be are big-endian length prefixes', () => {
    expect(Buffer.from(item('abc')).toString('hex')).toBe('00000003616263');
    expect(Buffer.from(item(u32be(2))).toString('hex')).toBe('0000000400000002');
    expect(Buffer.from(item(new Uint8Array(0))).toString('hex')).toBe('00000000');
    expect(() => u32be(2 ** 32)).toThrow();
    expect(() => u32be(-1)).toThrow();
  });
});

describe.each(allCases)('protocol-v2-vectors.json: "$name"', SLOW_CRYPTO, (testCase) => {
  const { vector, group, integer, entry, keyPair, request, response } = testCase;

  it('the public key is the generator to the power x', () => {
    expect(keyPairFromPrivateKey(group, keyPair.privateKey).publicKey).toEqual(keyPair.publicKey);
  });

  it('every input ciphertext is the encryption of its value with its r', () => {
    for (const input of entry.inputs) {
      const { value, r } = required(vector.inputs[input.name], input.name);
      expect(encrypt(group, keyPair.publicKey, BigInt(value), integer(r))).toEqual(
        request.inputs[input.name],
      );
      expect(decrypt(group, keyPair, required(request.inputs[input.name], input.name), rangeOf(input))).toBe(
        BigInt(value),
      );
    }
    expect(Object.keys(vector.inputs).sort()).toEqual(entry.inputs.map(({ name }) => name).sort());
  });

  it('the prover, given the published secrets and nonces, reproduces outputs and proof byte for byte', () => {
    const answer = proveAgain(testCase);
    // Compared in hex, as the vectors print them, so that a difference shows the bytes.
    const hexAnswer = {
      outputs: Object.fromEntries(
        Object.entries(answer.outputs).map(([name, { a, b }]) => [
          name,
          { a: wireToHex(a), b: wireToHex(b) },
        ]),
      ),
      proof: {
        challenge: wireToHex(answer.proof.challenge),
        responses: answer.proof.responses.map(wireToHex),
      },
    };
    const published = Object.fromEntries(
      Object.entries(vector.outputs).map(([name, { a, b }]) => [name, { a, b }]),
    );
    expect(hexAnswer).toEqual({ outputs: published, proof: vector.proof });
    expect(answer).toEqual(response);
  });

  it('the verifier accepts the published answer, which decrypts to the published values', () => {
    verifyAnswer(entry, testCase.declaration, request, response);
    for (const output of entry.outputs) {
      const ciphertext = required(response.outputs[output.name], output.name);
      expect(decrypt(group, keyPair, ciphertext, rangeOf(output))).toBe(
        BigInt(required(vector.outputs[output.name], output.name).value),
      );
    }
  });

  it('the proof has the exact count of responses', () => {
    const { kind } = testCase.declaration;
    const m = entry.outputs.length;
    const expected = kind === 'private-linear' ? entry.inputs.length * m + m + 1 + m : m;
    expect(response.proof.responses).toHaveLength(expected);
    const task = proofTaskFor(entry, testCase.declaration, request, response.outputs);
    expect(task.relation.witnessCount).toBe(expected);
  });
});

describe('protocol-v2-vectors.json: the private models open their commitments', () => {
  it.each(ristrettoCases.filter(({ vector }) => vector.model !== undefined))(
    '$name',
    ({ vector, integer }) => {
      const model = required(vector.model, 'model');
      const commitment = commitToModel({
        weights: model.weights.map((row) => row.map(BigInt)),
        constants: model.constants.map(BigInt),
        blinding: integer(model.rho),
      });
      expect(Buffer.from(commitment.toBytes()).toString('hex')).toBe(vector.entry.evaluation.commitment);
    },
  );
});

// ─── Verification fails on any change ─────────────────────────────────────────────────────────

function flipByte(text: string, index: number, mask: number): string {
  const bytes = fromBase64Url(text);
  bytes[index % bytes.length] = (bytes[index % bytes.length] ?? 0) ^ mask;
  return toBase64Url(bytes);
}

type Mutation = (
  request: EvaluateRequestJson,
  response: EvaluateResponseV2Json,
) => { request: EvaluateRequestJson; response: EvaluateResponseV2Json };

interface Field {
  readonly label: string;
  readonly length: number;
  readonly mutate: (index: number, mask: number) => Mutation;
}

/** Every byte string a verification depends on: outputs, proof, public key, inputs. */
function fieldsOf(testCase: VectorCase<unknown>): Field[] {
  const { request, response } = testCase;
  const length = (text: string) => fromBase64Url(text).length;
  const fields: Field[] = [];
  for (const [name, { a, b }] of Object.entries(response.outputs)) {
    for (const [part, text] of [
      ['a', a],
      ['b', b],
    ] as const) {
      fields.push({
        label: `outputs.${name}.${part}`,
        length: length(text),
        mutate: (index, mask) => (req, res) => ({
          request: req,
          response: {
            ...res,
            outputs: { ...res.outputs, [name]: { a, b, [part]: flipByte(text, index, mask) } },
          },
        }),
      });
    }
  }
  fields.push({
    label: 'proof.challenge',
    length: length(response.proof.challenge),
    mutate: (index, mask) => (req, res) => ({
      request: req,
      response: { ...res, proof: { ...res.proof, challenge: flipByte(res.proof.challenge, index, mask) } },
    }),
  });
  response.proof.responses.forEach((text, position) => {
    fields.push({
      label: `proof.responses[${position}]`,
      length: length(text),
      mutate: (index, mask) => (req, res) => ({
        request: req,
        response: {
          ...res,
          proof: {
            ...res.proof,
            responses: replaceAt(res.proof.responses, position, flipByte(text, index, mask)),
          },
        },
      }),
    });
  });
  fields.push({
    label: 'publicKey.y',
    length: length(request.publicKey.y),
    mutate: (index, mask) => (req, res) => ({
      request: { ...req, publicKey: { ...req.publicKey, y: flipByte(req.publicKey.y, index, mask) } },
      response: res,
    }),
  });
  for (const [name, { a, b }] of Object.entries(request.inputs)) {
    for (const [part, text] of [
      ['a', a],
      ['b', b],
    ] as const) {
      fields.push({
        label: `inputs.${name}.${part}`,
        length: length(text),
        mutate: (index, mask) => (req, res) => ({
          request: {
            ...req,
            inputs: { ...req.inputs, [name]: { a, b, [part]: flipByte(text, index, mask) } },
          },
          response: res,
        }),
      });
    }
  }
  return fields;
}

function expectRefused(testCase: VectorCase<unknown>, mutation: Mutation, reason?: RegExp): void {
  const { request, response } = mutation(testCase.request, testCase.response);
  const verify = () => verifyAnswer(testCase.entry, testCase.declaration, request, response);
  expect(verify).toThrow(VerificationError);
  if (reason !== undefined) expect(verify).toThrow(reason);
}

describe.each(allCases)('$name: any single changed byte fails verification', SLOW_CRYPTO, (testCase) => {
  // An ffdhe verification costs seconds (subgroup checks), so it samples fewer bytes per field.
  const runs = testCase.group === (ffdhe3072Group as SpecGroup<unknown>) ? 2 : 12;

  it.each(fieldsOf(testCase))('$label', (field) => {
    fc.assert(
      fc.property(fc.nat({ max: field.length - 1 }), fc.integer({ min: 1, max: 255 }), (index, mask) => {
        expectRefused(testCase, field.mutate(index, mask));
      }),
      // The first and last bytes always; 0x80 of the last is a scalar's or a big-endian element's top bit.
      {
        numRuns: runs,
        examples: [
          [0, 1],
          [field.length - 1, 0x80],
          [field.length - 1, 1],
        ],
      },
    );
  });

  const { entry } = testCase;
  const withEntry = (changed: VectorEntry): VectorCase<unknown> => ({ ...testCase, entry: changed });
  const idBytes = new TextEncoder().encode(entry.id);

  it.each([...idBytes.keys()])('id byte %i (the answer names the changed id too)', (index) => {
    const bytes = Uint8Array.from(idBytes);
    bytes[index] = (bytes[index] ?? 0) ^ 0x01;
    const changed = new TextDecoder().decode(bytes);
    expectRefused(
      withEntry({ ...entry, id: changed }),
      (request, response) => ({ request, response: { ...response, computation: changed } }),
      /does not verify/,
    );
  });

  it.each([0, 1, 2, 3])('version byte %i of its u32be (the answer names the changed version too)', (byte) => {
    const changed = (entry.version ^ (1 << (8 * (3 - byte)))) >>> 0;
    expectRefused(
      withEntry({ ...entry, version: changed }),
      (request, response) => ({ request, response: { ...response, version: changed } }),
      /does not verify/,
    );
  });

  it('an answer for another id or version fails v1 checks before the proof is read', () => {
    expectRefused(testCase, (request, response) => ({
      request,
      response: { ...response, version: entry.version + 1 },
    }));
    expectRefused(testCase, (request, response) => ({
      request,
      response: { ...response, computation: 'other' },
    }));
  });
});

describe.each(allCases)(
  '$name: valid elements that are not the ones proven fail verification',
  SLOW_CRYPTO,
  (testCase) => {
    const { group, request, response, entry } = testCase;
    const element = (text: string) => group.fromBytes(fromBase64Url(text));
    const wire = (value: unknown) => toBase64Url(group.toBytes(value));
    const firstOutput = required(entry.outputs[0], 'an output').name;
    const firstInput = required(entry.inputs[0], 'an input').name;

    it('an output that decrypts to another value (B·g, i.e. value + 1 or value · 2)', () => {
      expectRefused(
        testCase,
        (req, res) => {
          const { a, b } = required(res.outputs[firstOutput], firstOutput);
          const forged = { a, b: wire(group.multiply(element(b), group.generator)) };
          return { request: req, response: { ...res, outputs: { ...res.outputs, [firstOutput]: forged } } };
        },
        /does not verify/,
      );
    });

    it('the right outputs for another request: an input re-randomized (a·g, b·Y)', () => {
      const y = element(request.publicKey.y);
      expectRefused(
        testCase,
        (req, res) => {
          const { a, b } = required(req.inputs[firstInput], firstInput);
          const rerandomized = {
            a: wire(group.multiply(element(a), group.generator)),
            b: wire(group.multiply(element(b), y)),
          };
          return {
            request: { ...req, inputs: { ...req.inputs, [firstInput]: rerandomized } },
            response: res,
          };
        },
        /does not verify/,
      );
    });

    it('another public key (Y·g)', () => {
      expectRefused(
        testCase,
        (req, res) => ({
          request: {
            ...req,
            publicKey: {
              ...req.publicKey,
              y: wire(group.multiply(element(req.publicKey.y), group.generator)),
            },
          },
          response: res,
        }),
        /does not verify/,
      );
    });

    it('is accepted as published (the control for the refusals above)', () => {
      verifyAnswer(entry, testCase.declaration, request, response);
    });
  },
);

describe.each(allCases.filter(({ entry }) => entry.outputs.length > 1))(
  '$name: outputs swapped fail verification',
  SLOW_CRYPTO,
  (testCase) => {
    it('the first two outputs exchanged', () => {
      const [first, second] = testCase.entry.outputs.map(({ name }) => name) as [string, string];
      expectRefused(
        testCase,
        (request, response) => ({
          request,
          response: {
            ...response,
            outputs: {
              [first]: required(response.outputs[second], second),
              [second]: required(response.outputs[first], first),
            },
          },
        }),
        /does not verify/,
      );
    });
  },
);

// ─── Strict proof decoding ────────────────────────────────────────────────────────────────────

const withProof =
  (proof: unknown): Mutation =>
  (request, response) => ({
    request,
    response: { ...response, proof } as EvaluateResponseV2Json,
  });

describe.each(ristrettoCases)('$name: proof decoding is strict (ristretto255 scalars)', (testCase) => {
  const { proof } = testCase.response;
  const plusOrder = (text: string) => {
    const value = bytesToNumberLE(fromBase64Url(text)) + ℓ;
    // Still 32 bytes (value + ℓ < 2²⁵³ + 2²⁵² < 2²⁵⁶): the same scalar mod ℓ, a non-canonical encoding.
    const bytes = new Uint8Array(32);
    for (let i = 0, rest = value; i < 32; i++, rest >>= 8n) bytes[i] = Number(rest & 0xffn);
    return toBase64Url(bytes);
  };

  it('refuses the challenge + ℓ and every response + ℓ (non-canonical scalars)', () => {
    expectRefused(testCase, withProof({ ...proof, challenge: plusOrder(proof.challenge) }), /canonical/);
    proof.responses.forEach((response, index) => {
      expectRefused(
        testCase,
        withProof({ ...proof, responses: replaceAt(proof.responses, index, plusOrder(response)) }),
        /canonical/,
      );
    });
  });

  it('refuses 31- and 33-byte scalars', () => {
    const shorter = (text: string) => toBase64Url(fromBase64Url(text).slice(0, 31));
    const longer = (text: string) => toBase64Url(new Uint8Array([...fromBase64Url(text), 0]));
    for (const resize of [shorter, longer]) {
      expectRefused(testCase, withProof({ ...proof, challenge: resize(proof.challenge) }), /32 bytes/);
      expectRefused(
        testCase,
        withProof({
          ...proof,
          responses: replaceAt(proof.responses, 0, resize(required(proof.responses[0], 'z'))),
        }),
        /32 bytes/,
      );
    }
  });

  it('refuses one response too few or too many', () => {
    expectRefused(
      testCase,
      withProof({ ...proof, responses: proof.responses.slice(1) }),
      /responses must be/,
    );
    expectRefused(
      testCase,
      withProof({ ...proof, responses: [...proof.responses, required(proof.responses[0], 'z')] }),
      /responses must be/,
    );
  });
});

describe('public-monomial: proof decoding is strict (ffdhe3072)', SLOW_CRYPTO, () => {
  const testCase = ffdheCase;
  const { proof } = testCase.response;
  const nb = 384;
  const resized = (text: string, length: number) => {
    const bytes = fromBase64Url(text);
    const value = bytesToNumberBE(bytes);
    return toBase64Url(hexBytes(value.toString(16).padStart(2 * length, '0')));
  };

  it('refuses a 31- or 33-byte challenge, even with the same value (a leading zero byte)', () => {
    expectRefused(testCase, withProof({ ...proof, challenge: resized(proof.challenge, 33) }), /32 bytes/);
    expectRefused(
      testCase,
      withProof({ ...proof, challenge: toBase64Url(fromBase64Url(proof.challenge).slice(1)) }),
      /32 bytes/,
    );
  });

  it('refuses responses of nb − 1 or nb + 1 bytes, even with the same value', () => {
    const z = required(proof.responses[0], 'z');
    // The vector's zⱼ are ≈ 2^664, so their leading bytes are zeros and dropping one keeps the value.
    expect(fromBase64Url(z)[0]).toBe(0);
    for (const length of [nb - 1, nb + 1]) {
      expectRefused(
        testCase,
        withProof({ ...proof, responses: replaceAt(proof.responses, 0, resized(z, length)) }),
        /384 bytes/,
      );
    }
  });

  it('refuses one response too few or too many', () => {
    expectRefused(
      testCase,
      withProof({ ...proof, responses: proof.responses.slice(1) }),
      /responses must be/,
    );
    expectRefused(
      testCase,
      withProof({ ...proof, responses: [...proof.responses, required(proof.responses[0], 'z')] }),
      /responses must be/,
    );
  });

  it('accepts zⱼ + q: the spec takes any zⱼ < 2^(8·nb), so a proof has many encodings (malleable, not forgeable)', () => {
    const z = bytesToNumberBE(fromBase64Url(required(proof.responses[0], 'z')));
    const shifted = toBase64Url(hexBytes((z + ffdhe3072Group.order).toString(16).padStart(2 * nb, '0')));
    const { request, response } = withProof({ ...proof, responses: replaceAt(proof.responses, 0, shifted) })(
      testCase.request,
      testCase.response,
    );
    verifyAnswer(testCase.entry, testCase.declaration, request, response);
  });
});

describe('the proof member itself', () => {
  const testCase = required(ristrettoCases[0], 'public-linear');
  const { proof } = testCase.response;

  it('is required, with exactly challenge and responses, as unpadded base64url strings', () => {
    const { proof: _, ...withoutProof } = testCase.response;
    expectRefused(testCase, (request) => ({ request, response: withoutProof as EvaluateResponseV2Json }));
    for (const malformed of [
      null,
      {},
      { challenge: proof.challenge },
      { ...proof, extra: 1 },
      { ...proof, challenge: `${proof.challenge}=` },
      { ...proof, challenge: `+${proof.challenge.slice(1)}` },
      { ...proof, responses: proof.responses.map((z) => hexBytes(wireToHex(z))) },
      { ...proof, responses: required(proof.responses[0], 'z') },
      { ...proof, challenge: 7 },
    ]) {
      expectRefused(testCase, withProof(malformed), /malformed/);
    }
  });
});

// ─── Declarations ─────────────────────────────────────────────────────────────────────────────

describe('declarations: the client refuses any that breaks the rules', () => {
  const linear = vectors['public-linear-2'].entry;
  const monomial = vectors['public-monomial'].entry;
  const privateModel = vectors['private-linear'].entry;
  const linearWith = (sum: unknown) => ({
    kind: 'public-linear',
    outputs: { sum, diff: { weights: { p: 1, r: -1 }, constant: 11 } },
  });
  const monomialWith = (numerator: unknown) => ({
    kind: 'public-monomial',
    outputs: { numerator, denominator: { exponents: { height: 2 }, constant: 1 } },
  });

  it("accepts the vectors' declarations, with left-out inputs as 0 in catalog order", () => {
    const declaration = parseDeclaration(linear, linear.evaluation);
    expect(declaration).toEqual({
      kind: 'public-linear',
      outputs: [
        { factors: [2n, -3n, 0n], constant: -5n },
        { factors: [1n, 0n, -1n], constant: 11n },
      ],
    });
    expect(parseDeclaration(monomial, monomial.evaluation)).toEqual({
      kind: 'public-monomial',
      outputs: [
        { factors: [1n, 0n], constant: 100000n },
        { factors: [0n, 2n], constant: 1n },
      ],
    });
  });

  it('accepts the limits: weights ±(2⁵³ − 1), exponents 2³² − 1, constant 1', () => {
    expect(() =>
      parseDeclaration(
        linear,
        linearWith({ weights: { p: Number.MAX_SAFE_INTEGER }, constant: Number.MIN_SAFE_INTEGER }),
      ),
    ).not.toThrow();
    expect(() =>
      parseDeclaration(monomial, monomialWith({ exponents: { weight: 2 ** 32 - 1 }, constant: 1 })),
    ).not.toThrow();
  });

  it.each([
    ['a fractional weight', linearWith({ weights: { p: 1.5 }, constant: 0 })],
    ['a weight beyond the safe range', linearWith({ weights: { p: 2 ** 53 }, constant: 0 })],
    ['a weight as a string', linearWith({ weights: { p: '2' }, constant: 0 })],
    ['a fractional constant', linearWith({ weights: { p: 2 }, constant: 0.5 })],
    ['a constant beyond the safe range', linearWith({ weights: { p: 2 }, constant: -(2 ** 53) })],
    ['a missing constant', linearWith({ weights: { p: 2 } })],
    ['missing weights', linearWith({ constant: 0 })],
    ['an extra member', linearWith({ weights: { p: 2 }, constant: 0, note: 'x' })],
    ['an unknown input', linearWith({ weights: { p: 2, s: 1 }, constant: 0 })],
    ['an undeclared output', { kind: 'public-linear', outputs: { diff: { weights: {}, constant: 0 } } }],
    [
      'an unknown output',
      {
        ...linearWith({ weights: {}, constant: 0 }),
        outputs: { ...linearWith({ weights: {}, constant: 0 }).outputs, extra: { weights: {}, constant: 0 } },
      },
    ],
    ['an unknown kind', { ...linearWith({ weights: {}, constant: 0 }), kind: 'public-affine' }],
    [
      'a monomial in ristretto255',
      { ...monomialWith({ exponents: {}, constant: 1 }), kind: 'public-monomial' },
    ],
    ['no object', null],
    ['an extra member at the top', { ...linearWith({ weights: {}, constant: 0 }), commitment: 'x' }],
  ])('public-linear: %s', (_, evaluation) => {
    expect(() => parseDeclaration(linear, evaluation)).toThrow(DeclarationError);
  });

  it.each([
    ['exponent −1', monomialWith({ exponents: { weight: -1 }, constant: 1 })],
    ['exponent 2³²', monomialWith({ exponents: { weight: 2 ** 32 }, constant: 1 })],
    ['a fractional exponent', monomialWith({ exponents: { weight: 0.5 }, constant: 1 })],
    ['constant 0', monomialWith({ exponents: { weight: 1 }, constant: 0 })],
    ['a negative constant', monomialWith({ exponents: { weight: 1 }, constant: -100000 })],
    ['a fractional constant', monomialWith({ exponents: { weight: 1 }, constant: 1.5 })],
    ['an unknown input', monomialWith({ exponents: { age: 1 }, constant: 1 })],
    ['weights instead of exponents', monomialWith({ weights: { weight: 1 }, constant: 1 })],
    [
      'public-linear in ffdhe3072',
      { ...monomialWith({ exponents: {}, constant: 1 }), kind: 'public-linear' },
    ],
  ])('public-monomial: %s', (_, evaluation) => {
    expect(() => parseDeclaration(monomial, evaluation)).toThrow(DeclarationError);
  });

  it.each([
    ['a hex commitment', { kind: 'private-linear', commitment: privateModel.evaluation.commitment }],
    [
      'a padded commitment',
      { kind: 'private-linear', commitment: `${hexToWire(String(privateModel.evaluation.commitment))}=` },
    ],
    // RFC 9496 Appendix A.2: a non-canonical field element, and a negative one.
    ['a non-canonical encoding', { kind: 'private-linear', commitment: hexToWire(`00${'ff'.repeat(31)}`) }],
    ['a negative field element', { kind: 'private-linear', commitment: hexToWire(`01${'00'.repeat(31)}`) }],
    ['a 31-byte commitment', { kind: 'private-linear', commitment: hexToWire('11'.repeat(31)) }],
    ['no commitment', { kind: 'private-linear' }],
    [
      'public weights beside it',
      {
        kind: 'private-linear',
        commitment: hexToWire(String(privateModel.evaluation.commitment)),
        outputs: {},
      },
    ],
  ])('private-linear: %s', (_, evaluation) => {
    expect(() => parseDeclaration(privateModel, evaluation)).toThrow(DeclarationError);
  });

  it('refuses a version that is no u32', () => {
    expect(() => parseDeclaration({ ...linear, version: 2 ** 32 }, linear.evaluation)).toThrow(
      DeclarationError,
    );
    expect(() => parseDeclaration({ ...linear, version: -1 }, linear.evaluation)).toThrow(DeclarationError);
  });
});

describe('declarations: trust on first use', () => {
  const catalogEntry = (evaluation: unknown) => ({
    ...vectors['private-linear'].entry,
    title: 'Toy model',
    description: '',
    inputs: vectors['private-linear'].entry.inputs.map((input) => ({
      ...input,
      label: input.name,
      unit: '',
    })),
    evaluation,
  });
  const pinnedEvaluation = evaluationOnWire(vectors['private-linear']);
  const otherEvaluation = evaluationOnWire(vectors['private-linear-2']);

  it('keeps the first declaration of an (id, version) and refuses another one later', () => {
    const pins = new DeclarationPins();
    const first = pins.trust(catalogEntry(pinnedEvaluation));
    expect(pins.trust(catalogEntry(pinnedEvaluation))).toEqual(first);
    expect(() => pins.trust(catalogEntry(otherEvaluation))).toThrow(/now declares another evaluation/);
  });

  it('a new version is a new model', () => {
    const pins = new DeclarationPins();
    pins.trust(catalogEntry(pinnedEvaluation));
    expect(() => pins.trust({ ...catalogEntry(otherEvaluation), version: 3 })).not.toThrow();
  });
});
