import { afterEach, describe, expect, test, vi } from 'vitest';
import { evaluateAndProve } from '../../server/evaluation.js';
import { AdditiveDecoder } from '../../shared/additive-decoder.js';
import { encryptInputs, generateGroupKeyPair } from '../../shared/client.js';
import { findComputation } from '../../shared/computations/catalog.js';
import type { Computation, FormValues } from '../../shared/computations/computation.js';
import { evaluateInTheClear, serve } from '../../shared/computations/test-support.js';
import { VerificationError } from '../../shared/errors.js';
import type { CiphertextWire, EvaluateRequest, EvaluateResponseV2 } from '../../shared/wire.js';
import { ComputationRuns, type RunDependencies } from './compute.js';

const cha2ds2Vasc = findComputation('cha2ds2-vasc') as Computation;
const VALUES: FormValues = {
  age: { value: 71, unit: 'years' },
  sex: 'female',
  chf: false,
  hypertension: true,
  diabetes: true,
  stroke: false,
  vascular: false,
};
const OTHER_VALUES: FormValues = { ...VALUES, age: { value: 80, unit: 'years' } };
const pair = generateGroupKeyPair('ristretto255');

/** The worker's clock stands in as one the test moves: only steps that take time move it. */
const ORIGIN = 1_700_000_000_000;
const ENCRYPT_MS = 7;
const NETWORK_MS = 40;

interface Service {
  readonly bodies: string[];
  /** What the service answers, from the honest answer it computed for the request. */
  answer(honest: EvaluateResponseV2, calls: number): { status: number; body: string } | undefined;
}

function setUp(service: Service) {
  let now = 0;
  const encryptions: EvaluateRequest[] = [];
  const deps: RunDependencies = {
    clock: { timeOrigin: ORIGIN, now: () => now },
    async encryptToFreshKey(computation, plaintexts) {
      now += ENCRYPT_MS;
      const request = encryptInputs(computation, pair, plaintexts);
      encryptions.push(request);
      return request;
    },
    async post(computationId, body) {
      expect(computationId).toBe(cha2ds2Vasc.id);
      service.bodies.push(body);
      now += NETWORK_MS;
      const honest = evaluateAndProve(serve(cha2ds2Vasc), JSON.parse(body) as EvaluateRequest);
      return service.answer(honest, service.bodies.length);
    },
    async withKeyPair(publicKey, use) {
      expect(publicKey).toEqual(pair.publicKey);
      return use(pair);
    },
    backends: async () => ({}),
    decoder: new AdditiveDecoder(),
    describeError: (error) => ({
      errorName: error instanceof VerificationError ? 'VerificationError' : 'Error',
      message: error instanceof Error ? error.message : '',
    }),
  };
  return { runs: new ComputationRuns(deps), encryptions };
}

const honestly: Service['answer'] = (honest) => ({ status: 200, body: JSON.stringify(honest) });

