/** Shared fixtures of this folder's tests: a joint key whose secret the test knows, and small helpers. */

import type { Group } from '../../groups/group.js';
import { type RistrettoPoint, ristretto255Group } from '../../groups/ristretto255.js';
import { claim, type Equation, verifyBatch } from './batch.js';
import type { Ciphertext } from './ciphertext.js';
import { deterministicScalars } from './deterministic-scalars.js';

export const group = ristretto255Group;
export type Point = RistrettoPoint;

export const testScalars = deterministicScalars('tests');
export const secretKey = testScalars.scalar();
export const jointKeyForTests = group.powGenerator(secretKey);
export const context = new TextEncoder().encode('study:test/contribution:1');

/** Single verification: a batch of one claim. */
export function holds<E>(g: Group<E>, build: () => readonly Equation<E>[]): boolean {
  return verifyBatch(g, [claim('proof', build)]).valid;
}

/** m·G of a ciphertext, with the test's secret key. */
export function decryptToPoint(c: Ciphertext<Point>, x: bigint = secretKey): Point {
  return c.b.subtract(c.a.multiply(x));
}

export function flipBit(bytes: Uint8Array, index: number, bit = 0): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[index] = (copy[index] as number) ^ (1 << bit);
  return copy;
}
