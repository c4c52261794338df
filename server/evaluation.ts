/**
 * The service's whole job, on ciphertexts only: check the request against the catalog entry,
 * validate every element, evaluate, and re-randomize every output.
 */

import type {
  AdditiveComputation,
  Ciphertexts,
  Computation,
  PrivateModelComputation,
} from '../shared/computations/computation.js';
import { type Ciphertext, rerandomize } from '../shared/elgamal.js';
import { ProtocolError } from '../shared/errors.js';
import { opensslFfdheGroup } from '../shared/groups/ffdhe-openssl.js';
import type { Group } from '../shared/groups/group.js';
import { ristretto255NativeGroup } from '../shared/groups/ristretto255-native.js';
import { ristretto255SodiumGroup } from '../shared/groups/ristretto255-sodium.js';
import { additiveOps, multiplicativeOps, publicAdditiveOps } from '../shared/homomorphic.js';
import {
  type CiphertextWire,
  ciphertextFromWire,
  ciphertextToWire,
  type EvaluateRequest,
  type EvaluateResponse,
  publicKeyFromWire,
} from '../shared/wire.js';
import { type AdditiveEvaluation, PRIVATE_MODELS } from './models/index.js';

/**
 * libsodium's ristretto255, 4–15× faster per operation than noble here (docs/PERFORMANCE.md): in C
 * where the optional addon was built at install (scalar multiplication 2.5× faster than WASM, and a
 * private model needs dozens per request), else its WASM build. Same group, same bytes on the wire.
 */
const ristretto255 = ristretto255NativeGroup ?? ristretto255SodiumGroup;
/** For the start-up log: npm hides the addon's build output, so this is where a fallback shows. */
export const RISTRETTO255_BACKEND = ristretto255NativeGroup
  ? 'libsodium in C (native addon)'
  : "libsodium's WASM build (native addon not built: apt-get install libsodium-dev, then npm rebuild @sealed-vitals/ristretto255-native)";

export function evaluateRequest(computation: Computation, request: EvaluateRequest): EvaluateResponse {
  return respond(computation, request, { rerandomizeOutputs: true });
}

/**
 * The bare homomorphic result, as it would be without re-randomization: only for the test that shows
 * re-randomization hides it. Never sent to a client.
 */
export function evaluateWithoutRerandomizing(
  computation: Computation,
  request: EvaluateRequest,
): EvaluateResponse {
  return respond(computation, request, { rerandomizeOutputs: false });
}

/** The service's evaluation of an additive computation: its own, or the private model kept here. */
export function additiveEvaluation(
  computation: AdditiveComputation | PrivateModelComputation,
): AdditiveEvaluation {
  if (!('privateModel' in computation)) return (ops, inputs) => computation.evaluate(ops, inputs);
  const model = PRIVATE_MODELS.get(computation.id);
  if (!model) throw new Error(`No private model is installed for ${computation.id}.`);
  return model;
}

function respond(
  computation: Computation,
  request: EvaluateRequest,
  options: { rerandomizeOutputs: boolean },
): EvaluateResponse {
  if (request.publicKey.group !== computation.group) {
    throw new ProtocolError(
      'group-mismatch',
      `${computation.id} is computed in ${computation.group}; the public key is for ${request.publicKey.group}.`,
    );
  }
  checkInputNames(computation, request.inputs);
  let outputs: Record<string, CiphertextWire>;
  if (computation.scheme === 'multiplicative') {
    // OpenSSL's modular exponentiation: ~5× BigInt's for re-randomization's y^r (docs/PERFORMANCE.md).
    const group = opensslFfdheGroup(computation.group);
    outputs = evaluateOver(group, request, options, (inputs) =>
      computation.evaluate(multiplicativeOps(group), inputs),
    );
  } else {
    const evaluate = additiveEvaluation(computation);
    const group = ristretto255;
    // A private model's weights are secret: constant-time. A catalog computation's are published.
    const ops = 'privateModel' in computation ? additiveOps(group) : publicAdditiveOps(group);
    outputs = evaluateOver(group, request, options, (inputs) => evaluate(ops, inputs));
  }
  return { computation: computation.id, version: computation.version, outputs };
}

function checkInputNames(computation: Computation, inputs: Readonly<Record<string, unknown>>): void {
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
  group: Group<E>,
  request: EvaluateRequest,
  { rerandomizeOutputs }: { rerandomizeOutputs: boolean },
  evaluate: (inputs: Ciphertexts<E>) => Ciphertexts<E>,
): Record<string, CiphertextWire> {
  const y = publicKeyFromWire(group, request.publicKey);
  const inputs: Record<string, Ciphertext<E>> = {};
  for (const [name, wire] of Object.entries(request.inputs)) {
    inputs[name] = ciphertextFromWire(group, wire, `inputs.${name}`);
  }
  const outputs: Record<string, CiphertextWire> = {};
  for (const [name, ciphertext] of Object.entries(evaluate(inputs))) {
    outputs[name] = ciphertextToWire(
      group,
      rerandomizeOutputs ? rerandomize(group, y, ciphertext) : ciphertext,
    );
  }
  return outputs;
}