/** Another ciphertext in the honest one's place: a forged result. */
function forgedFrom(c: CiphertextWire): CiphertextWire {
  return { a: c.b, b: c.a };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('a run in the worker', () => {
  test('sends one request and decrypts the verified answer; the transcript is what was exchanged', async () => {
    const service: Service = { bodies: [], answer: honestly };
    const { runs } = setUp(service);
    const computed = await runs.run(cha2ds2Vasc, VALUES);
    if (computed.outcome !== 'decrypted') throw new Error(`expected decrypted, got ${computed.outcome}`);
    expect(computed.outputs).toEqual(evaluateInTheClear(cha2ds2Vasc, cha2ds2Vasc.encodeInputs(VALUES)));
    expect(service.bodies).toHaveLength(1);
    const { transcript } = computed;
    expect(transcript.requestBody).toBe(service.bodies[0]);
    expect(JSON.parse(transcript.responseBody ?? '')).toHaveProperty('proof');
    expect(transcript.status).toBe(200);
    expect(transcript.group).toBe('ristretto255');
    expect(transcript.proofBytes).toBeGreaterThan(0);
  });

  test('every time comes from the one clock: the steps follow each other and the transcript is made of them', async () => {
    const { runs } = setUp({ bodies: [], answer: honestly });
    const computed = await runs.run(cha2ds2Vasc, VALUES);
    expect(computed.clockOrigin).toBe(ORIGIN);
    expect(computed.steps).toEqual([
      { step: 'encrypt', start: 0, end: ENCRYPT_MS },
      { step: 'network', start: ENCRYPT_MS, end: ENCRYPT_MS + NETWORK_MS },
      { step: 'decrypt', start: ENCRYPT_MS + NETWORK_MS, end: ENCRYPT_MS + NETWORK_MS },
    ]);
    expect(computed.transcript.timings).toEqual({
      encryptMs: ENCRYPT_MS,
      encryptedAhead: false,
      networkMs: NETWORK_MS,
      verifyMs: 0,
      decryptMs: 0,
    });
  });

  test('parses the answer once', async () => {
    let answerBody = '';
    const { runs } = setUp({
      bodies: [],
      answer: (honest) => {
        answerBody = JSON.stringify(honest);
        return { status: 200, body: answerBody };
      },
    });
    const parse = vi.spyOn(JSON, 'parse');
    await runs.run(cha2ds2Vasc, VALUES);
    expect(parse.mock.calls.filter(([text]) => text === answerBody)).toHaveLength(1);
  });

  test('sends what was encrypted ahead for exactly these values, once; then encrypts afresh', async () => {
    const service: Service = { bodies: [], answer: honestly };
    const { runs, encryptions } = setUp(service);
    await runs.encryptAhead(cha2ds2Vasc, VALUES);
    expect(encryptions).toHaveLength(1);
    const first = await runs.run(cha2ds2Vasc, VALUES);
    expect(encryptions).toHaveLength(1);
    expect(first.transcript.timings.encryptedAhead).toBe(true);
    expect(first.transcript.timings.encryptMs).toBe(ENCRYPT_MS);
    expect(first.steps[0]).toEqual({ step: 'encrypt', start: ENCRYPT_MS, end: ENCRYPT_MS });
    const second = await runs.run(cha2ds2Vasc, VALUES);
    expect(second.transcript.timings.encryptedAhead).toBe(false);
    expect(encryptions).toHaveLength(2);
    expect(service.bodies[1]).not.toBe(service.bodies[0]);
  });

  test('encrypts afresh for other values than those encrypted ahead, and after the keys changed', async () => {
    const { runs, encryptions } = setUp({ bodies: [], answer: honestly });
    await runs.encryptAhead(cha2ds2Vasc, VALUES);
    const other = await runs.run(cha2ds2Vasc, OTHER_VALUES);
    expect(other.transcript.timings.encryptedAhead).toBe(false);
    await runs.encryptAhead(cha2ds2Vasc, VALUES);
    runs.forgetEncryptedAhead();
    const after = await runs.run(cha2ds2Vasc, VALUES);
    expect(after.transcript.timings.encryptedAhead).toBe(false);
    expect(encryptions).toHaveLength(4);
  });

  test('a forged answer decrypts nothing, keeps nothing for the history, and the next run sends fresh ciphertexts', async () => {
    const service: Service = {
      bodies: [],
      answer: (honest, calls) => {
        if (calls > 1) return honestly(honest, calls);
        const [name, output] = Object.entries(honest.outputs)[0] as [string, CiphertextWire];
        return {
          status: 200,
          body: JSON.stringify({ ...honest, outputs: { ...honest.outputs, [name]: forgedFrom(output) } }),
        };
      },
    };
    const { runs } = setUp(service);
    const forged = await runs.run(cha2ds2Vasc, VALUES);
    expect(forged).toMatchObject({ outcome: 'answer-rejected', errorName: 'VerificationError' });
    expect(forged).not.toHaveProperty('outputs');
    expect(forged).not.toHaveProperty('answerId');
    expect(forged.transcript.proofBytes).toBeUndefined();
    expect(forged.transcript.timings.verifyMs).toBeUndefined();
    expect(forged.transcript.timings.decryptMs).toBeUndefined();
    const retried = await runs.run(cha2ds2Vasc, VALUES);
    expect(retried.outcome).toBe('decrypted');
    expect(service.bodies[1]).not.toBe(service.bodies[0]);
  });

  test('unreachable: the transcript has the prepared request and nothing received', async () => {
    const { runs } = setUp({ bodies: [], answer: () => undefined });
    const computed = await runs.run(cha2ds2Vasc, VALUES);
    expect(computed.outcome).toBe('unreachable');
    expect(computed.transcript.responseBody).toBeUndefined();
    expect(computed.transcript.status).toBeUndefined();
    expect(JSON.parse(computed.transcript.requestBody)).toHaveProperty('inputs');
    expect(computed.steps.map(({ step }) => step)).toEqual(['encrypt']);
  });

  test("a refusal carries the service's problem, or none when its body is not one", async () => {
    const problem = {
      type: 'urn:x',
      title: 'Too many requests',
      detail: 'Try again in a minute.',
      status: 429,
    };
    const refusing = setUp({ bodies: [], answer: () => ({ status: 429, body: JSON.stringify(problem) }) });
    expect(await refusing.runs.run(cha2ds2Vasc, VALUES)).toMatchObject({
      outcome: 'service-refused',
      problem: { title: problem.title, detail: problem.detail },
      transcript: { status: 429 },
    });
    const failing = setUp({ bodies: [], answer: () => ({ status: 502, body: '<html>Bad gateway</html>' }) });
    expect(await failing.runs.run(cha2ds2Vasc, VALUES)).toMatchObject({
      outcome: 'service-refused',
      problem: undefined,
    });
  });

  test('the verified answer waits for the history, still encrypted to the request key, and is taken once', async () => {
    let answerBody = '';
    const { runs } = setUp({
      bodies: [],
      answer: (honest) => {
        answerBody = JSON.stringify(honest);
        return { status: 200, body: answerBody };
      },
    });
    const computed = await runs.run(cha2ds2Vasc, VALUES);
    if (computed.outcome !== 'decrypted') throw new Error(`expected decrypted, got ${computed.outcome}`);
    expect(runs.takeAnswer(computed.answerId)).toEqual({
      computationId: cha2ds2Vasc.id,
      computationVersion: cha2ds2Vasc.version,
      publicKey: pair.publicKey,
      response: JSON.parse(answerBody),
    });
    expect(runs.takeAnswer(computed.answerId)).toBeUndefined();
  });
});
