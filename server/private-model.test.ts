/**
 * The Framingham model stays the service's: its weights are exactly clinical.md's β (×10^4), and no
 * response carries them, in any form, while the catalog publishes what decoding needs (S0, mean, scale).
 */

import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateGroupKeyPair } from '../shared/client.js';
import { findComputation } from '../shared/computations/catalog.js';
import type { Computation } from '../shared/computations/computation.js';
import {
  evaluateInTheClear,
  FRAMINGHAM_FEATURES,
  FRAMINGHAM_REFERENCE,
  FRAMINGHAM_SEXES,
  type FraminghamSex,
  framinghamInputName,
  serve,
} from '../shared/computations/test-support.js';
import { bytesToBase64Url } from '../shared/wire.js';
import { DEFAULT_MODELS_DIR, loadServedCatalog, publicModelFile } from './served-catalog.js';
import { buildTestApp, encryptedRequest, evaluatePath, postEvaluate } from './test-support.js';

/** 2^256 − 1: not a canonical ristretto255 encoding (RFC 9496 §4.3.1). */
const NON_CANONICAL = bytesToBase64Url(new Uint8Array(32).fill(0xff));

function framinghamEntry(): Computation {
  const computation = findComputation('framingham-2008');
  if (!computation) throw new Error('The catalog lost framingham-2008.');
  return computation;
}

const referenceSex = (sex: FraminghamSex) => (sex === 'Female' ? 'female' : 'male');

/** Every β of clinical.md as the digits it is printed with, and as the service's ×10^4 integer. */
const BETAS = FRAMINGHAM_SEXES.flatMap((sex) =>
  FRAMINGHAM_FEATURES.map((feature) => FRAMINGHAM_REFERENCE[referenceSex(sex)].beta[feature]),
);
const betaPatterns = BETAS.flatMap((beta) => {
  const magnitude = Math.abs(beta);
  const forms = [
    magnitude.toFixed(5),
    magnitude.toFixed(4),
    String(magnitude),
    String(Math.round(magnitude * 1e4)),
  ];
  // A whole number, signed or not: 9326 in -9326 or 0.9326 counts, 9326 inside 19326 or a word does not.
  return [...new Set(forms)].map(
    (form) => new RegExp(`(?<![0-9A-Za-z_])${form.replaceAll('.', '\\.')}(?![0-9])`),
  );
});

/**
 * A response as text with what is random blanked (elements: 43-character base64url; the request id),
 * so that only what the service chose to say is searched, and a random 4 digits cannot fail the test.
 */
function leakableText(response: Pick<LightMyRequestResponse, 'headers' | 'body'>): string {
  const { 'x-request-id': _randomId, ...headers } = response.headers;
  return `${JSON.stringify(headers)}\n${response.body}`.replaceAll(/"[A-Za-z0-9_-]{43}"/g, '"<element>"');
}

function expectNoCoefficient(response: LightMyRequestResponse): void {
  const text = leakableText(response);
  for (const pattern of betaPatterns) expect(text, `${pattern} in a response`).not.toMatch(pattern);
}

describe('the private Framingham model', () => {
  it('ships to browsers as a commitment only; the service loads the weights from its model file', () => {
    const framingham = framinghamEntry();
    expect(framingham.evaluation).toEqual({ kind: 'private-linear', commitment: expect.any(String) });
    expect(serve(framingham).model?.commitment).toBe(
      framingham.evaluation.kind === 'private-linear' ? framingham.evaluation.commitment : undefined,
    );
  });

  it('stops the start, naming the file, when the private file is missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'models-'));
    copyFileSync(
      publicModelFile(DEFAULT_MODELS_DIR, 'framingham-2008'),
      publicModelFile(dir, 'framingham-2008'),
    );
    expect(() => loadServedCatalog(dir)).toThrow(/framingham-2008\.private\.json: \(file\)/);
  });

  it.each(
    FRAMINGHAM_SEXES.flatMap((sex) =>
      FRAMINGHAM_FEATURES.map((feature) => [framinghamInputName(feature, sex), sex, feature] as const),
    ),
  )('weighs %s by clinical.md’s β × 10^4, and only that input', (name, sex, feature) => {
    const framingham = framinghamEntry();
    // A unit vector: the weighted sum is then exactly this input's weight.
    const unit = Object.fromEntries(framingham.inputs.map((i) => [i.name, i.name === name ? 1n : 0n]));
    const beta = FRAMINGHAM_REFERENCE[referenceSex(sex)].beta[feature];
    expect(evaluateInTheClear(framingham, unit)).toEqual({ linearPredictor: BigInt(Math.round(beta * 1e4)) });
  });
});

