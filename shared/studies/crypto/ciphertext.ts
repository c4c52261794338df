/**
 * Additive ("exponential") ElGamal under a study's joint key K: (A, B) = (r·G, m·G + r·K), so that
 * ciphertexts add to a ciphertext of the sum. An `Opening` (m, r) is what the prover knows about a
 * ciphertext; openings combine exactly as their ciphertexts do, which lets a patient prove statements
 * about ciphertexts the verifier derives (V − lo·G, Σ wᵢ·Cᵢ).
 */

import type { Ciphertext } from '../../elgamal.js';
import type { Group } from '../../groups/group.js';
import { concatBytes } from '../../proofs/bytes.js';
import { bytesFromWire, bytesToWire, FieldReader } from './codec.js';
import { mod, type ScalarSource, systemScalars } from './scalars.js';

export type { Ciphertext } from '../../elgamal.js';

export const CIPHERTEXT_BYTES = 64;

/** The plaintext m and randomness r of a ciphertext, both secret. */
export interface Opening {
  readonly value: bigint;
  readonly randomness: bigint;
}

/** (r·G, m·G + r·K), constant-time in m and r. */
export function encryptWith<E>(group: Group<E>, key: E, opening: Opening): Ciphertext<E> {
  return {
    a: group.powGenerator(opening.randomness),
    b: group.multiply(group.powGenerator(opening.value), group.pow(key, opening.randomness)),
  };
}

export function encrypt<E>(
  group: Group<E>,
  key: E,
  value: bigint,
  scalars: ScalarSource = systemScalars,
): { ciphertext: Ciphertext<E>; opening: Opening } {
  const opening = { value, randomness: scalars.scalar() };
  return { ciphertext: encryptWith(group, key, opening), opening };
}

/** Σ kᵢ·Cᵢ for public kᵢ (a homomorphic sum, a histogram's Σ loₖ·Bₖ). */
export function combineCiphertexts<E>(
  group: Group<E>,
  terms: readonly (readonly [Ciphertext<E>, bigint])[],
): Ciphertext<E> {
  let a = group.identity;
  let b = group.identity;
  for (const [c, k] of terms) {
    const scalar = mod(k);
    if (scalar === 0n) continue;
    a = group.multiply(a, scalar === 1n ? c.a : group.pow(c.a, scalar));
    b = group.multiply(b, scalar === 1n ? c.b : group.pow(c.b, scalar));
  }
  return { a, b };
}

export function sumCiphertexts<E>(group: Group<E>, list: readonly Ciphertext<E>[]): Ciphertext<E> {
  return combineCiphertexts(
    group,
    list.map((c) => [c, 1n] as const),
  );
}

/** The same ciphertext with m·G taken off B: a range [lo, hi] is proved as C − lo·G ∈ [0, hi − lo]. */
export function subtractPlaintext<E>(group: Group<E>, c: Ciphertext<E>, m: bigint): Ciphertext<E> {
  return { a: c.a, b: group.multiply(c.b, group.invert(group.powGenerator(m))) };
}

/** Σ kᵢ·(mᵢ, rᵢ): the opening of `combineCiphertexts` of the same terms. */
export function combineOpenings(terms: readonly (readonly [Opening, bigint])[]): Opening {
  let value = 0n;
  let randomness = 0n;
  for (const [o, k] of terms) {
    value += k * o.value;
    randomness = mod(randomness + k * o.randomness);
  }
  return { value, randomness };
}

export function ciphertextToBytes<E>(group: Group<E>, c: Ciphertext<E>): Uint8Array {
  return concatBytes([group.toBytes(c.a), group.toBytes(c.b)]);
}

/** A ‖ B, each canonical; A may not be the identity (r = 0 would leave m·G in the clear). */
export function ciphertextFromBytes<E>(group: Group<E>, bytes: Uint8Array, what: string): Ciphertext<E> {
  const reader = new FieldReader(group, bytes, what, CIPHERTEXT_BYTES);
  return { a: reader.element('A'), b: reader.element('B', true) };
}

export function ciphertextToWire<E>(group: Group<E>, c: Ciphertext<E>): string {
  return bytesToWire(ciphertextToBytes(group, c));
}

export function ciphertextFromWire<E>(group: Group<E>, text: unknown, what: string): Ciphertext<E> {
  return ciphertextFromBytes(group, bytesFromWire(text, what, CIPHERTEXT_BYTES), what);
}

/** The ciphertext's two elements as transcript items. */
export function ciphertextItems<E>(group: Group<E>, c: Ciphertext<E>): Uint8Array[] {
  return [group.toBytes(c.a), group.toBytes(c.b)];
}
