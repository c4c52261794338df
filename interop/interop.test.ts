/**
 * Interoperability: the spec-only client in spec-client.ts talks to the real service over HTTP.
 * Every expectation here comes from protocol-v1.md (the normative spec) or its references,
 * never from the project's own code.
 */
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bmiFromOutputs,
  buildBmiRequest,
  buildCha2ds2VascRequest,
  type CatalogComputation,
  CHA2DS2_VASC_FACTORS,
  type Cha2ds2VascInputs,
  type CiphertextJson,
  decrypt,
  decryptOutputs,
  type EvaluateRequestJson,
  type EvaluateResponseJson,
  encrypt,
  ffdhe3072Group,
  fromBase64Url,
  generateKeyPair,
  ristretto255Group,
  type SpecKeyPair,
  toBase64Url,
} from './spec-client.js';
import { startService } from './test-support.js';

let app: FastifyInstance;
let apiBase: string;
let catalog: CatalogComputation[];
let ffdheKeys: SpecKeyPair;
let ristrettoKeys: SpecKeyPair;

/** 3072-bit exponentiations on both ends of each request; generous for a busy 2-core machine. */
const SLOW_CRYPTO = { timeout: 60_000 };

const ffdheModulus = 2n * ffdhe3072Group.order + 1n;
const allFactors = (value: 0n | 1n) =>
  Object.fromEntries(CHA2DS2_VASC_FACTORS.map((name) => [name, value])) as Cha2ds2VascInputs;
/** The highest valid score, 9: every factor but the younger age band. */
const maxScoreFactors: Cha2ds2VascInputs = { ...allFactors(1n), age65to74: 0n };

async function getJson(path: string): Promise<{ response: Response; body: unknown }> {
  const response = await fetch(`${apiBase}${path}`);
  return { response, body: await response.json() };
}

function postEvaluate(id: string, body: string, contentType = 'application/json'): Promise<Response> {
  return postEvaluateTo(apiBase, id, body, contentType);
}

function postEvaluateTo(base: string, id: string, body: string, contentType: string): Promise<Response> {
  return fetch(`${base}/computations/${id}/evaluate`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
  });
}

async function evaluate(id: string, request: EvaluateRequestJson): Promise<EvaluateResponseJson> {
  const response = await postEvaluate(id, JSON.stringify(request));
  const body: unknown = await response.json();
  expect(response.status, JSON.stringify(body)).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json\b/);
  expect(body).toEqual({
    computation: id,
    version: catalogEntry(id).version,
    outputs: expect.any(Object),
  });
  return body as EvaluateResponseJson;
}

function catalogEntry(id: string): CatalogComputation {
  const entry = catalog.find((computation) => computation.id === id);
  if (entry === undefined) throw new Error(`the catalog lacks ${id}`);
  return entry;
}

/** RFC 9457 problem details with the spec's extra `code` member. */
async function expectProblem(response: Response, status: number, code: string): Promise<void> {
  const body: unknown = await response.json();
  expect(response.status, JSON.stringify(body)).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json\b/);
  expect(body).toMatchObject({
    type: expect.any(String),
    title: expect.any(String),
    status,
    detail: expect.any(String),
    code,
  });
}

async function startServiceV1(rateLimit: false | { max: number; timeWindowMs: number }) {
  const { service, origin } = await startService(rateLimit);
  return { service, base: `${origin}/api/v1` };
}

beforeAll(async () => {
  ({ service: app, base: apiBase } = await startServiceV1(false));
  catalog = ((await getJson('/computations')).body as { computations: CatalogComputation[] }).computations;
  ffdheKeys = generateKeyPair(ffdhe3072Group);
  ristrettoKeys = generateKeyPair(ristretto255Group);
});

afterAll(async () => {
  await app.close();
});