describe('no response carries a coefficient', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await buildTestApp();
  });
  afterAll(() => app.close());

  it('finds them when they are there (the search itself works)', () => {
    const leaked = {
      body: JSON.stringify({ weights: { lnHdlMale: -9326, lnAgeFemale: 2.32888 } }),
      headers: {},
    };
    const text = leakableText(leaked);
    expect(betaPatterns.filter((p) => p.test(text))).toHaveLength(2);
  });

  it('publishes the model file’s public part (S0, the mean Σβx, the precision), and no weight, in the catalog', async () => {
    for (const version of [1, 2]) {
      const response = await app.inject({ method: 'GET', url: `/api/v${version}/computations` });
      expect(response.statusCode).toBe(200);
      const { computations } = response.json() as { computations: { id: string; model?: unknown }[] };
      const entry = computations.find((c) => c.id === 'framingham-2008');
      if (version === 2) {
        expect(entry?.model).toMatchObject({
          private: true,
          precision: { features: 4, weights: 4 },
          link: {
            kind: 'cox',
            baselineSurvival: { male: FRAMINGHAM_REFERENCE.male.s0, female: FRAMINGHAM_REFERENCE.female.s0 },
            mean: { male: FRAMINGHAM_REFERENCE.male.mean, female: FRAMINGHAM_REFERENCE.female.mean },
          },
        });
        expect(entry?.model).not.toHaveProperty('coefficients');
      }
      expectNoCoefficient(response);
    }
  });

  it('in the OpenAPI document', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    expect(response.statusCode).toBe(200);
    expectNoCoefficient(response);
  });

  it('in results, for either sex, treated or not, nor in any rejection', async () => {
    const framingham = framinghamEntry();
    const responses: LightMyRequestResponse[] = [];
    for (const sex of ['female', 'male']) {
      for (const treated of [false, true]) {
        const values = {
          sex,
          age: { value: 55, unit: 'years' },
          totalCholesterol: { value: 200, unit: 'mg/dL' },
          hdl: { value: 50, unit: 'mg/dL' },
          sbp: { value: 130, unit: 'mmHg' },
          treated,
          smoker: true,
          diabetes: false,
        };
        const { body } = encryptedRequest(framingham, framingham.encodeInputs(values));
        responses.push(await postEvaluate(app, framingham.id, body));
      }
    }
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 200, 200]);

    const { body } = encryptedRequest(
      framingham,
      Object.fromEntries(framingham.inputs.map((i) => [i.name, 0n])),
    );
    const [first, ...rest] = Object.keys(body.inputs);
    const other = generateGroupKeyPair('ffdhe3072');
    const rejected = [
      { ...body, publicKey: other.publicKey },
      { ...body, inputs: Object.fromEntries(rest.map((name) => [name, body.inputs[name]])) },
      { ...body, inputs: { ...body.inputs, weights: body.inputs[first as string] } },
      { ...body, inputs: { ...body.inputs, [first as string]: { a: body.publicKey.y, b: NON_CANONICAL } } },
    ];
    for (const request of rejected) responses.push(await postEvaluate(app, framingham.id, request));
    responses.push(await app.inject({ method: 'GET', url: evaluatePath(framingham.id) }));
    expect(responses.slice(4).map((r) => r.statusCode)).toEqual([400, 400, 400, 400, 404]);

    for (const response of responses) expectNoCoefficient(response);
  });
});
