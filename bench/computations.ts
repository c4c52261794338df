/**
 * Per computation, end to end in one process: client encode+encrypt → service evaluate (validation,
 * homomorphic evaluation, re-randomization) → client verify+decrypt+decode+interpret; bytes on the wire.
 * The same computations (their own `evaluate` code) with each peer scheme, for the side-by-side table.
 */

import { evaluateAndProve, evaluateRequest } from '../server/evaluation.js';
import { loadServedCatalog, type ServedComputation } from '../server/served-catalog.js';
import { AdditiveDecoder } from '../shared/additive-decoder.js';
import {
  encryptInputs,
  type GroupKeyPair,
  generateGroupKeyPair,
  verifyAndDecryptOutputs,
} from '../shared/client.js';
import { additiveDecodingTableWidth, COMPUTATIONS } from '../shared/computations/catalog.js';
import type { Ciphertexts, Computation, FormValues } from '../shared/computations/computation.js';
import type { Ciphertext } from '../shared/elgamal.js';
import { ristretto255SodiumGroup } from '../shared/groups/ristretto255-sodium.js';
import { honestResponseBits } from '../shared/proofs/proof-scalars.js';
import { type Backends, withScheme } from '../shared/scheme.js';
import { publicKeyFromWire } from '../shared/wire.js';
import { measure, type Timing } from './measure.js';
import {
  bfv,
  decryptWithPeer,
  elgamal512,
  encryptWithPeer,
  evaluateWithPeer,
  liftAdditive,
  liftMultiplicative,
  type PeerScheme,
  type PeerService,
  paillier3072,
} from './peers.js';

/** A representative patient per computation (the timings do not depend on the values). */
export const SAMPLE_FORMS: Readonly<Record<string, FormValues>> = {
  bmi: { weight: { value: 83.7, unit: 'kg' }, height: { value: 176.4, unit: 'cm' } },
  'cha2ds2-vasc': {
    age: { value: 71, unit: 'years' },
    sex: 'female',
    chf: false,
    hypertension: true,
    diabetes: true,
    stroke: false,
    vascular: false,
  },
  'framingham-2008': {
    sex: 'male',
    age: { value: 58, unit: 'years' },
    totalCholesterol: { value: 221, unit: 'mg/dL' },
    hdl: { value: 44, unit: 'mg/dL' },
    sbp: { value: 138, unit: 'mmHg' },
    treated: true,
    smoker: false,
    diabetes: false,
  },
  'cockcroft-gault': {
    age: { value: 67, unit: 'years' },
    sex: 'female',
    weight: { value: 72.5, unit: 'kg' },
    creatinine: { value: 1.1, unit: 'mg/dL' },
  },
  // A full month: the request carries all 31 slots whatever the count, so this is every request's cost.
  'readings-summary': {
    measure: 'glucose',
    readings: Array.from({ length: 31 }, (_, i) => 95 + ((i * 7) % 40)),
    lastDay: '2026-11-30',
  },
};

export interface ComputationResult {
  readonly scheme: string;
  readonly id: string;
  readonly group: string;
  readonly encrypt: Timing;
  readonly evaluate: Timing;
  /** Sealed Vitals only: the v2 evaluation with its proof (`evaluate` is v1's, without). */
  readonly evaluateWithProof?: Timing;
  /** Sealed Vitals: verification, decryption and decoding; peers: decryption and decoding. */
  readonly decrypt: Timing;
  /** Sealed Vitals only: the proof's bytes (challenge and responses, decoded). */
  readonly proofBytes?: number;
  readonly requestBytes: number;
  readonly responseBytes: number;
  /** What the patient is shown, to check every scheme computed the same thing. */
  readonly value: number;
}

const utf8Length = (text: string) => Buffer.byteLength(text, 'utf8');

export function sampleForm(computation: Computation): FormValues {
  const form = SAMPLE_FORMS[computation.id];
  if (!form) throw new Error(`No sample form for ${computation.id}: add one to bench/computations.ts.`);
  return form;
}

/**
 * The client as the web worker runs it: ristretto255 on libsodium's WASM build (web/crypto/backends.ts),
 * and the fixed-base tables for g and the public key that the worker builds while a form is filled in
 * (web/crypto/prepare.ts).
 */
