/**
 * The protocol's JSON (spec: "HTTP API"): its types, and the only place bytes meet JSON. The schemas
 * the service validates bodies with are in wire-schemas.ts, the types here are theirs, and the web
 * client builds bodies from them.
 */

import { base64urlnopad } from '@scure/base';
import type { Ciphertext } from './elgamal.js';
import { ProtocolError } from './errors.js';
import type { Group } from './groups/group.js';
import type { CiphertextWire, PublicKeyWire } from './wire-schemas.js';

/** The readings summary needs 93 (31 readings, each with its square in two parts). */
export const MAX_INPUTS = 128;

export type {
  CatalogResponse,
  CatalogResponseV2,
  CiphertextWire,
  ComputationV2Wire,
  ComputationWire,
  EvaluateRequest,
  EvaluateResponse,
  EvaluateResponseV2,
  Problem,
  ProofWire,
  PublicKeyWire,
} from './wire-schemas.js';

export function bytesToBase64Url(bytes: Uint8Array): string {
  return base64urlnopad.encode(bytes);
}

/** Strict RFC 4648 §5 without padding: rejects '=', other alphabets and non-zero trailing bits. */
export function base64UrlToBytes(text: string, where: string): Uint8Array {
  try {
    return base64urlnopad.decode(text);
  } catch {
    throw new ProtocolError('invalid-encoding', `${where} is not unpadded base64url (RFC 4648 §5).`);
  }
}

export function elementToWire<E>(group: Group<E>, element: E): string {
  return bytesToBase64Url(group.toBytes(element));
}

/** Decodes and validates an untrusted element; `where` names its place in the body for the error. */
export function elementFromWire<E>(group: Group<E>, text: string, where: string): E {
  const bytes = base64UrlToBytes(text, where);
  try {
    return group.fromBytes(bytes);
  } catch (error) {
    if (error instanceof ProtocolError) throw new ProtocolError(error.code, `${where}: ${error.detail}`);
    throw error;
  }
}

function nonIdentityFromWire<E>(group: Group<E>, text: string, where: string): E {
  const element = elementFromWire(group, text, where);
  if (group.equals(element, group.identity)) {
    throw new ProtocolError('invalid-element', `${where} must not be the identity element.`);
  }
  return element;
}

export function publicKeyToWire<E>(group: Group<E>, y: E): PublicKeyWire {
  return { group: group.name, y: elementToWire(group, y) };
}

export function publicKeyFromWire<E>(group: Group<E>, wire: PublicKeyWire, where = 'publicKey'): E {
  if (wire.group !== group.name) {
    throw new ProtocolError('group-mismatch', `${where}.group must be ${group.name}, not ${wire.group}.`);
  }
  return nonIdentityFromWire(group, wire.y, `${where}.y`);
}

export function ciphertextToWire<E>(group: Group<E>, ciphertext: Ciphertext<E>): CiphertextWire {
  return { a: elementToWire(group, ciphertext.a), b: elementToWire(group, ciphertext.b) };
}

export function ciphertextFromWire<E>(group: Group<E>, wire: CiphertextWire, where: string): Ciphertext<E> {
  return {
    a: nonIdentityFromWire(group, wire.a, `${where}.a`),
    b: elementFromWire(group, wire.b, `${where}.b`),
  };
}
