/**
 * Strict decoding of untrusted study bytes: 32-byte canonical ristretto255 elements (the identity
 * refused unless the caller allows it), 32-byte little-endian scalars below ℓ, and the wire form,
 * unpadded base64url (RFC 4648 §5). Every refusal is a `ProtocolError` naming the element.
 */

import { base64urlnopad } from '@scure/base';
import { ProtocolError } from '../../errors.js';
import type { Group } from '../../groups/group.js';
import { SCALAR_BYTES, scalarFromBytes } from '../../proofs/scalar.js';

export const ELEMENT_BYTES = 32;
export { SCALAR_BYTES };

export function parseElement<E>(group: Group<E>, bytes: Uint8Array, what: string, allowIdentity = false): E {
  if (bytes.length !== ELEMENT_BYTES) {
    throw new ProtocolError(
      'invalid-encoding',
      `${what} must be ${ELEMENT_BYTES} bytes, not ${bytes.length}.`,
    );
  }
  let element: E;
  try {
    element = group.fromBytes(bytes);
  } catch {
    throw new ProtocolError('invalid-element', `${what} is not a canonical ristretto255 encoding.`);
  }
  if (!allowIdentity && group.equals(element, group.identity)) {
    throw new ProtocolError('invalid-element', `${what} must not be the identity element.`);
  }
  return element;
}

export function parseScalar(bytes: Uint8Array, what: string): bigint {
  const value = scalarFromBytes(bytes);
  if (value === undefined) {
    throw new ProtocolError('invalid-element', `${what} is not a 32-byte little-endian scalar below ℓ.`);
  }
  return value;
}

/** Reads fixed-size fields in order from bytes whose total length the caller knows. */
export class FieldReader<E> {
  #offset = 0;

  constructor(
    private readonly group: Group<E>,
    private readonly bytes: Uint8Array,
    private readonly what: string,
    expectedLength: number,
  ) {
    if (bytes.length !== expectedLength) {
      throw new ProtocolError(
        'invalid-encoding',
        `${what} must be ${expectedLength} bytes, not ${bytes.length}.`,
      );
    }
  }

  element(name: string, allowIdentity = false): E {
    return parseElement(this.group, this.next(ELEMENT_BYTES), `${this.what}: ${name}`, allowIdentity);
  }

  scalar(name: string): bigint {
    return parseScalar(this.next(SCALAR_BYTES), `${this.what}: ${name}`);
  }

  private next(length: number): Uint8Array {
    const field = this.bytes.subarray(this.#offset, this.#offset + length);
    this.#offset += length;
    return field;
  }
}

export function bytesToWire(bytes: Uint8Array): string {
  return base64urlnopad.encode(bytes);
}

/** Unpadded base64url of exactly `length` bytes (any length when omitted), in its one canonical spelling. */
export function bytesFromWire(text: unknown, what: string, length?: number): Uint8Array {
  if (typeof text !== 'string') throw new ProtocolError('invalid-encoding', `${what} must be a string.`);
  let bytes: Uint8Array;
  try {
    bytes = base64urlnopad.decode(text);
  } catch {
    throw new ProtocolError('invalid-encoding', `${what} is not unpadded base64url (RFC 4648 §5).`);
  }
  // Refuses spellings with nonzero unused bits, so one byte string has exactly one wire form.
  if (base64urlnopad.encode(bytes) !== text) {
    throw new ProtocolError('invalid-encoding', `${what} is not canonical unpadded base64url.`);
  }
  if (length !== undefined && bytes.length !== length) {
    throw new ProtocolError('invalid-encoding', `${what} must be ${length} bytes, not ${bytes.length}.`);
  }
  return bytes;
}
