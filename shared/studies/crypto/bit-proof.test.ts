import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BIT_PROOF_BYTES, bitProofEquations, proveBit } from './bit-proof.js';
import { encrypt, encryptWith } from './ciphertext.js';
import { deterministicScalars } from './deterministic-scalars.js';
import { context, flipBit, group, holds, jointKeyForTests as K, testScalars } from './test-support.js';

const verify = (
  ciphertext: ReturnType<typeof encrypt>['ciphertext'],
  proof: Uint8Array,
  ctx: Uint8Array = context,
  key = K,
) => holds(group, () => bitProofEquations(group, key, ciphertext, proof, ctx));

describe('bit proof (CDS OR)', () => {
  it('verifies honest proofs of 0 and of 1', () => {
    fc.assert(
      fc.property(fc.constantFrom(0n, 1n), fc.string(), (bit, seed) => {
        const scalars = deterministicScalars(seed);
        const { ciphertext, opening } = encrypt(group, K, bit, scalars);
        const proof = proveBit(group, K, ciphertext, opening, context, scalars);
        expect(proof.length).toBe(BIT_PROOF_BYTES);
        expect(verify(ciphertext, proof)).toBe(true);
      }),
      { numRuns: 8 },
    );
  });

  it('refuses a proof forged by running the prover on a ciphertext of 2, −1 or 5', () => {
    for (const value of [2n, -1n, 5n]) {
      const { ciphertext, opening } = encrypt(group, K, value, testScalars);
      for (const claimed of [0n, 1n]) {
        const proof = proveBit(group, K, ciphertext, { ...opening, value: claimed }, context, testScalars);
        expect(verify(ciphertext, proof)).toBe(false);
      }
    }
    const { opening } = encrypt(group, K, 2n, testScalars);
    expect(() => proveBit(group, K, encryptWith(group, K, opening), opening, context)).toThrow(/0 or 1/);
  });

  it('refuses any changed bit of the proof, the ciphertext or the context, and another key', () => {
    const { ciphertext, opening } = encrypt(group, K, 1n, testScalars);
    const proof = proveBit(group, K, ciphertext, opening, context, testScalars);
    // Every field (4 commitments, 3 scalars), at its first, middle and last byte.
    for (let field = 0; field < 7; field++) {
      for (const at of [0, 15, 31])
        expect(verify(ciphertext, flipBit(proof, 32 * field + at, at % 8))).toBe(false);
    }
    const other = encrypt(group, K, 1n, testScalars).ciphertext;
    expect(verify({ a: other.a, b: ciphertext.b }, proof)).toBe(false);
    expect(verify({ a: ciphertext.a, b: other.b }, proof)).toBe(false);
    expect(verify(ciphertext, proof, flipBit(context, 3))).toBe(false);
    expect(verify(ciphertext, proof, new Uint8Array())).toBe(false);
    expect(verify(ciphertext, proof, context, group.powGenerator(99n))).toBe(false);
  });

  it('names what is malformed', () => {
    const { ciphertext, opening } = encrypt(group, K, 0n, testScalars);
    const proof = proveBit(group, K, ciphertext, opening, context, testScalars);
    expect(() => bitProofEquations(group, K, ciphertext, proof.slice(1), context)).toThrow(
      /bit proof must be 224 bytes/,
    );
    const badScalar = Uint8Array.from(proof);
    badScalar.fill(0xff, 128, 160);
    expect(() => bitProofEquations(group, K, ciphertext, badScalar, context)).toThrow(/bit proof: c0 is not/);
    const identity = Uint8Array.from(proof);
    identity.fill(0, 32, 64);
    expect(() => bitProofEquations(group, K, ciphertext, identity, context)).toThrow(
      /bit proof: T_B0 must not be the identity/,
    );
  });
});