const CLIENT_BACKENDS: Backends = { ristretto255: ristretto255SodiumGroup };
/** The worker's decoder, its table kept from one computation to the next. */
const CLIENT_DECODER = new AdditiveDecoder();

/** As the web worker's prepare step: tables for g and the key, long enough for the proofs' responses. */
function prepareClient(key: GroupKeyPair): void {
  withScheme(
    key.group,
    ({ group }) => {
      const bits = group.name === 'ristretto255' ? undefined : honestResponseBits(group.name);
      group.prepareBase?.(group.generator, bits);
      group.prepareBase?.(publicKeyFromWire(group, key.publicKey), bits);
    },
    CLIENT_BACKENDS,
  );
}

/** A computation and the patient whose values a benchmark sends for it. */
export interface Sample {
  readonly computation: Computation;
  readonly form: FormValues;
}

/** Every computation the app ships, with its sample patient. */
export function catalogSamples(): Sample[] {
  return COMPUTATIONS.map((computation) => ({ computation, form: sampleForm(computation) }));
}

/** Sealed Vitals itself: every computation in the catalog. */
export function benchComputations(): ComputationResult[] {
  return catalogSamples().map((sample) => benchComputation(sample, servedComputation(sample.computation)));
}

/** One computation end to end, the service's side from `served` (what a `MODELS_DIR` loads, say). */
export function benchComputation(
  { computation, form }: Sample,
  served: ServedComputation,
): ComputationResult {
  // The baby-step table a browser has once its worker built or adopted it (web/crypto/decoder-warmup.ts).
  CLIENT_DECODER.prepare(
    additiveDecodingTableWidth([...COMPUTATIONS, served.computation]),
    Number.POSITIVE_INFINITY,
  );
  const key = generateGroupKeyPair(computation.group);
  prepareClient(key);
  const encrypt = () => encryptInputs(computation, key, computation.encodeInputs(form), CLIENT_BACKENDS);
  const request = encrypt();
  const requestJson = JSON.stringify(request);
  const proved = evaluateAndProve(served, request);
  const responseJson = JSON.stringify(proved);
  const clientSide = () =>
    computation.interpret(
      verifyAndDecryptOutputs(
        computation,
        key,
        request,
        JSON.parse(responseJson),
        CLIENT_BACKENDS,
        undefined,
        CLIENT_DECODER,
      ),
      form,
    );
  const proofBytes = [proved.proof.challenge, ...proved.proof.responses].reduce(
    (sum, text) => sum + Buffer.from(text, 'base64url').length,
    0,
  );
  return {
    scheme: 'Sealed Vitals',
    id: computation.id,
    group: computation.group,
    encrypt: measure(() => JSON.stringify(encrypt())),
    evaluate: measure(() => JSON.stringify(evaluateRequest(served, JSON.parse(requestJson)))),
    evaluateWithProof: measure(() => JSON.stringify(evaluateAndProve(served, JSON.parse(requestJson)))),
    decrypt: measure(clientSide),
    proofBytes,
    requestBytes: utf8Length(requestJson),
    responseBytes: utf8Length(responseJson),
    value: clientSide().value,
  };
}

/** The computation's own evaluation, over the peer's operations (or why the peer cannot run it). */
function peerEvaluation<C>(
  scheme: PeerScheme<C>,
  computation: Computation,
): (service: PeerService<C>, inputs: Ciphertexts<C>) => Ciphertexts<C> {
  const { matrix } = servedComputation(computation);
  return (service, inputs) => {
    const terms = (j: number) =>
      computation.inputs
        .map((input, i) => [inputs[input.name] as Ciphertext<C>, matrix.coefficients[j]?.[i] ?? 0n] as const)
        .filter(([, c]) => c !== 0n);
    if (computation.scheme === 'multiplicative') {
      if (!service.multiplicative) throw new Error(`${scheme.name} cannot multiply ciphertexts.`);
      const ops = liftMultiplicative(service.multiplicative);
      return Object.fromEntries(
        computation.outputs.map((output, j) => {
          const powers = terms(j).map(([c, e]) => (e === 1n ? c : ops.power(c, e)));
          const product = powers.reduce((x, y) => ops.multiply(x, y));
          return [output.name, ops.multiplyByConstant(product, matrix.constants[j] ?? 1n)];
        }),
      );
    }
    if (!service.additive) throw new Error(`${scheme.name} cannot add ciphertexts.`);
    const ops = liftAdditive(service.additive);
    return Object.fromEntries(
      computation.outputs.map((output, j) => {
        const sum = ops.weightedSum(terms(j));
        const constant = matrix.constants[j] ?? 0n;
        return [output.name, constant === 0n ? sum : ops.addConstant(sum, constant)];
      }),
    );
  };
}

