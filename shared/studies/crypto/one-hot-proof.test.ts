import { describe, expect, it } from 'vitest';
import { encrypt } from './ciphertext.js';
import { oneHotProofBytes, oneHotProofEquations, proveOneHot } from './one-hot-proof.js';
import { context, flipBit, group, holds, jointKeyForTests as K, testScalars } from './test-support.js';

const encryptAll = (values: readonly bigint[]) => values.map((v) => encrypt(group, K, v, testScalars));
type C = ReturnType<typeof encrypt>['ciphertext'];
const verify = (cs: readonly C[], proof: Uint8Array, ctx: Uint8Array = context) =>
  holds(group, () => oneHotProofEquations(group, K, cs, proof, ctx));

describe('one-hot proof', () => {
  it('verifies every honest choice of four', () => {
    for (let choice = 0; choice < 4; choice++) {
      const encrypted = encryptAll([0n, 1n, 2n, 3n].map((i) => (i === BigInt(choice) ? 1n : 0n)));
      const cs = encrypted.map((e) => e.ciphertext);
      const proof = proveOneHot(
        group,
        K,
        cs,
        encrypted.map((e) => e.opening),
        context,
        testScalars,
      );
      expect(proof.length).toBe(oneHotProofBytes(4));
      expect(verify(cs, proof)).toBe(true);
    }
  });

  it('refuses no choice and two choices, even with the prover lied to', () => {
    expect(() => proveOneHot(group, K, [], [], context)).toThrow(RangeError);
    for (const values of [
      [0n, 0n, 0n],
      [1n, 1n, 0n],
      [0n, 2n, 0n],
    ]) {
      const encrypted = encryptAll(values);
      const cs = encrypted.map((e) => e.ciphertext);
      const lies = encrypted.map((e, i) => ({ ...e.opening, value: i === 0 ? 1n : 0n }));
      expect(verify(cs, proveOneHot(group, K, cs, lies, context, testScalars))).toBe(false);
      expect(() =>
        proveOneHot(
          group,
          K,
          cs,
          encrypted.map((e) => e.opening),
          context,
        ),
      ).toThrow(/exactly one 1/);
    }
  });

  it('refuses a changed byte, a reordered vector and another context', () => {
    const encrypted = encryptAll([0n, 0n, 1n]);
    const cs = encrypted.map((e) => e.ciphertext);
    const proof = proveOneHot(
      group,
      K,
      cs,
      encrypted.map((e) => e.opening),
      context,
      testScalars,
    );
    for (const at of [5, 224 + 140, 2 * 224 + 223, 3 * 224 + 10, 3 * 224 + 40, 3 * 224 + 95]) {
      expect(verify(cs, flipBit(proof, at, 2))).toBe(false);
    }
    expect(verify([cs[2], cs[1], cs[0]] as C[], proof)).toBe(false);
    expect(verify(cs, proof, flipBit(context, 5))).toBe(false);
    expect(() => oneHotProofEquations(group, K, cs.slice(1), proof, context)).toThrow(
      /one-hot proof must be 544 bytes for 2 options/,
    );
  });
});
