import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { evaluateAndProve } from '../../server/evaluation.js';
import {
  DEFAULT_MODELS_DIR,
  loadServedCatalog,
  privateModelFile,
  publicModelFile,
  type ServedComputation,
} from '../../server/served-catalog.js';
import { AdditiveDecoder } from '../../shared/additive-decoder.js';
import { describedComputation } from '../../shared/catalog-entry.js';
import { encryptInputs, generateGroupKeyPair } from '../../shared/client.js';
import { computationToWireV2, findComputation } from '../../shared/computations/catalog.js';
import type { Computation, FormValues, Interpretation } from '../../shared/computations/computation.js';
import { evaluateInTheClear, serve } from '../../shared/computations/test-support.js';
import { DeclarationRefusedError, VerificationError } from '../../shared/errors.js';
import {
  base64UrlToBytes,
  bytesToBase64Url,
  type CiphertextWire,
  type EvaluateRequest,
  type EvaluateResponseV2,
} from '../../shared/wire.js';
import { type HistoryEntry, isHistoryEntry } from '../features/history/entry.js';
import {
  ComputationRuns,
  type DecryptAgainDependencies,
  decryptAgain,
  type KeptAnswer,
  keptComputation,
  type RunDependencies,
} from './compute.js';

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

function setUp(service: Service, served: ServedComputation = serve(cha2ds2Vasc)) {
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
      expect(computationId).toBe(served.computation.id);
      service.bodies.push(body);
      now += NETWORK_MS;
      const honest = evaluateAndProve(served, JSON.parse(body) as EvaluateRequest);
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
  return { runs: new ComputationRuns(deps), encryptions, deps };
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

  test('the verified answer waits for the history, still encrypted to the request key, with the request and the catalog entry its proof is bound to, and is taken once', async () => {
    let answerBody = '';
    const { runs, encryptions } = setUp({
      bodies: [],
      answer: (honest) => {
        answerBody = JSON.stringify(honest);
        return { status: 200, body: answerBody };
      },
    });
    const computed = await runs.run(cha2ds2Vasc, VALUES);
    if (computed.outcome !== 'decrypted') throw new Error(`expected decrypted, got ${computed.outcome}`);
    const kept = runs.takeAnswer(computed.answerId);
    expect(kept).toEqual({
      computationId: cha2ds2Vasc.id,
      computationVersion: cha2ds2Vasc.version,
      request: encryptions[0],
      response: JSON.parse(answerBody),
      catalogEntry: computationToWireV2(cha2ds2Vasc),
    });
    expect(JSON.parse(computed.transcript.requestBody)).toEqual(kept?.request);
    expect(kept?.request.publicKey).toEqual(pair.publicKey);
    // What the entry rebuilds is the computation the answer was verified against.
    expect(describedComputation(JSON.parse(JSON.stringify(kept?.catalogEntry)))).toBe(cha2ds2Vasc);
    expect(runs.takeAnswer(computed.answerId)).toBeUndefined();
  });
});

/** What the worker's `history-record` keeps of a taken answer, as stored (JSON) and read back. */
function historyEntryOf(kept: KeptAnswer, inputs: FormValues, result: Interpretation): HistoryEntry {
  const { computationId, computationVersion, request, response, catalogEntry } = kept;
  const entry = JSON.parse(
    JSON.stringify({
      id: crypto.randomUUID(),
      computedAt: new Date().toISOString(),
      computationId,
      computationVersion,
      inputs,
      result,
      sealed: { publicKey: request.publicKey, response, request, catalogEntry },
    }),
  ) as unknown;
  if (!isHistoryEntry(entry)) throw new Error('The history would not keep this entry.');
  return entry;
}

/** An entry as an earlier version of the app kept it: no request, no catalog entry. */
function withoutWhatTheProofIsBoundTo(entry: HistoryEntry): HistoryEntry {
  const { request: _, catalogEntry: _entry, ...sealed } = entry.sealed;
  return { ...entry, sealed };
}

