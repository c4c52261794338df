/**
 * The patient's side of the protocol, on the device: key pairs, encrypting a computation's inputs
 * into a request, and checking then decrypting the service's response.
 */

import type { AdditiveDecoder } from './additive-decoder.js';
import { type Computation, declaredShape, type Plaintexts } from './computations/computation.js';
import { type DeclaredShape, declaredMatrix } from './declaration.js';
import { type Ciphertext, decryptElement, encryptElement, generateKeyPair } from './elgamal.js';
import { ProtocolError, ServiceResponseError, VerificationError } from './errors.js';
import { evaluateDeclared } from './evaluation.js';
import type { Group, GroupName } from './groups/group.js';
import { type Answer, declaredStatement, verifyAnswer } from './proofs/answer-proof.js';
import { publicMsm } from './proofs/msm.js';
import { type ProofBytes, proofFromWire } from './proofs/proof-wire.js';
import { isRecord } from './records.js';
import { type Backends, type PlaintextScheme, schemeOf, withScheme } from './scheme.js';
import {
  type CiphertextWire,
  ciphertextFromWire,
  ciphertextToWire,
  type EvaluateRequest,
  type PublicKeyWire,
  publicKeyFromWire,
  publicKeyToWire,
} from './wire.js';

/** One group's key pair as the device keeps it. `privateKey` never leaves the device. */
export interface GroupKeyPair {
  readonly group: GroupName;
  readonly privateKey: bigint;
  readonly publicKey: PublicKeyWire;
}

export function generateGroupKeyPair(group: GroupName): GroupKeyPair {
  return withScheme(group, ({ group: g }) => {
    const { x, y } = generateKeyPair(g);
    return { group, privateKey: x, publicKey: publicKeyToWire(g, y) };
  });
}

/** What encryption needs: the public half only, so a caller need not unlock the private key for it. */
export type GroupPublicKey = Pick<GroupKeyPair, 'group' | 'publicKey'>;

function requireKeyFor(computation: Computation, key: GroupPublicKey): void {
  if (key.group !== computation.group) {
    throw new RangeError(`${computation.id} needs a ${computation.group} key, not ${key.group}.`);
  }
}

/** Encrypts every input of the computation under the patient's public key. */
export function encryptInputs(
  computation: Computation,
  key: GroupPublicKey,
  plaintexts: Plaintexts,
  backends: Backends = {},
): EvaluateRequest {
  requireKeyFor(computation, key);
  return schemeOf(
    computation,
    (scheme) => {
      const y = publicKeyFromWire(scheme.group, key.publicKey);
      const inputs: Record<string, CiphertextWire> = {};
      for (const spec of computation.inputs) {
        const m = plaintexts[spec.name];
        if (m === undefined || m < BigInt(spec.min) || m > BigInt(spec.max)) {
          throw new RangeError(`Input ${spec.name} is missing or outside its declared range.`);
        }
        inputs[spec.name] = ciphertextToWire(scheme.group, encryptElement(scheme.group, y, scheme.encode(m)));
      }
      return { publicKey: key.publicKey, inputs };
    },
    backends,
  );
}

/**
 * The protocol-v2 client's check of an untrusted answer (spec v2: "What a client does with an
 * answer"): v1's checks, the proof decoded strictly and verified against `computation.evaluation`
 * (the declaration this device trusts, never the one the service shows) for exactly `request`, and
 * only then decryption. Throws `VerificationError` before decrypting anything, or `DecodeRangeError`.
 * `decoder`: the caller's, whose table later decodes reuse (without one, a table for this call only).
 */
export function verifyAndDecryptOutputs(
  computation: Computation,
  key: GroupKeyPair,
  request: EvaluateRequest,
  response: unknown,
  backends: Backends = {},
  /** Called once the proof has verified, before decryption starts (for the transcript's timings). */
  onVerified: () => void = () => undefined,
  decoder?: AdditiveDecoder,
): Plaintexts {
  requireKeyFor(computation, key);
  let outputs: Record<string, unknown>;
  let proof: ProofBytes;
  try {
    outputs = checkResponseShape(computation, response);
    proof = proofFromWire((response as Record<string, unknown>).proof);
  } catch (error) {
    if (error instanceof ServiceResponseError) throw VerificationError.because(error.message);
    throw error;
  }
  return schemeOf(
    computation,
    (scheme) => {
      const answer = untrustedAnswer(scheme, computation, request, outputs);
      if (!verifyAnswerAgainst(computation, answer, proof)) {
        throw VerificationError.because('the proof does not match this request and the declared computation');
      }
      onVerified();
      return decryptChecked(scheme, computation, key, answer.outputs);
    },
    backends,
    decoder,
  );
}