describe('the spec client itself, against the references', SLOW_CRYPTO, () => {
  it('encodes i·B for i = 0..15 as RFC 9496 Appendix A.1 lists them', () => {
    // RFC 9496 Appendix A.1, "Multiples of the Generator" (first four and the last).
    const multiples: [bigint, string][] = [
      [0n, '0000000000000000000000000000000000000000000000000000000000000000'],
      [1n, 'e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76'],
      [2n, '6a493210f7499cd17fecb510ae0cea23a110e8d5b901f8acadd3095c73a3b919'],
      [3n, '94741f5d5d52755ece4f23f044ee27d5d1ea1e2bd196b462166b16152a9d0259'],
      [15n, 'e0c418f7c8d9c4cdd7395b93ea124f3ad99021bb681dfc3302a9d99a2e53e64e'],
    ];
    for (const [multiple, hex] of multiples) {
      expect(
        Buffer.from(ristretto255Group.toBytes(ristretto255Group.encodePlaintext(multiple))).toString('hex'),
      ).toBe(hex);
    }
  });

  it('has the ffdhe3072 prime of RFC 7919 Appendix A.2: p = 2^b − 2^(b−64) + (⌊2^(b−130)·e⌋ + X)·2^64 − 1', () => {
    const bits = 3072n;
    const X = 2625351n; // RFC 7919 Appendix A.2
    // e = Σ 1/k!, in fixed point with 64 guard bits so the floor below is exact.
    const scale = 1n << (bits - 130n + 64n);
    let scaledE = 0n;
    for (let term = scale, k = 1n; term > 0n; term /= k, k++) scaledE += term;
    const expected = (1n << bits) - (1n << (bits - 64n)) + ((scaledE >> 64n) + X) * (1n << 64n) - 1n;
    expect(ffdheModulus).toBe(expected);
    // g = 2 generates the subgroup of order q (RFC 7919 §5.1: p is a safe prime, 2 a residue).
    expect(ffdhe3072Group.power(2n, ffdhe3072Group.order)).toBe(1n);
  });

  it('decrypts what it encrypts in both groups, with ± encoding and negative additive plaintexts', () => {
    for (const plaintext of [1n, 2n, 3n, 650_000_000n]) {
      const ciphertext = encrypt(ffdhe3072Group, ffdheKeys.publicKey, plaintext);
      expect(decrypt(ffdhe3072Group, ffdheKeys, ciphertext, { min: 1n, max: plaintext })).toBe(plaintext);
    }
    for (const plaintext of [-5n, 0n, 9n]) {
      const ciphertext = encrypt(ristretto255Group, ristrettoKeys.publicKey, plaintext);
      expect(decrypt(ristretto255Group, ristrettoKeys, ciphertext, { min: -5n, max: 9n })).toBe(plaintext);
    }
  });

  it('rejects padded, foreign-alphabet and non-canonical base64url (RFC 4648 §3.2, §3.5, §5)', () => {
    expect(toBase64Url(new Uint8Array([0xfb, 0xff]))).toBe('-_8');
    for (const text of ['-_8=', '+/8', '-_9', 'A']) expect(() => fromBase64Url(text)).toThrow();
  });
});

