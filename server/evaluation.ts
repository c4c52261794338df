/**
 * The service's whole job, on ciphertexts only: check the request against the catalog entry,
 * validate every element, evaluate from the declaration (one generic evaluator per kind),
 * re-randomize every output with a fresh secret sⱼ and, for v2, prove that the outputs are exactly
 * the declared function of the request's own ciphertexts (shared/proofs/).
 */

import { declaredShape } from '../shared/computations/computation.js';
import type { Ciphertext } from '../shared/elgamal.js';
import { ProtocolError } from '../shared/errors.js';
import { evaluateDeclared } from '../shared/evaluation.js';
import type { FfdheGroup } from '../shared/groups/ffdhe.js';
import type { Group } from '../shared/groups/group.js';
import { scalarMulAddConstantTime } from '../shared/groups/ristretto255-sodium.js';
import { type Answer, proveAnswer } from '../shared/proofs/answer-proof.js';
import type { Respond } from '../shared/proofs/sigma.js';
import { type PlaintextScheme, withScheme } from '../shared/scheme.js';
import {
  bytesToBase64Url,
  type CiphertextWire,
  ciphertextFromWire,
  ciphertextToWire,
  type EvaluateRequest,
  type EvaluateResponse,
  type EvaluateResponseV2,
  publicKeyFromWire,
} from '../shared/wire.js';
import { opensslFfdheGroup, RISTRETTO255 } from './groups.js';
import type { ServedComputation } from './served-catalog.js';

/** v1: the re-randomized outputs. */
export function evaluateRequest(served: ServedComputation, request: EvaluateRequest): EvaluateResponse {
  return evaluate(served, request, false);
}

/** v2: the same, with the proof. */
export function evaluateAndProve(served: ServedComputation, request: EvaluateRequest): EvaluateResponseV2 {
  return evaluate(served, request, true) as EvaluateResponseV2;
}

/** ffdhe responses are over the integers (short exponents, proof-scalars.ts); ristretto255's mod ℓ. */
const respondOverIntegers: Respond = (k, e, w) => k + e * w;

function evaluate(
  served: ServedComputation,
  request: EvaluateRequest,
  withProof: boolean,
): EvaluateResponse | EvaluateResponseV2 {
  const { computation } = served;
  if (request.publicKey.group !== computation.group) {
    throw new ProtocolError(
      'group-mismatch',
      `${computation.id} is computed in ${computation.group}; the public key is for ${request.publicKey.group}.`,
    );
  }
  checkInputNames(served, request.inputs);
  const backends = computation.group === 'ristretto255' ? { ristretto255: RISTRETTO255 } : {};
  return withScheme(
    computation.group,
    (scheme) => {
      // OpenSSL's modular exponentiation for ffdhe: several times BigInt's (docs/PERFORMANCE.md).
      const service = computation.scheme === 'multiplicative' ? opensslScheme(scheme) : scheme;
      return evaluateOver(service, served, request, withProof);
    },
    backends,
  );
}

function opensslScheme<E>(scheme: PlaintextScheme<E>): PlaintextScheme<E> {
  return {
    ...scheme,
    group: opensslFfdheGroup(scheme.group.name as FfdheGroup['name']) as unknown as Group<E>,
  };
}

function checkInputNames(served: ServedComputation, inputs: Readonly<Record<string, unknown>>): void {
  const { computation } = served;
  const expected = computation.inputs.map((i) => i.name);
  const missing = expected.filter((name) => !Object.hasOwn(inputs, name));
  if (missing.length > 0) {
    throw new ProtocolError('missing-input', `${computation.id} needs the input(s): ${missing.join(', ')}.`);
  }
  const unexpected = Object.keys(inputs).filter((name) => !expected.includes(name));
  if (unexpected.length > 0) {
    throw new ProtocolError(
      'unexpected-input',
      `${computation.id} takes only ${expected.join(', ')}; remove: ${unexpected.join(', ')}.`,
    );
  }
}

function evaluateOver<E>(
  scheme: PlaintextScheme<E>,
  served: ServedComputation,
  request: EvaluateRequest,
  withProof: boolean,
): EvaluateResponse | EvaluateResponseV2 {
  const { group } = scheme;
  const { computation, matrix, model } = served;
  const shape = declaredShape(computation);
  const y = publicKeyFromWire(group, request.publicKey);
  const inputs = shape.inputs.map((name) =>
    ciphertextFromWire(group, request.inputs[name] as CiphertextWire, `inputs.${name}`),
  );

  const declared = evaluateDeclared(group, computation.evaluation.kind, matrix, inputs);
  const secrets = declared.map(() => group.randomSecretExponent());
  const outputs = declared.map((d, j) => {
    const s = secrets[j] as bigint;
    return { a: group.multiply(d.a, group.powGenerator(s)), b: group.multiply(d.b, group.pow(y, s)) };
  });

  const response: EvaluateResponse = {
    computation: computation.id,
    version: computation.version,
    outputs: Object.fromEntries(
      shape.outputs.map((name, j) => [name, ciphertextToWire(group, outputs[j] as Ciphertext<E>)]),
    ),
  };
  if (!withProof) return response;

  const answer: Answer<E> = {
    scheme,
    id: computation.id,
    version: computation.version,
    shape,
    publicKey: y,
    inputs,
    outputs,
  };
  const witness = model
    ? [...matrix.coefficients.flat(), ...matrix.constants, model.rho, ...secrets]
    : secrets;
  const respond = group.name === 'ristretto255' ? scalarMulAddConstantTime : respondOverIntegers;
  const proof = proveAnswer(answer, served.statement, witness, respond);
  return {
    ...response,
    proof: { challenge: bytesToBase64Url(proof.challenge), responses: proof.responses.map(bytesToBase64Url) },
  };
}
