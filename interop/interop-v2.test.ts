/**
 * Interoperability, protocol v2: the spec-only client (spec-client-v2.ts) against the real service
 * over HTTP. Every computation in the v2 catalog is run with encrypted inputs; every answer's proof
 * is verified against the pinned declaration before anything is decrypted, and the decrypted outputs
 * must be the declared function of the inputs. Expectations come from protocol-v2.md, docs/PROTOCOL.md
 * and the published Framingham coefficients (shared/reference/clinical.md), never from the project's code.
 */
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CatalogComputation,
  type CiphertextJson,
  decryptElement,
  type EvaluateRequestJson,
  encrypt,
  ffdhe3072Group,
  generateKeyPair,
  ristretto255Group,
  type SpecGroup,
  type SpecKeyPair,
} from './spec-client.js';
import {
  type CatalogComputationV2,
  type Declaration,
  DeclarationPins,
  type EvaluateResponseV2Json,
  parseDeclaration,
  VerificationError,
  verifyAnswer,
} from './spec-client-v2.js';
import { startService } from './test-support.js';

/** 3072-bit exponentiations on both ends, and a proof per answer; generous for a busy 2-core machine. */
const SLOW_CRYPTO = { timeout: 180_000 };

let app: FastifyInstance;
let origin: string;
let catalog: CatalogComputationV2[];
/** Trust on first use, from this test's first catalog fetch (protocol-v2.md, "Which declaration a client trusts"). */
const pins = new DeclarationPins();
let keys: { ristretto255: SpecKeyPair; ffdhe3072: SpecKeyPair };

async function fetchCatalog(from: string, version: 'v1' | 'v2'): Promise<CatalogComputationV2[]> {
  const response = await fetch(`${from}/api/${version}/computations`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json\b/);
  return ((await response.json()) as { computations: CatalogComputationV2[] }).computations;
}