describe('GET /api/v1/health and /api/v1/computations', () => {
  it('reports health as {"status":"ok"}', async () => {
    const { response, body } = await getJson('/health');
    expect(response.status).toBe(200);
    expect(body).toEqual({ status: 'ok' });
  });

  it('lists computations in the shape the spec gives', async () => {
    const { response, body } = await getJson('/computations');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json\b/);
    const bounds = { min: expect.any(Number), max: expect.any(Number) };
    expect(body).toEqual({ computations: expect.any(Array) });
    const computations = (body as { computations: CatalogComputation[] }).computations;
    expect(computations.map((computation) => computation.id)).toEqual(
      expect.arrayContaining(['bmi', 'cha2ds2-vasc']),
    );
    for (const { parameters, ...computation } of computations) {
      // The spec's fields exactly; the service may add public interpretation constants as `parameters`.
      if (parameters !== undefined) {
        expect(Object.values(parameters).every((value) => typeof value === 'number')).toBe(true);
      }
      expect(computation).toEqual({
        id: expect.any(String),
        version: expect.any(Number),
        title: expect.any(String),
        description: expect.any(String),
        group: expect.stringMatching(/^(ristretto255|ffdhe2048|ffdhe3072|ffdhe4096)$/),
        inputs: expect.any(Array),
        outputs: expect.any(Array),
      });
      expect(Number.isInteger(computation.version)).toBe(true);
      for (const input of computation.inputs) {
        expect(input).toEqual({
          name: expect.any(String),
          label: expect.any(String),
          unit: expect.any(String),
          ...bounds,
        });
      }
      for (const output of computation.outputs)
        expect(output).toEqual({ name: expect.any(String), ...bounds });
      for (const { min, max } of [...computation.inputs, ...computation.outputs]) {
        expect(Number.isSafeInteger(min) && Number.isSafeInteger(max) && min <= max).toBe(true);
      }
    }
  });

  // By name, since the spec fixes names and bounds but not their order in the catalog.
  const boundsByName = (entries: { name: string; min: number; max: number }[]) =>
    Object.fromEntries(entries.map(({ name, min, max }) => [name, { min, max }]));

  it('declares bmi exactly as the spec does', () => {
    const bmi = catalogEntry('bmi');
    expect(bmi.group).toBe('ffdhe3072');
    expect(boundsByName(bmi.inputs)).toEqual({
      weight: { min: 10, max: 6500 },
      height: { min: 300, max: 2800 },
    });
    // The spec leaves these bounds to the service; they must cover every true result
    // (weight·100000, height²) and stay ≥ 1, the least multiplicative plaintext.
    const { numerator, denominator, ...others } = boundsByName(bmi.outputs);
    expect(others).toEqual({});
    expect(numerator?.min).toBeGreaterThanOrEqual(1);
    expect(numerator?.min).toBeLessThanOrEqual(10 * 100_000);
    expect(numerator?.max).toBeGreaterThanOrEqual(6500 * 100_000);
    expect(denominator?.min).toBeGreaterThanOrEqual(1);
    expect(denominator?.min).toBeLessThanOrEqual(300 ** 2);
    expect(denominator?.max).toBeGreaterThanOrEqual(2800 ** 2);
  });

  it('declares cha2ds2-vasc exactly as the spec does', () => {
    const score = catalogEntry('cha2ds2-vasc');
    expect(score.group).toBe('ristretto255');
    expect(boundsByName(score.inputs)).toEqual(
      Object.fromEntries(CHA2DS2_VASC_FACTORS.map((name) => [name, { min: 0, max: 1 }])),
    );
    expect(boundsByName(score.outputs)).toEqual({ score: { min: 0, max: 9 } });
  });
});

