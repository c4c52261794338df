import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  combineCiphertexts,
  combineOpenings,
  encrypt,
  encryptWith,
  subtractPlaintext,
} from './ciphertext.js';
import { deterministicScalars } from './deterministic-scalars.js';
import { proveRange, rangeProofBytes, rangeProofEquations, rangeWeights } from './range-proof.js';
import { context, flipBit, group, holds, jointKeyForTests as K, testScalars } from './test-support.js';

type C = ReturnType<typeof encrypt>['ciphertext'];
const verify = (c: C, max: bigint, proof: Uint8Array, ctx: Uint8Array = context) =>
  holds(group, () => rangeProofEquations(group, K, c, max, proof, ctx));

describe('range weights', () => {
  it('cover exactly [0, R] with digits in {0, 1}', () => {
    for (let max = 1n; max <= 130n; max++) {
      const weights = rangeWeights(max);
      const reachable = new Set<bigint>();
      for (let mask = 0; mask < 1 << weights.length; mask++) {
        reachable.add(weights.reduce((sum, w, i) => sum + ((mask >> i) & 1 ? w : 0n), 0n));
      }
      expect([...reachable].sort((a, b) => (a < b ? -1 : 1))).toEqual(
        Array.from({ length: Number(max) + 1 }, (_, v) => BigInt(v)),
      );
    }
    expect(rangeWeights(4095n)).toEqual([...Array.from({ length: 11 }, (_, i) => 1n << BigInt(i)), 2048n]);
    expect(() => rangeWeights(0n)).toThrow(RangeError);
  });
});

describe('range proof', () => {
  it('verifies every honest value of small ranges, including bounds that are not 2ⁿ − 1', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.nat(), fc.string(), (max, pick, seed) => {
        const scalars = deterministicScalars(seed);
        const value = BigInt(pick % (max + 1));
        const { ciphertext, opening } = encrypt(group, K, value, scalars);
        const proof = proveRange(group, K, ciphertext, opening, BigInt(max), context, scalars);
        expect(proof.length).toBe(rangeProofBytes(BigInt(max)));
        expect(verify(ciphertext, BigInt(max), proof)).toBe(true);
      }),
      { numRuns: 6 },
    );
  });

  it('proves a shifted range [lo, hi] and a ciphertext the verifier derives homomorphically', () => {
    // A histogram value V with one-hot bins Bₖ: V − Σ loₖ·Bₖ ∈ [0, W].
    const lows = [0n, 50n, 100n];
    const width = 49n;
    const v = encrypt(group, K, 73n, testScalars);
    const bins = [0n, 1n, 0n].map((bit) => encrypt(group, K, bit, testScalars));
    const terms = [
      [v.ciphertext, 1n] as const,
      ...bins.map((b, k) => [b.ciphertext, -(lows[k] as bigint)] as const),
    ];
    const derived = combineCiphertexts(group, terms);
    const opening = combineOpenings([
      [v.opening, 1n],
      ...bins.map((b, k) => [b.opening, -(lows[k] as bigint)] as const),
    ]);
    expect(opening.value).toBe(23n);
    const proof = proveRange(group, K, derived, opening, width, context, testScalars);
    expect(verify(derived, width, proof)).toBe(true);

    const shifted = subtractPlaintext(group, v.ciphertext, 60n);
    const shiftedProof = proveRange(
      group,
      K,
      shifted,
      { ...v.opening, value: 13n },
      40n,
      context,
      testScalars,
    );
    expect(verify(shifted, 40n, shiftedProof)).toBe(true);
    expect(verify(v.ciphertext, 40n, shiftedProof)).toBe(false);
  });

  it('refuses out-of-range values, whether the prover is run on them or the proof is tampered with', () => {
    const max = 10n;
    expect(() =>
      proveRange(group, K, encrypt(group, K, 11n).ciphertext, { value: 11n, randomness: 1n }, max, context),
    ).toThrow(/outside the range/);
    for (const value of [11n, 16n, -1n, 1000n]) {
      const { ciphertext, opening } = encrypt(group, K, value, testScalars);
      // The prover, lied to about the value, makes digits that do not add up to this ciphertext.
      const proof = proveRange(group, K, ciphertext, { ...opening, value: 10n }, max, context, testScalars);
      expect(verify(ciphertext, max, proof)).toBe(false);
    }
    // Digits of 11 = 1 + 2 + 8 (weights 1, 2, 4, 3): the digit with weight 4 made to encrypt 2.
    const { ciphertext, opening } = encrypt(group, K, 7n, testScalars);
    const honest = proveRange(group, K, ciphertext, opening, max, context, testScalars);
    expect(verify(ciphertext, max, honest)).toBe(true);
    const forgedDigit = encryptWith(group, K, { value: 2n, randomness: 5n });
    const tampered = Uint8Array.from(honest);
    tampered.set(group.toBytes(forgedDigit.a), 2 * 288);
    tampered.set(group.toBytes(forgedDigit.b), 2 * 288 + 32);
    expect(verify(ciphertext, max, tampered)).toBe(false);
  });

  it('refuses a changed byte, another context, another range and another ciphertext', () => {
    const { ciphertext, opening } = encrypt(group, K, 3n, testScalars);
    const proof = proveRange(group, K, ciphertext, opening, 5n, context, testScalars);
    expect(verify(ciphertext, 5n, proof)).toBe(true);
    for (const at of [0, 40, 70, 200, 287, 288 + 100, 2 * 288 + 255]) {
      expect(verify(ciphertext, 5n, flipBit(proof, at, 1))).toBe(false);
    }
    expect(verify(ciphertext, 5n, proof, flipBit(context, 0))).toBe(false);
    expect(verify(ciphertext, 6n, proof)).toBe(false);
    expect(verify(ciphertext, 4n, proof)).toBe(false);
    expect(verify(encrypt(group, K, 3n, testScalars).ciphertext, 5n, proof)).toBe(false);
    expect(() => rangeProofEquations(group, K, ciphertext, 5n, proof.slice(0, 500), context)).toThrow(
      /range proof must be 864 bytes for the range \[0, 5\], not 500/,
    );
  });
});
