/**
 * The service's whole job, on ciphertexts only: check the request against the catalog entry,
 * validate every element, evaluate, and re-randomize every output.
 */

import type { Ciphertexts, Computation } from '../shared/computations/computation.js';
import { type Ciphertext, rerandomize } from '../shared/elgamal.js';
import { ProtocolError } from '../shared/errors.js';
import type { Group } from '../shared/groups/group.js';
import { ffdheGroup, ristretto255Group } from '../shared/groups/index.js';
import { additiveOps, multiplicativeOps } from '../shared/homomorphic.js';
import {
  type CiphertextWire,
  ciphertextFromWire,
  ciphertextToWire,
  type EvaluateRequest,
  type EvaluateResponse,
  publicKeyFromWire,
} from '../shared/wire.js';

export function evaluateRequest(computation: Computation, request: EvaluateRequest): EvaluateResponse {
  if (request.publicKey.group !== computation.group) {
    throw new ProtocolError(
      'group-mismatch',
      `${computation.id} is computed in ${computation.group}; the public key is for ${request.publicKey.group}.`,
    );
  }
  checkInputNames(computation, request.inputs);
  const outputs =
    computation.scheme === 'multiplicative'
      ? evaluateOver(ffdheGroup(computation.group), request, (inputs) =>
          computation.evaluate(multiplicativeOps(ffdheGroup(computation.group)), inputs),
        )
      : evaluateOver(ristretto255Group, request, (inputs) =>
          computation.evaluate(additiveOps(ristretto255Group), inputs),
        );
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
  evaluate: (inputs: Ciphertexts<E>) => Ciphertexts<E>,
): Record<string, CiphertextWire> {
  const y = publicKeyFromWire(group, request.publicKey);
  const inputs: Record<string, Ciphertext<E>> = {};
  for (const [name, wire] of Object.entries(request.inputs)) {
    inputs[name] = ciphertextFromWire(group, wire, `inputs.${name}`);
  }
  const outputs: Record<string, CiphertextWire> = {};
  for (const [name, ciphertext] of Object.entries(evaluate(inputs))) {
    outputs[name] = ciphertextToWire(group, rerandomize(group, y, ciphertext));
  }
  return outputs;
}