const servedCatalog = loadServedCatalog();

/** What the service evaluates a computation from: its declaration, or its private model. */
function servedComputation(computation: Computation): ServedComputation {
  const served = servedCatalog.get(computation.id);
  if (!served) throw new Error(`The service does not serve ${computation.id}.`);
  return served;
}

/** One computation with one peer; fewer runs, since a peer's phase can take seconds. */
function benchWithPeer<C>(scheme: PeerScheme<C>, computation: Computation): ComputationResult {
  const form = sampleForm(computation);
  const timing = { warmup: 1, minRuns: 3, minMs: 200 };
  const evaluate = peerEvaluation(scheme, computation);
  const requestJson = encryptWithPeer(scheme, computation.encodeInputs(form));
  const responseJson = evaluateWithPeer(scheme, requestJson, evaluate);
  const clientSide = () => computation.interpret(decryptWithPeer(scheme, responseJson), form);
  return {
    scheme: scheme.name,
    id: computation.id,
    group: scheme.name,
    encrypt: measure(() => encryptWithPeer(scheme, computation.encodeInputs(form)), timing),
    evaluate: measure(() => evaluateWithPeer(scheme, requestJson, evaluate), timing),
    decrypt: measure(clientSide, timing),
    requestBytes: utf8Length(requestJson),
    responseBytes: utf8Length(responseJson),
    value: clientSide().value,
  };
}

export interface PeerKeys {
  readonly scheme: string;
  readonly keygenMs?: number;
  readonly publicKeyBytes: number;
  readonly evaluationKeyBytes?: number;
}

/**
 * Every computation each peer can run: Paillier and BFV-4096 the additive ones, BFV-8192 BMI (see
 * `bfv` for why not Cockcroft–Gault), ElGamal-512 the multiplicative ones. Each result is checked against ours: the same value or the run fails.
 */
export async function benchPeers(ours: readonly ComputationResult[]): Promise<{
  results: ComputationResult[];
  keys: PeerKeys[];
}> {
  const results: ComputationResult[] = [];
  const keys: PeerKeys[] = [];
  const run = <C>(scheme: PeerScheme<C> & { keygenMs?: number }, computations: readonly Computation[]) => {
    keys.push({
      scheme: scheme.name,
      ...(scheme.keygenMs === undefined ? {} : { keygenMs: scheme.keygenMs }),
      publicKeyBytes: utf8Length(scheme.publicKeyWire),
      ...(scheme.evaluationKeyBytes === undefined ? {} : { evaluationKeyBytes: scheme.evaluationKeyBytes }),
    });
    for (const computation of computations) {
      const result = benchWithPeer(scheme, computation);
      const reference = ours.find((r) => r.id === computation.id)?.value;
      if (reference === undefined || Math.abs(result.value - reference) > 1e-9 * Math.abs(reference)) {
        throw new Error(
          `${scheme.name} computed ${result.value} for ${computation.id}; we computed ${reference}.`,
        );
      }
      results.push(result);
    }
  };
  const additive = COMPUTATIONS.filter((c) => c.scheme === 'additive');
  const multiplicative = COMPUTATIONS.filter((c) => c.scheme === 'multiplicative');
  run(await paillier3072(), additive);
  run(await bfv('additive'), additive);
  run(
    await bfv('multiplicative'),
    multiplicative.filter((c) => c.id === 'bmi'),
  );
  run(elgamal512(), multiplicative);
  return { results, keys };
}