function postEvaluate(id: string, body: string): Promise<Response> {
  return fetch(`${origin}/api/v2/computations/${encodeURIComponent(id)}/evaluate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
}

async function evaluate(id: string, request: EvaluateRequestJson): Promise<EvaluateResponseV2Json> {
  const response = await postEvaluate(id, JSON.stringify(request));
  const body: unknown = await response.json();
  expect(response.status, JSON.stringify(body)).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json\b/);
  return body as EvaluateResponseV2Json;
}

function catalogEntry(id: string): CatalogComputationV2 {
  const entry = catalog.find((computation) => computation.id === id);
  if (entry === undefined) throw new Error(`the v2 catalog lacks ${id}`);
  return entry;
}

function groupOf(entry: CatalogComputation): SpecGroup<unknown> {
  if (entry.group === 'ristretto255') return ristretto255Group as SpecGroup<unknown>;
  if (entry.group === 'ffdhe3072') return ffdhe3072Group as SpecGroup<unknown>;
  throw new Error(`the spec client does not speak ${entry.group}`);
}

function keysFor(entry: CatalogComputation): SpecKeyPair {
  return entry.group === 'ristretto255' ? keys.ristretto255 : keys.ffdhe3072;
}

function encryptInputs(entry: CatalogComputation, plaintexts: Record<string, bigint>): EvaluateRequestJson {
  const { publicKey } = keysFor(entry);
  const inputs: Record<string, CiphertextJson> = {};
  for (const { name } of entry.inputs) {
    const plaintext = plaintexts[name];
    if (plaintext === undefined) throw new Error(`no value for ${name}`);
    inputs[name] = encrypt(groupOf(entry), publicKey, plaintext);
  }
  return { publicKey, inputs };
}

/** Verify first (protocol-v2.md, "What a client does with an answer"), then decrypt to M = enc(value). */
function verifyAndCheck(
  entry: CatalogComputationV2,
  declaration: Declaration,
  request: EvaluateRequestJson,
  answer: unknown,
  expected: Record<string, bigint>,
): void {
  verifyAnswer(entry, declaration, request, answer);
  const group = groupOf(entry);
  for (const output of entry.outputs) {
    const value = expected[output.name];
    if (value === undefined) throw new Error(`no expected value for ${output.name}`);
    // Within the declared bounds, so the client's bounded search would find it; comparing M with
    // enc(value) directly spares searching ranges as wide as Framingham's 3·10⁹.
    expect(value >= BigInt(output.min) && value <= BigInt(output.max), `${output.name} in bounds`).toBe(true);
    const ciphertext = answer.outputs[output.name] as CiphertextJson;
    const decrypted = decryptElement(group, keysFor(entry), ciphertext);
    expect(
      group.equals(decrypted, group.encodePlaintext(value)),
      `${entry.id}.${output.name} = ${value}`,
    ).toBe(true);
  }
}

// ─── What each declaration says the outputs are ───────────────────────────────────────────────

/** Σᵢ wᵢ·xᵢ + t (public-linear) or k·Πᵢ xᵢ^eᵢ (public-monomial), over the integers. */
function declaredOutputs(
  entry: CatalogComputation,
  declaration: Declaration,
  plaintexts: Record<string, bigint>,
): Record<string, bigint> {
  if (declaration.kind === 'private-linear') throw new Error('a private model declares no function');
  const values = entry.inputs.map(({ name }) => plaintexts[name] ?? 0n);
  return Object.fromEntries(
    entry.outputs.map(({ name }, j) => {
      const output = declaration.outputs[j];
      if (output === undefined) throw new Error(`no declaration for ${name}`);
      const value =
        declaration.kind === 'public-linear'
          ? output.factors.reduce((sum, weight, i) => sum + weight * (values[i] ?? 0n), output.constant)
          : output.factors.reduce(
              (product, exponent, i) => product * (values[i] ?? 0n) ** exponent,
              output.constant,
            );
      return [name, value];
    }),
  );
}

/**
 * Framingham 2008 (D'Agostino et al., Circulation 2008; the table in shared/reference/clinical.md) as
 * docs/PROTOCOL.md encodes it: inputs `<feature><Sex>`, features ln(value)·10^4 and indicators 0/10^4,
 * weights βᵢ·10^4 rounded to nearest, the output Σ wᵢ·xᵢ (its worked example: 2 435 114 960).
 */
const FRAMINGHAM_COEFFICIENTS = {
  Male: {
    lnAge: 3.06117,
    lnTotalCholesterol: 1.1237,
    lnHdl: -0.93263,
    lnSbpUntreated: 1.93303,
    lnSbpTreated: 1.99881,
    smoker: 0.65451,
    diabetes: 0.57367,
  },
  Female: {
    lnAge: 2.32888,
    lnTotalCholesterol: 1.20904,
    lnHdl: -0.70833,
    lnSbpUntreated: 2.76157,
    lnSbpTreated: 2.82263,
    smoker: 0.52873,
    diabetes: 0.69154,
  },
} as const;
type Sex = keyof typeof FRAMINGHAM_COEFFICIENTS;
const FIXED_POINT = 10_000;

const framinghamWeights: Record<string, bigint> = Object.fromEntries(
  Object.entries(FRAMINGHAM_COEFFICIENTS).flatMap(([sex, betas]) =>
    Object.entries(betas).map(([feature, beta]) => [
      `${feature}${sex}`,
      BigInt(Math.round(beta * FIXED_POINT)),
    ]),
  ),
);

interface FraminghamPatient {
  sex: Sex;
  age: number;
  totalCholesterol: number;
  hdl: number;
  sbp: number;
  treated: boolean;
  smoker: boolean;
  diabetic: boolean;
}

/** docs/PROTOCOL.md, Framingham worked example, steps 1–2; all 14 inputs, the other sex's all 0. */
function framinghamInputs(patient: FraminghamPatient): Record<string, bigint> {
  const ln = (value: number) => BigInt(Math.round(Math.log(value) * FIXED_POINT));
  const indicator = (flag: boolean) => (flag ? BigInt(FIXED_POINT) : 0n);
  const inputs: Record<string, bigint> = {};
  for (const sex of Object.keys(FRAMINGHAM_COEFFICIENTS) as Sex[]) {
    const own = sex === patient.sex;
    const value = (feature: bigint) => (own ? feature : 0n);
    inputs[`lnAge${sex}`] = value(ln(patient.age));
    inputs[`lnTotalCholesterol${sex}`] = value(ln(patient.totalCholesterol));
    inputs[`lnHdl${sex}`] = value(ln(patient.hdl));
    inputs[`lnSbpUntreated${sex}`] = value(patient.treated ? 0n : ln(patient.sbp));
    inputs[`lnSbpTreated${sex}`] = value(patient.treated ? ln(patient.sbp) : 0n);
    inputs[`smoker${sex}`] = value(indicator(patient.smoker));
    inputs[`diabetes${sex}`] = value(indicator(patient.diabetic));
  }
  return inputs;
}

function predictedLinearPredictor(inputs: Record<string, bigint>): bigint {
  return Object.entries(inputs).reduce((sum, [name, value]) => {
    const weight = framinghamWeights[name];
    if (weight === undefined) throw new Error(`no published coefficient for ${name}`);
    return sum + weight * value;
  }, 0n);
}

/** shared/reference/clinical.md, "Test vectors computed in double precision from the table" (Σβx). */
const CLINICAL_VECTORS: [FraminghamPatient, number][] = [
  [
    {
      sex: 'Female',
      age: 61,
      totalCholesterol: 180,
      hdl: 47,
      sbp: 124,
      treated: false,
      smoker: true,
      diabetic: false,
    },
    26.9653,
  ],
  [
    {
      sex: 'Male',
      age: 53,
      totalCholesterol: 161,
      hdl: 55,
      sbp: 125,
      treated: true,
      smoker: false,
      diabetic: true,
    },
    24.3509,
  ],
  [
    {
      sex: 'Male',
      age: 45,
      totalCholesterol: 200,
      hdl: 50,
      sbp: 120,
      treated: false,
      smoker: false,
      diabetic: false,
    },
    23.2125,
  ],
  [
    {
      sex: 'Female',
      age: 70,
      totalCholesterol: 240,
      hdl: 40,
      sbp: 150,
      treated: true,
      smoker: true,
      diabetic: true,
    },
    29.271,
  ],
  [
    {
      sex: 'Male',
      age: 74,
      totalCholesterol: 280,
      hdl: 30,
      sbp: 170,
      treated: true,
      smoker: true,
      diabetic: true,
    },
    27.8289,
  ],
  [
    {
      sex: 'Female',
      age: 30,
      totalCholesterol: 150,
      hdl: 80,
      sbp: 100,
      treated: false,
      smoker: false,
      diabetic: false,
    },
    23.5926,
  ],
];

// ─── The service ──────────────────────────────────────────────────────────────────────────────

beforeAll(async () => {
  ({ service: app, origin } = await startService(false));
  catalog = await fetchCatalog(origin, 'v2');
  keys = { ristretto255: generateKeyPair(ristretto255Group), ffdhe3072: generateKeyPair(ffdhe3072Group) };
});

afterAll(async () => {
  await app.close();
});

describe('GET /api/v2/computations', () => {
  it('is the v1 catalog, each entry plus its evaluation', async () => {
    const v1 = await fetchCatalog(origin, 'v1');
    // A model file's public part (`model`, docs/MODELS.md) is our v2 extension; the rest is v1's entry.
    const withoutExtensions = catalog.map((entry) => {
      const {
        evaluation: _,
        model: _model,
        ...v1Entry
      } = entry as CatalogComputationV2 & { model?: unknown };
      return v1Entry;
    });
    expect(withoutExtensions).toEqual(v1);
    for (const entry of catalog) expect(entry).toHaveProperty('evaluation');
  });

  it('every declaration keeps the spec rules, and is pinned on first use', () => {
    for (const entry of catalog) {
      expect(() => pins.trust(entry), entry.id).not.toThrow();
    }
  });

  it('has no private model but framingham-2008, the one whose coefficients are published', () => {
    const privateModels = catalog.filter(
      ({ evaluation }) => (evaluation as { kind?: unknown }).kind === 'private-linear',
    );
    expect(privateModels.map(({ id }) => id)).toEqual(['framingham-2008']);
  });

  it('offers the spec computations with the spec declarations', () => {
    expect(catalogEntry('bmi').evaluation).toEqual({
      kind: 'public-monomial',
      outputs: {
        numerator: { exponents: { weight: 1 }, constant: 100000 },
        denominator: { exponents: { height: 2 }, constant: 1 },
      },
    });
    // protocol-v1.md: score = chf + hypertension + age65to74 + 2·age75plus + diabetes + 2·stroke + vascular + female.
    const score = parseDeclaration(catalogEntry('cha2ds2-vasc'), catalogEntry('cha2ds2-vasc').evaluation);
    const factors = {
      chf: 1,
      hypertension: 1,
      age65to74: 1,
      age75plus: 2,
      diabetes: 1,
      stroke: 2,
      vascular: 1,
      female: 1,
    };
    const inputNames = catalogEntry('cha2ds2-vasc').inputs.map(({ name }) => name);
    expect(score).toEqual({
      kind: 'public-linear',
      outputs: [
        { factors: inputNames.map((name) => BigInt(factors[name as keyof typeof factors])), constant: 0n },
      ],
    });
  });

  it("declares what docs/PROTOCOL.md's worked examples compute (cockcroft-gault, readings-summary)", () => {
    expect(catalogEntry('cockcroft-gault').evaluation).toEqual({
      kind: 'public-monomial',
      outputs: {
        numerator: { exponents: { ageFactor: 1, weight: 1, sexFactor: 1 }, constant: 884 },
        denominator: { exponents: { creatinine: 1 }, constant: 72000 },
      },
    });
    // Slots 1–31: sum = Σ reading, sumOfSquaresHigh = Σ squareHigh, sumOfSquaresLow = Σ squareLow.
    const slots = (stem: string) =>
      Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`${stem}${i + 1}`, 1]));
    expect(catalogEntry('readings-summary').evaluation).toEqual({
      kind: 'public-linear',
      outputs: {
        sum: { weights: slots('reading'), constant: 0 },
        sumOfSquaresHigh: { weights: slots('squareHigh'), constant: 0 },
        sumOfSquaresLow: { weights: slots('squareLow'), constant: 0 },
      },
    });
  });

  it('framingham-2008 declares a private model whose commitment is the same for every start of the service', async () => {
    const framingham = catalogEntry('framingham-2008');
    expect(framingham.evaluation).toEqual({ kind: 'private-linear', commitment: expect.any(String) });
    const { service: second, origin: secondOrigin } = await startService(false);
    try {
      const again = (await fetchCatalog(secondOrigin, 'v2')).find(({ id }) => id === framingham.id);
      expect(again?.version).toBe(framingham.version);
      expect(again?.evaluation).toEqual(framingham.evaluation);
      // What the spec asks of a client: the pinned declaration, checked against a later catalog.
      expect(() => pins.trust(again as CatalogComputationV2)).not.toThrow();
    } finally {
      await second.close();
    }
  });
});

describe(
  'POST /api/v2/computations/{id}/evaluate: every answer verifies and is the declared function',
  SLOW_CRYPTO,
  () => {
    it('every public computation in the catalog, on random inputs within the declared bounds', async () => {
      const publicEntries = catalog.filter(
        ({ evaluation }) => (evaluation as { kind?: unknown }).kind !== 'private-linear',
      );
      expect(publicEntries.length).toBeGreaterThan(0);
      for (const entry of publicEntries) {
        const declaration = pins.trust(entry);
        const inputs = fc.record(
          Object.fromEntries(
            entry.inputs.map(({ name, min, max }) => [
              name,
              fc.bigInt({ min: BigInt(min), max: BigInt(max) }),
            ]),
          ),
        );
        const withinBounds = (plaintexts: Record<string, bigint>) =>
          Object.entries(declaredOutputs(entry, declaration, plaintexts)).every(([name, value]) => {
            const output = entry.outputs.find((candidate) => candidate.name === name);
            return output !== undefined && value >= BigInt(output.min) && value <= BigInt(output.max);
          });
        const lowest = Object.fromEntries(entry.inputs.map(({ name, min }) => [name, BigInt(min)]));
        await fc.assert(
          fc.asyncProperty(inputs, async (plaintexts) => {
            // e.g. CHA₂DS₂-VASc with both age bands set sums to 10, beyond its declared [0, 9].
            fc.pre(withinBounds(plaintexts));
            const request = encryptInputs(entry, plaintexts);
            const answer = await evaluate(entry.id, request);
            verifyAndCheck(
              entry,
              declaration,
              request,
              answer,
              declaredOutputs(entry, declaration, plaintexts),
            );
          }),
          { numRuns: entry.group === 'ristretto255' ? 3 : 2, examples: [[lowest]] },
        );
      }
    });

    it('framingham-2008 on the six clinical.md patients: Σ round(βᵢ·10^4)·round(ln xᵢ·10^4), as published', async () => {
      const entry = catalogEntry('framingham-2008');
      const declaration = pins.trust(entry);
      for (const [patient, sumBetaX] of CLINICAL_VECTORS) {
        const plaintexts = framinghamInputs(patient);
        const request = encryptInputs(entry, plaintexts);
        const answer = await evaluate(entry.id, request);
        const predicted = predictedLinearPredictor(plaintexts);
        verifyAndCheck(entry, declaration, request, answer, { linearPredictor: predicted });
        // The fixed point stays within a few 10⁻⁴ of the double-precision Σβx (docs/PROTOCOL.md, step 5).
        expect(Math.abs(Number(predicted) / FIXED_POINT ** 2 - sumBetaX)).toBeLessThan(0.002);
      }
    });

    it('framingham-2008 on random patients of the ages and values the model was fitted on', async () => {
      const entry = catalogEntry('framingham-2008');
      const declaration = pins.trust(entry);
      const patients = fc.record({
        sex: fc.constantFrom<Sex>('Male', 'Female'),
        age: fc.integer({ min: 30, max: 74 }),
        totalCholesterol: fc.integer({ min: 100, max: 405 }),
        hdl: fc.integer({ min: 10, max: 100 }),
        sbp: fc.integer({ min: 90, max: 200 }),
        treated: fc.boolean(),
        smoker: fc.boolean(),
        diabetic: fc.boolean(),
      });
      await fc.assert(
        fc.asyncProperty(patients, async (patient) => {
          const plaintexts = framinghamInputs(patient);
          const request = encryptInputs(entry, plaintexts);
          const answer = await evaluate(entry.id, request);
          verifyAndCheck(entry, declaration, request, answer, {
            linearPredictor: predictedLinearPredictor(plaintexts),
          });
        }),
        { numRuns: 4 },
      );
    });

    it('draws fresh nonces: the same request twice gives two different proofs, both valid', async () => {
      const entry = catalogEntry('cha2ds2-vasc');
      const declaration = pins.trust(entry);
      const request = encryptInputs(entry, Object.fromEntries(entry.inputs.map(({ name }) => [name, 1n])));
      const [first, second] = [await evaluate(entry.id, request), await evaluate(entry.id, request)];
      for (const answer of [first, second]) verifyAnswer(entry, declaration, request, answer);
      expect(first.proof.challenge).not.toBe(second.proof.challenge);
      expect(first.proof.responses).not.toEqual(second.proof.responses);
      expect(first.outputs).not.toEqual(second.outputs);
    });

    it('an answer is bound to its request: replayed for another request of the same computation, it fails', async () => {
      const entry = catalogEntry('framingham-2008');
      const declaration = pins.trust(entry);
      const [patient] = CLINICAL_VECTORS[0] as [FraminghamPatient, number];
      const request = encryptInputs(entry, framinghamInputs(patient));
      const answer = await evaluate(entry.id, request);
      const otherRequest = encryptInputs(entry, framinghamInputs(patient));
      expect(() => verifyAnswer(entry, declaration, otherRequest, answer)).toThrow(VerificationError);
    });
  },
);

describe('POST /api/v2/.../evaluate: errors as in v1', () => {
  async function expectProblem(response: Response, status: number, code: string): Promise<void> {
    const body: unknown = await response.json();
    expect(response.status, JSON.stringify(body)).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json\b/);
    expect(body).toMatchObject({ type: expect.any(String), title: expect.any(String), status, code });
  }

  it('unknown computation → 404 unknown-computation; a missing input → 400 missing-input', async () => {
    const entry = catalogEntry('cha2ds2-vasc');
    const request = encryptInputs(entry, Object.fromEntries(entry.inputs.map(({ name }) => [name, 0n])));
    await expectProblem(
      await postEvaluate('no-such-computation', JSON.stringify(request)),
      404,
      'unknown-computation',
    );
    const { chf: _, ...fewer } = request.inputs;
    await expectProblem(
      await postEvaluate(entry.id, JSON.stringify({ ...request, inputs: fewer })),
      400,
      'missing-input',
    );
  });

  it('a key of another group → 400 group-mismatch', async () => {
    const entry = catalogEntry('cha2ds2-vasc');
    const { publicKey } = keys.ffdhe3072;
    const inputs = Object.fromEntries(
      entry.inputs.map(({ name }) => [name, encrypt(ffdhe3072Group, publicKey, 1n)]),
    );
    await expectProblem(
      await postEvaluate(entry.id, JSON.stringify({ publicKey, inputs })),
      400,
      'group-mismatch',
    );
  });
});