describe('POST /api/v1/computations/{id}/evaluate: results match the spec formulas', SLOW_CRYPTO, () => {
  const weights = fc.bigInt({ min: 10n, max: 6500n });
  const heights = fc.bigInt({ min: 300n, max: 2800n });
  const factor = fc.constantFrom<0n | 1n>(0n, 1n);
  // Under 65, 65–74 or 75 and over: the two age flags are never both set (see spec-client.ts).
  const ageBands = fc.constantFrom<[0n | 1n, 0n | 1n]>([0n, 0n], [1n, 0n], [0n, 1n]);
  const factorSets: fc.Arbitrary<Cha2ds2VascInputs> = fc
    .tuple(
      fc.record({
        chf: factor,
        hypertension: factor,
        diabetes: factor,
        stroke: factor,
        vascular: factor,
        female: factor,
      }),
      ageBands,
    )
    .map(([factors, [age65to74, age75plus]]) => ({ ...factors, age65to74, age75plus }));

  it('bmi: numerator = weight·100000, denominator = height²', async () => {
    await fc.assert(
      fc.asyncProperty(weights, heights, async (weight, height) => {
        const response = await evaluate('bmi', buildBmiRequest(ffdheKeys, { weight, height }));
        const outputs = decryptOutputs(ffdhe3072Group, ffdheKeys, catalogEntry('bmi'), response);
        expect(outputs).toEqual({ numerator: weight * 100_000n, denominator: height * height });
        // The quotient is kg/m² (reference clinical.md: BMI = weight[kg] / height[m]²).
        expect(bmiFromOutputs(outputs)).toBeCloseTo(Number(weight) / 10 / (Number(height) / 1000) ** 2, 9);
      }),
      {
        numRuns: 4,
        examples: [
          [10n, 2800n],
          [6500n, 300n],
        ],
      },
    );
  });

  it('cha2ds2-vasc: score = chf + hypertension + age65to74 + 2·age75plus + diabetes + 2·stroke + vascular + female', async () => {
    await fc.assert(
      fc.asyncProperty(factorSets, async (factors) => {
        const response = await evaluate('cha2ds2-vasc', buildCha2ds2VascRequest(ristrettoKeys, factors));
        const { score } = decryptOutputs(
          ristretto255Group,
          ristrettoKeys,
          catalogEntry('cha2ds2-vasc'),
          response,
        );
        const expected =
          factors.chf +
          factors.hypertension +
          factors.age65to74 +
          2n * factors.age75plus +
          factors.diabetes +
          2n * factors.stroke +
          factors.vascular +
          factors.female;
        expect(score).toBe(expected);
      }),
      { numRuns: 40, examples: [[allFactors(0n)], [maxScoreFactors]] },
    );
  });

  it('both age flags set: the service sums to 10, outside the declared [0, 9], and decoding refuses it', async () => {
    expect(() => buildCha2ds2VascRequest(ristrettoKeys, allFactors(1n))).toThrow(/exclude each other/);
    // So built by hand: both flags set is clinically impossible, but nothing on the wire forbids it.
    const inputs = Object.fromEntries(
      CHA2DS2_VASC_FACTORS.map((name) => [name, encrypt(ristretto255Group, ristrettoKeys.publicKey, 1n)]),
    );
    const response = await evaluate('cha2ds2-vasc', { publicKey: ristrettoKeys.publicKey, inputs });
    const scoreEntry = catalogEntry('cha2ds2-vasc');
    expect(() => decryptOutputs(ristretto255Group, ristrettoKeys, scoreEntry, response)).toThrow(
      /outside the declared range/,
    );
    const score = response.outputs.score as CiphertextJson;
    expect(decrypt(ristretto255Group, ristrettoKeys, score, { min: 0n, max: 10n })).toBe(10n);
  });

  it('re-randomizes: the same request twice yields different output ciphertexts of the same value', async () => {
    const request = buildCha2ds2VascRequest(ristrettoKeys, allFactors(0n));
    const first = (await evaluate('cha2ds2-vasc', request)).outputs.score;
    const second = (await evaluate('cha2ds2-vasc', request)).outputs.score;
    expect(first?.a).not.toBe(second?.a);
    expect(first?.b).not.toBe(second?.b);
    const range = { min: 0n, max: 9n };
    for (const ciphertext of [first, second]) {
      expect(decrypt(ristretto255Group, ristrettoKeys, ciphertext as CiphertextJson, range)).toBe(0n);
    }

    const bmiRequest = buildBmiRequest(ffdheKeys, { weight: 700n, height: 1750n });
    const [bmiFirst, bmiSecond] = [await evaluate('bmi', bmiRequest), await evaluate('bmi', bmiRequest)];
    for (const name of ['numerator', 'denominator']) {
      expect(bmiFirst.outputs[name]?.a).not.toBe(bmiSecond.outputs[name]?.a);
      expect(bmiFirst.outputs[name]?.b).not.toBe(bmiSecond.outputs[name]?.b);
    }
  });
});