/** Runs `computation` once, honestly served by `served`, and returns its history entry and what was shown. */
async function keptRun(computation: Computation, values: FormValues, served?: ServedComputation) {
  const service: Service = { bodies: [], answer: honestly };
  const { runs, deps } = setUp(service, served);
  const computed = await runs.run(computation, values);
  if (computed.outcome !== 'decrypted') throw new Error(`expected decrypted, got ${computed.outcome}`);
  const shown = computation.interpret(computed.outputs, values);
  const kept = runs.takeAnswer(computed.answerId);
  if (!kept) throw new Error('Nothing was kept for the history.');
  const again: DecryptAgainDependencies = {
    ...deps,
    trustedNow: async () => {
      throw new Error('An entry with its catalog entry needs no other computation.');
    },
  };
  return { entry: historyEntryOf(kept, values, shown), shown, service, deps: again };
}

/** The base64url text with one bit of its first byte changed. */
function withChangedByte(text: string): string {
  const bytes = base64UrlToBytes(text, 'test');
  bytes[0] = (bytes[0] as number) ^ 1;
  return bytesToBase64Url(bytes);
}

describe('decrypt again', () => {
  test('checks the kept proof again, then decrypts and interprets as the run did; nothing is sent', async () => {
    const { entry, shown, service, deps } = await keptRun(cha2ds2Vasc, VALUES);
    expect(await decryptAgain(entry, deps)).toEqual({ result: shown, proof: 'checked' });
    expect(service.bodies).toHaveLength(1);
  });

  test('a changed byte of the kept answer or of the kept request decrypts nothing', async () => {
    const { entry, deps } = await keptRun(cha2ds2Vasc, VALUES);
    const { request } = entry.sealed;
    const response = entry.sealed.response as EvaluateResponseV2;
    if (!request) throw new Error('The entry kept no request.');
    const [output, ciphertext] = Object.entries(response.outputs)[0] as [string, CiphertextWire];
    const [input, sent] = Object.entries(request.inputs)[0] as [string, CiphertextWire];
    const changedAnswers: unknown[] = [
      { ...response, proof: { ...response.proof, challenge: withChangedByte(response.proof.challenge) } },
      {
        ...response,
        outputs: { ...response.outputs, [output]: { ...ciphertext, b: withChangedByte(ciphertext.b) } },
      },
      { ...response, outputs: { ...response.outputs, [output]: forgedFrom(ciphertext) } },
    ];
    const changedRequests: EvaluateRequest[] = [
      { ...request, inputs: { ...request.inputs, [input]: { ...sent, a: withChangedByte(sent.a) } } },
      { ...request, inputs: { ...request.inputs, [input]: forgedFrom(sent) } },
    ];
    const changed = [
      ...changedAnswers.map((changedResponse) => ({ ...entry.sealed, response: changedResponse })),
      ...changedRequests.map((changedRequest) => ({ ...entry.sealed, request: changedRequest })),
    ];
    for (const sealed of changed) {
      await expect(decryptAgain({ ...entry, sealed }, deps)).rejects.toThrow(
        new VerificationError(
          'This result no longer proves itself: its answer or request was changed after it was computed. ' +
            'Nothing was decrypted.',
        ),
      );
    }
    // …and the entry as kept still decrypts.
    expect((await decryptAgain(entry, deps)).proof).toBe('checked');
  });

  test('an entry kept without its request decrypts, and says that its proof was not checked again', async () => {
    const { entry, shown, deps } = await keptRun(cha2ds2Vasc, VALUES);
    const old = withoutWhatTheProofIsBoundTo(entry);
    expect(isHistoryEntry(old)).toBe(true);
    expect(await decryptAgain(old, deps)).toEqual({ result: shown, proof: 'not-kept' });
  });

  describe('a private model the service serves at version 2 (a new commitment)', () => {
    const framingham = findComputation('framingham-2008') as Computation;
    const FRAMINGHAM_VALUES: FormValues = {
      sex: 'male',
      age: { value: 61, unit: 'years' },
      totalCholesterol: { value: 180, unit: 'mg/dL' },
      hdl: { value: 47, unit: 'mg/dL' },
      sbp: { value: 124, unit: 'mmHg' },
      treated: false,
      smoker: true,
      diabetes: true,
    };

    /** A valid ρ (42, little-endian: a nonzero scalar < ℓ) that is not the shipped version's. */
    const NEW_RHO = '2a'.padEnd(64, '0');

    /** Framingham's model files with version 2 and a new ρ, as `npm run model -- new-version` makes them. */
    function servedAtVersion2(): ServedComputation {
      const dir = mkdtempSync(join(tmpdir(), 'models-'));
      const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      const { id } = framingham;
      writeFileSync(
        publicModelFile(dir, id),
        JSON.stringify({ ...read(publicModelFile(DEFAULT_MODELS_DIR, id)), version: 2 }),
      );
      copyFileSync(privateModelFile(DEFAULT_MODELS_DIR, id), privateModelFile(dir, id));
      writeFileSync(
        privateModelFile(dir, id),
        JSON.stringify({ ...read(privateModelFile(dir, id)), version: 2, rho: NEW_RHO }),
      );
      const served = loadServedCatalog(dir).get(id);
      if (!served) throw new Error('The service would not serve version 2.');
      return served;
    }

    const served = servedAtVersion2();
    // What this device verifies version 2 against: the service's entry, as the app reads it.
    const version2 = describedComputation(
      JSON.parse(JSON.stringify(computationToWireV2(served.computation))),
    );
    const commitmentOf = (c: Computation) =>
      c.evaluation.kind === 'private-linear' ? c.evaluation.commitment : undefined;

    test('is found at version 2 with version 2’s declaration, not the shipped version 1, and decrypts', async () => {
      expect(version2.version).toBe(2);
      expect(commitmentOf(version2)).not.toBe(commitmentOf(framingham));
      const { entry, shown, deps } = await keptRun(version2, FRAMINGHAM_VALUES, served);
      expect(entry.computationVersion).toBe(2);
      // Whatever the device trusts now for the id (here the shipped version 1), the entry's own is used.
      const shippedNow = async () => framingham;
      const found = await keptComputation(entry, shippedNow);
      expect(found.version).toBe(2);
      expect(commitmentOf(found)).toBe(commitmentOf(version2));
      expect(await decryptAgain(entry, { ...deps, trustedNow: shippedNow })).toEqual({
        result: shown,
        proof: 'checked',
      });
    });

    test('the same answer read as version 1 does not verify', async () => {
      const { entry, deps } = await keptRun(version2, FRAMINGHAM_VALUES, served);
      const response = entry.sealed.response as EvaluateResponseV2;
      const catalogEntry = { ...entry.sealed.catalogEntry, version: 1 };
      const asVersion1: HistoryEntry = {
        ...entry,
        computationVersion: 1,
        sealed: { ...entry.sealed, catalogEntry, response: { ...response, version: 1 } },
      };
      await expect(decryptAgain(asVersion1, deps)).rejects.toThrow(VerificationError);
    });

    test('a kept catalog entry of another version than the entry’s is refused', async () => {
      const { entry, deps } = await keptRun(version2, FRAMINGHAM_VALUES, served);
      const catalogEntry = computationToWireV2(framingham);
      await expect(
        decryptAgain({ ...entry, sealed: { ...entry.sealed, catalogEntry } }, deps),
      ).rejects.toThrow(DeclarationRefusedError);
    });

    test('an entry kept without its catalog entry takes what the device trusts now only at the entry’s version', async () => {
      const { entry, shown, deps } = await keptRun(version2, FRAMINGHAM_VALUES, served);
      const old = withoutWhatTheProofIsBoundTo(entry);
      await expect(decryptAgain(old, { ...deps, trustedNow: async () => framingham })).rejects.toThrow(
        new DeclarationRefusedError(
          `This result was computed with ${framingham.title} version 2, which this device no longer has: ` +
            'it cannot be decrypted again.',
        ),
      );
      expect(await decryptAgain(old, { ...deps, trustedNow: async () => version2 })).toEqual({
        result: shown,
        proof: 'not-kept',
      });
    });
  });
});