/**
 * Decrypts an answer this device verified when it arrived and kept (its history): v1's checks, no
 * proof. Never for an answer straight from the service: that is `verifyAndDecryptOutputs`. `decoder`
 * as there.
 */
export function decryptOutputs(
  computation: Computation,
  key: GroupKeyPair,
  response: unknown,
  backends: Backends = {},
  decoder?: AdditiveDecoder,
): Plaintexts {
  requireKeyFor(computation, key);
  const outputs = checkResponseShape(computation, response);
  return schemeOf(
    computation,
    (scheme) =>
      decryptChecked(
        scheme,
        computation,
        key,
        computation.outputs.map((spec) =>
          untrustedCiphertext(scheme.group, outputs[spec.name] as CiphertextWire, spec.name),
        ),
      ),
    backends,
    decoder,
  );
}

function decryptChecked<E>(
  scheme: PlaintextScheme<E>,
  computation: Computation,
  key: GroupKeyPair,
  ciphertexts: readonly Ciphertext<E>[],
): Plaintexts {
  const plaintexts: Record<string, bigint> = {};
  computation.outputs.forEach((spec, j) => {
    const element = decryptElement(scheme.group, key.privateKey, ciphertexts[j] as Ciphertext<E>);
    const range = { min: BigInt(spec.min), max: BigInt(spec.max) };
    const likely = spec.likely === undefined ? undefined : BigInt(spec.likely);
    plaintexts[spec.name] = scheme.decode(element, range, likely);
  });
  return plaintexts;
}

/** The request (this device's own) and the answer's outputs as elements, in catalog order. */
function untrustedAnswer<E>(
  scheme: PlaintextScheme<E>,
  computation: Computation,
  request: EvaluateRequest,
  outputs: Record<string, unknown>,
): Answer<E> {
  const shape = declaredShape(computation);
  try {
    return answerOf(scheme, computation, shape, request, outputs);
  } catch (error) {
    if (error instanceof ProtocolError) throw VerificationError.because(error.detail);
    throw error;
  }
}

function answerOf<E>(
  scheme: PlaintextScheme<E>,
  computation: Computation,
  shape: DeclaredShape,
  request: EvaluateRequest,
  outputs: Record<string, unknown>,
): Answer<E> {
  const { group } = scheme;
  return {
    scheme,
    id: computation.id,
    version: computation.version,
    shape,
    publicKey: publicKeyFromWire(group, request.publicKey),
    inputs: shape.inputs.map((name) =>
      ciphertextFromWire(group, request.inputs[name] as CiphertextWire, `inputs.${name}`),
    ),
    outputs: shape.outputs.map((name) =>
      ciphertextFromWire(group, outputs[name] as CiphertextWire, `outputs.${name}`),
    ),
  };
}

function verifyAnswerAgainst<E>(computation: Computation, answer: Answer<E>, proof: ProofBytes): boolean {
  const { evaluation } = computation;
  const { group } = answer.scheme;
  if (evaluation.kind === 'private-linear') {
    return verifyAnswer(answer, declaredStatement(evaluation, undefined), undefined, proof, publicMsm(group));
  }
  const matrix = declaredMatrix(evaluation, answer.shape);
  const declared = evaluateDeclared(group, evaluation.kind, matrix, answer.inputs);
  return verifyAnswer(answer, declaredStatement(evaluation, matrix), declared, proof, publicMsm(group));
}

function untrustedCiphertext<E>(group: Group<E>, wire: CiphertextWire, name: string): Ciphertext<E> {
  try {
    return ciphertextFromWire(group, wire, `outputs.${name}`);
  } catch (error) {
    if (error instanceof ProtocolError)
      throw new ServiceResponseError(`The service's answer is invalid: ${error.detail}`);
    throw error;
  }
}

function checkResponseShape(computation: Computation, response: unknown): Record<string, unknown> {
  const fail = (why: string) =>
    new ServiceResponseError(`The service's answer is not a valid result: ${why}.`);
  if (!isRecord(response)) throw fail('not a JSON object');
  if (response.computation !== computation.id || response.version !== computation.version) {
    throw fail(`it is for ${String(response.computation)} v${String(response.version)}`);
  }
  const { outputs } = response;
  if (!isRecord(outputs)) throw fail('no outputs');
  const expected = computation.outputs.map((o) => o.name);
  const names = Object.keys(outputs);
  if (names.length !== expected.length || !expected.every((name) => names.includes(name))) {
    throw fail(`outputs are ${names.join(', ') || 'none'}, expected ${expected.join(', ')}`);
  }
  for (const name of expected) {
    const c = outputs[name];
    if (!isRecord(c) || typeof c.a !== 'string' || typeof c.b !== 'string' || Object.keys(c).length !== 2) {
      throw fail(`output ${name} is not a ciphertext`);
    }
  }
  return outputs;
}