describe('errors are application/problem+json with the spec codes', SLOW_CRYPTO, () => {
  const validBmi = () => buildBmiRequest(ffdheKeys, { weight: 700n, height: 1750n });
  const withInputs = (request: EvaluateRequestJson, inputs: Record<string, CiphertextJson>) =>
    JSON.stringify({ ...request, inputs });
  const ffdheElement = (value: bigint) => toBase64Url(ffdhe3072Group.toBytes(value));
  const p = ffdheModulus;

  it('unknown computation → 404 unknown-computation', async () => {
    await expectProblem(
      await postEvaluate('no-such-computation', JSON.stringify(validBmi())),
      404,
      'unknown-computation',
    );
  });

  it('a key of another group → 400 group-mismatch, both ways', async () => {
    const ristrettoForBmi = {
      publicKey: ristrettoKeys.publicKey,
      inputs: {
        weight: encrypt(ristretto255Group, ristrettoKeys.publicKey, 700n),
        height: encrypt(ristretto255Group, ristrettoKeys.publicKey, 1750n),
      },
    };
    await expectProblem(await postEvaluate('bmi', JSON.stringify(ristrettoForBmi)), 400, 'group-mismatch');
    const ffdheForScore = {
      publicKey: ffdheKeys.publicKey,
      inputs: Object.fromEntries(
        CHA2DS2_VASC_FACTORS.map((name) => [name, encrypt(ffdhe3072Group, ffdheKeys.publicKey, 1n)]),
      ),
    };
    await expectProblem(
      await postEvaluate('cha2ds2-vasc', JSON.stringify(ffdheForScore)),
      400,
      'group-mismatch',
    );
  });

  it('a missing input → 400 missing-input; an extra one → 400 unexpected-input', async () => {
    const request = validBmi();
    const { weight, height } = request.inputs as { weight: CiphertextJson; height: CiphertextJson };
    await expectProblem(await postEvaluate('bmi', withInputs(request, { weight })), 400, 'missing-input');
    await expectProblem(
      await postEvaluate('bmi', withInputs(request, { weight, height, age: weight })),
      400,
      'unexpected-input',
    );
  });

  it('elements outside the group → 400 invalid-element', async () => {
    const request = validBmi();
    const { weight, height } = request.inputs as { weight: CiphertextJson; height: CiphertextJson };
    // p − 2 is a non-residue (2 is a residue, −1 is not), so it is outside the order-q subgroup.
    for (const y of [ffdheElement(p - 2n), ffdheElement(1n), ffdheElement(p - 1n), ffdheElement(p)]) {
      const body = JSON.stringify({ ...request, publicKey: { group: 'ffdhe3072', y } });
      await expectProblem(await postEvaluate('bmi', body), 400, 'invalid-element');
    }
    const outsideSubgroup = { ...weight, b: ffdheElement(p - 2n) };
    await expectProblem(
      await postEvaluate('bmi', withInputs(request, { weight: outsideSubgroup, height })),
      400,
      'invalid-element',
    );
  });

  it('non-canonical or invalid ristretto255 encodings and identities → 400 invalid-element', async () => {
    const request = buildCha2ds2VascRequest(ristrettoKeys, maxScoreFactors);
    const chf = request.inputs.chf as CiphertextJson;
    const hexElement = (hex: string) => toBase64Url(new Uint8Array(Buffer.from(hex, 'hex')));
    // RFC 9496 Appendix A.2, "Invalid Encodings": non-canonical field element, negative,
    // non-square x², negative xy, s = −1.
    const invalid = [
      '00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
      '0100000000000000000000000000000000000000000000000000000000000000',
      '26948d35ca62e643e26a83177332e6b6afeb9d08e4268b650f1f5bbd8d81d371',
      '3eb858e78f5a7254d8c9731174a94f76755fd3941c0ac93735c07ba14579630e',
      'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    ].map(hexElement);
    const identity = hexElement('00'.repeat(32));
    for (const a of [...invalid, identity]) {
      await expectProblem(
        await postEvaluate('cha2ds2-vasc', withInputs(request, { ...request.inputs, chf: { ...chf, a } })),
        400,
        'invalid-element',
      );
    }
    const identityKey = JSON.stringify({ ...request, publicKey: { group: 'ristretto255', y: identity } });
    await expectProblem(await postEvaluate('cha2ds2-vasc', identityKey), 400, 'invalid-element');
  });

  it('padding, foreign characters, a wrong length or stray trailing bits → 400 invalid-encoding', async () => {
    const request = buildCha2ds2VascRequest(ristrettoKeys, allFactors(0n));
    const { y } = request.publicKey;
    // 32 bytes take 43 base64url characters: 258 bits, so the last character's two low bits are 0
    // in the canonical form (RFC 4648 §3.5); flipping one decodes to the same bytes in lenient decoders.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const strayBits = `${y.slice(0, -1)}${alphabet[alphabet.indexOf(y.slice(-1)) | 1]}`;
    const shortElement = toBase64Url(new Uint8Array(31).fill(2));
    for (const badY of [`${y}=`, `+${y.slice(1)}`, `/${y.slice(1)}`, `${y}A`, strayBits, shortElement]) {
      const body = JSON.stringify({ ...request, publicKey: { group: 'ristretto255', y: badY } });
      await expectProblem(await postEvaluate('cha2ds2-vasc', body), 400, 'invalid-encoding');
    }
    // A 383-byte ffdhe3072 element, the leading byte dropped (elements are fixed length).
    const bmi = validBmi();
    const shortFfdhe = toBase64Url(fromBase64Url(bmi.publicKey.y).slice(1));
    const body = JSON.stringify({ ...bmi, publicKey: { group: 'ffdhe3072', y: shortFfdhe } });
    await expectProblem(await postEvaluate('bmi', body), 400, 'invalid-encoding');
  });

  it('bodies of the wrong shape → 400 validation-failed', async () => {
    const request = validBmi();
    const malformed = [
      '{"publicKey":',
      'null',
      '{}',
      JSON.stringify({ publicKey: request.publicKey }),
      JSON.stringify({ ...request, inputs: { ...request.inputs, weight: 700 } }),
      JSON.stringify({ ...request, publicKey: { group: 'p-256', y: request.publicKey.y } }),
    ];
    for (const body of malformed)
      await expectProblem(await postEvaluate('bmi', body), 400, 'validation-failed');
  });

  it('a body sent as text/plain → 415 unsupported-media-type', async () => {
    await expectProblem(
      await postEvaluate('bmi', JSON.stringify(validBmi()), 'text/plain'),
      415,
      'unsupported-media-type',
    );
  });

  it('a 1 MiB body → 413 payload-too-large (the spec sets no limit; a bmi request is about 2 KiB)', async () => {
    const body = JSON.stringify({ ...validBmi(), padding: 'x'.repeat(1 << 20) });
    await expectProblem(await postEvaluate('bmi', body), 413, 'payload-too-large');
  });

  it('too many requests → 429 rate-limited', async () => {
    const { service, base } = await startServiceV1({ max: 2, timeWindowMs: 60_000 });
    try {
      const statuses = [];
      // The catalog, not /health: a service may leave liveness probes out of the limit.
      for (let attempt = 0; attempt < 2; attempt++)
        statuses.push((await fetch(`${base}/computations`)).status);
      expect(statuses).toEqual([200, 200]);
      await expectProblem(
        await postEvaluateTo(base, 'bmi', JSON.stringify(validBmi()), 'application/json'),
        429,
        'rate-limited',
      );
    } finally {
      await service.close();
    }
  });

  it('never answers 5xx to anything a client sends, and every refusal is problem+json', async () => {
    const request = validBmi();
    const base64urlText = fc.stringMatching(/^[A-Za-z0-9_-]{0,600}$/);
    const fields = [
      'publicKey',
      'publicKey.group',
      'publicKey.y',
      'inputs',
      'inputs.weight',
      'inputs.height.a',
    ];
    const replaceField = (path: string, value: unknown): string => {
      const mutated: Record<string, unknown> = structuredClone({ ...request });
      const keys = path.split('.');
      const last = keys.pop() as string;
      let holder = mutated;
      for (const key of keys) holder = holder[key] as Record<string, unknown>;
      holder[last] = value;
      return JSON.stringify(mutated);
    };
    const bodies = fc.oneof(
      fc.jsonValue().map((value) => JSON.stringify(value)),
      fc.string(),
      fc
        .tuple(fc.constantFrom(...fields), fc.oneof(fc.jsonValue(), base64urlText))
        .map(([path, value]) => replaceField(path, value)),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('bmi', 'cha2ds2-vasc'), bodies, async (id, body) => {
        const response = await postEvaluate(id, body);
        expect(response.status).toBeLessThan(500);
        if (response.status !== 200) {
          expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json\b/);
        }
        await response.arrayBuffer();
      }),
      { numRuns: 150 },
    );
  });
});
