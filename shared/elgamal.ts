/**
 * ElGamal over any `Group`: keys, encryption of group elements, decryption, re-randomization and
 * the homomorphic operations. Integer plaintexts are mapped to elements by `encoding.ts`.
 *
 * Notation is multiplicative: over ristretto255 `multiply` adds points, which is what makes the
 * "exponential" (additive) variant: E(m1)·E(m2) = E(m1 + m2).
 */

import type { Group } from './groups/group.js';

export interface KeyPair<E> {
  /** Private exponent, 0 < x < order. Never leaves the patient's device. */
  readonly x: bigint;
  /** Public key y = g^x. */
  readonly y: E;
}

export interface Ciphertext<E> {
  readonly a: E;
  readonly b: E;
}

export function generateKeyPair<E>(group: Group<E>): KeyPair<E> {
  const x = group.randomSecretExponent();
  return { x, y: group.powGenerator(x) };
}

/**
 * a = g^r, b = M·y^r with fresh r. Both are valid elements (y and M are), which the group may
 * remember, so that parsing this ciphertext again (verifying the answer to it) skips their check.
 */
export function encryptElement<E>(group: Group<E>, y: E, message: E): Ciphertext<E> {
  const r = group.randomSecretExponent();
  const ciphertext = { a: group.powGenerator(r), b: group.multiply(message, group.pow(y, r)) };
  group.rememberValid?.(ciphertext.a);
  group.rememberValid?.(ciphertext.b);
  return ciphertext;
}

/** M = b · (a^x)^−1. */
export function decryptElement<E>(group: Group<E>, x: bigint, ciphertext: Ciphertext<E>): E {
  return group.multiply(ciphertext.b, group.invert(group.pow(ciphertext.a, x)));
}

/**
 * Multiplies by a fresh encryption of the neutral plaintext: same plaintext, new randomness, so a
 * returned ciphertext reveals nothing about how it was computed from the inputs.
 */
export function rerandomize<E>(group: Group<E>, y: E, ciphertext: Ciphertext<E>): Ciphertext<E> {
  // combine(ciphertext, encryptElement(identity)) without the multiplication by the identity.
  const r = group.randomSecretExponent();
  return {
    a: group.multiply(ciphertext.a, group.powGenerator(r)),
    b: group.multiply(ciphertext.b, group.pow(y, r)),
  };
}

/** E(m1)·E(m2): the product of plaintexts (multiplicative) or their sum (additive). */
export function combine<E>(group: Group<E>, c1: Ciphertext<E>, c2: Ciphertext<E>): Ciphertext<E> {
  return { a: group.multiply(c1.a, c2.a), b: group.multiply(c1.b, c2.b) };
}

/** E(m)^k: the plaintext raised to k (multiplicative) or multiplied by k (additive). */
export function scale<E>(group: Group<E>, ciphertext: Ciphertext<E>, k: bigint): Ciphertext<E> {
  return { a: group.pow(ciphertext.a, k), b: group.pow(ciphertext.b, k) };
}

/** Multiplies the plaintext element by a public one: times a constant, or plus a constant. */
export function shift<E>(group: Group<E>, ciphertext: Ciphertext<E>, message: E): Ciphertext<E> {
  return { a: ciphertext.a, b: group.multiply(ciphertext.b, message) };
}

/** E(m)^−1: the reciprocal (multiplicative) or the negation (additive) of the plaintext. */
export function invertCiphertext<E>(group: Group<E>, ciphertext: Ciphertext<E>): Ciphertext<E> {
  return { a: group.invert(ciphertext.a), b: group.invert(ciphertext.b) };
}
