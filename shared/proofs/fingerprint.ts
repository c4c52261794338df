/**
 * A computation's fingerprint, for a patient to compare with what the operator and the transparency
 * log publish: the first 128 bits of SHA-256 over the RFC 8785 (JCS) canonical JSON of
 * `{"id", "version", "inputs", "outputs", "evaluation"}` as its v2 catalog entry has them (for a
 * private model `evaluation` holds its commitment W), in eight groups of four hex digits. 128 bits,
 * so that grinding a look-alike commitment to the same fingerprint is out of reach (2^64 work for a
 * collision, 2^128 for a given one); over the id, version and shape too, so the same W under another
 * name, version or form is another fingerprint. docs/TRANSPARENCY.md specifies it.
 */

import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import canonicalize from 'canonicalize';
import { computationToWire } from '../computations/catalog.js';
import type { Computation } from '../computations/computation.js';

const FINGERPRINT_BYTES = 16;

/** The fingerprint of a v2 catalog entry (or a logged model entry), from its own members. */
export function catalogEntryFingerprint(entry: Readonly<Record<string, unknown>>): string {
  const { id, version, inputs, outputs, evaluation } = entry;
  const text = canonicalize({ id, version, inputs, outputs, evaluation });
  if (text === undefined) throw new TypeError('a catalog entry is JSON');
  const digits = bytesToHex(sha256(utf8ToBytes(text)).slice(0, FINGERPRINT_BYTES));
  return digits.match(/.{4}/g)?.join(' ') ?? digits;
}

export function computationFingerprint(computation: Computation): string {
  const { id, version, inputs, outputs } = computationToWire(computation);
  return catalogEntryFingerprint({ id, version, inputs, outputs, evaluation: computation.evaluation });
}
