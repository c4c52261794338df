import { describe, expect, it } from 'vitest';
import type { Group } from '../../groups/group.js';
import { ristretto255NativeGroup } from '../../groups/ristretto255-native.js';
import { claim, verifyBatch } from './batch.js';
import { bitProofEquations, proveBit } from './bit-proof.js';
import { encrypt } from './ciphertext.js';
import { deterministicScalars } from './deterministic-scalars.js';
import { proveRange, rangeProofEquations } from './range-proof.js';
import { context, flipBit, group } from './test-support.js';

interface Fixture<E> {
  key: E;
  bits: { ciphertext: { a: E; b: E }; honest: Uint8Array; forged: { a: E; b: E } }[];
  ranges: { ciphertext: { a: E; b: E }; proof: Uint8Array }[];
}
const fixtures = new Map<unknown, Fixture<unknown>>();

/** Ten bit proofs and two range proofs, made once per group; `forged` encrypts 2 under a proof of 0 or 1. */
function fixture<E>(g: Group<E>): Fixture<E> {
  const cached = fixtures.get(g);
  if (cached) return cached as Fixture<E>;
  const scalars = deterministicScalars('batch');
  const key = g.powGenerator(scalars.scalar());
  const bits = Array.from({ length: 10 }, (_, i) => {
    const { ciphertext, opening } = encrypt(g, key, BigInt(i % 2), scalars);
    return {
      ciphertext,
      honest: proveBit(g, key, ciphertext, opening, context, scalars),
      forged: { a: ciphertext.a, b: g.multiply(ciphertext.b, g.powGenerator(2n - BigInt(i % 2))) },
    };
  });
  const ranges = [0, 1].map(() => {
    const { ciphertext, opening } = encrypt(g, key, 9n, scalars);
    return { ciphertext, proof: proveRange(g, key, ciphertext, opening, 12n, context, scalars) };
  });
  const made = { key, bits, ranges };
  fixtures.set(g, made as Fixture<unknown>);
  return made;
}

/** The fixture's twelve claims, with the ones at `bad` spoiled in different ways. */
function mixedBatch<E>(g: Group<E>, bad: ReadonlySet<number>) {
  const { key, bits, ranges } = fixture(g);
  return Array.from({ length: 12 }, (_, i) => {
    const name = `proof ${i}`;
    const bit = bits[i];
    if (bit) {
      const ciphertext = bad.has(i) && i % 3 === 0 ? bit.forged : bit.ciphertext;
      let proof = bit.honest;
      if (bad.has(i) && i % 3 === 1) proof = flipBit(proof, 150);
      if (bad.has(i) && i % 3 === 2) proof = proof.slice(0, 100);
      return claim(name, () => bitProofEquations(g, key, ciphertext, proof, context));
    }
    const range = ranges[i - 10] as Fixture<E>['ranges'][number];
    const ctx = bad.has(i) ? flipBit(context, 0) : context;
    return claim(name, () => rangeProofEquations(g, key, range.ciphertext, 12n, range.proof, ctx));
  });
}

describe('batch verification', () => {
  it('accepts a batch of good proofs with one multi-scalar multiplication', () => {
    expect(verifyBatch(group, mixedBatch(group, new Set()))).toEqual({ valid: true, failures: [] });
    expect(verifyBatch(group, [])).toEqual({ valid: true, failures: [] });
  });

  it('agrees with one-by-one verification on mixed batches and names the bad proofs', () => {
    for (const bad of [new Set([3]), new Set([1, 5, 11]), new Set([0, 10])]) {
      const claims = mixedBatch(group, bad);
      const batch = verifyBatch(group, claims);
      const oneByOne = claims.filter((c) => !verifyBatch(group, [c]).valid).map((c) => c.name);
      expect(batch.valid).toBe(false);
      expect(batch.failures.map((f) => f.name)).toEqual(oneByOne);
      expect(oneByOne).toEqual([...bad].sort((a, b) => a - b).map((i) => `proof ${i}`));
    }
    const malformed = verifyBatch(group, mixedBatch(group, new Set([2])));
    expect(malformed.failures).toEqual([
      { name: 'proof 2', reason: 'bit proof must be 224 bytes, not 100.' },
    ]);
  });

  it.skipIf(ristretto255NativeGroup === undefined)('works the same over the native libsodium group', () => {
    const native = ristretto255NativeGroup as NonNullable<typeof ristretto255NativeGroup>;
    expect(verifyBatch(native, mixedBatch(native, new Set())).valid).toBe(true);
    expect(verifyBatch(native, mixedBatch(native, new Set([4, 11]))).failures.map((f) => f.name)).toEqual([
      'proof 4',
      'proof 11',
    ]);
  });
});
