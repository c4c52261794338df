/**
 * The patient's side of the protocol, on the device: key pairs, encrypting a computation's inputs
 * into a request, and checking then decrypting the service's response.
 */

import type { Computation, Plaintexts } from './computations/computation.js';
import { type Ciphertext, decryptElement, encryptElement, generateKeyPair } from './elgamal.js';
import { ProtocolError, ServiceResponseError } from './errors.js';
import type { Group, GroupName } from './groups/group.js';
import { type Backends, schemeOf, withScheme } from './scheme.js';
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
 * Checks an untrusted response (shape, names, every element) before decrypting anything, then
 * decodes each output within its declared range. Throws `ServiceResponseError` or `DecodeRangeError`.
 */
export function decryptOutputs(
  computation: Computation,
  key: GroupKeyPair,
  response: unknown,
  backends: Backends = {},
): Plaintexts {
  requireKeyFor(computation, key);
  const outputs = checkResponseShape(computation, response);
  return schemeOf(
    computation,
    (scheme) => {
      const plaintexts: Record<string, bigint> = {};
      for (const spec of computation.outputs) {
        const ciphertext = untrustedCiphertext(scheme.group, outputs[spec.name] as CiphertextWire, spec.name);
        const element = decryptElement(scheme.group, key.privateKey, ciphertext);
        const range = { min: BigInt(spec.min), max: BigInt(spec.max) };
        const likely = spec.likely === undefined ? undefined : BigInt(spec.likely);
        plaintexts[spec.name] = scheme.decode(element, range, likely);
      }
      return plaintexts;
    },
    backends,
  );
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
