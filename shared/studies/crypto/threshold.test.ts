import { describe, expect, it } from 'vitest';
import { claim, verifyBatch } from './batch.js';
import { encrypt, sumCiphertexts } from './ciphertext.js';
import { deterministicScalars } from './deterministic-scalars.js';
import { context, flipBit, group } from './test-support.js';
import {
  combinePartialDecryptions,
  lagrangeCoefficients,
  PARTIAL_DECRYPTION_BYTES,
  partialDecrypt,
  partialDecryptionEquations,
  partialDecryptionFromBytes,
  partialDecryptionToBytes,
} from './threshold.js';

/** A dealer's Shamir sharing (the ceremony's result, made directly here): shares and verification keys. */
function sharing(n: number, k: number, seed: string) {
  const scalars = deterministicScalars(seed);
  const polynomial = Array.from({ length: k }, () => scalars.scalar());
  const order = group.order;
  const at = (x: bigint) => polynomial.reduceRight((acc, a) => (acc * x + a) % order, 0n);
  const trustees = Array.from({ length: n }, (_, i) => {
    const secretShare = at(BigInt(i + 1));
    return { index: i + 1, secretShare, verificationKey: group.powGenerator(secretShare) };
  });
  return { key: group.powGenerator(polynomial[0] as bigint), trustees, scalars };
}

function subsets<T>(items: readonly T[], size: number): T[][] {
  if (size === 0) return [[]];
  return items.flatMap((first, i) => subsets(items.slice(i + 1), size - 1).map((rest) => [first, ...rest]));
}

describe('threshold decryption', () => {
  for (const [n, k] of [
    [3, 2],
    [5, 3],
  ] as const) {
    it(`gives the same total with every ${k} of ${n} trustees, and not with ${k - 1}`, () => {
      const { key, trustees, scalars } = sharing(n, k, `${k}-of-${n}`);
      const values = [17n, 4n, 30n];
      const total = sumCiphertexts(
        group,
        values.map((v) => encrypt(group, key, v, scalars).ciphertext),
      );
      const partials = trustees.map((t) => partialDecrypt(group, t, total, context, scalars));
      const claims = partials.map((p, i) =>
        claim(`trustee ${p.trustee}`, () =>
          partialDecryptionEquations(group, trustees[i]?.verificationKey as typeof key, total, p, context),
        ),
      );
      expect(verifyBatch(group, claims).valid).toBe(true);
      const expected = group.powGenerator(51n);
      for (const subset of subsets(partials, k)) {
        expect(combinePartialDecryptions(group, total, subset, k).equals(expected)).toBe(true);
      }
      expect(combinePartialDecryptions(group, total, partials, k).equals(expected)).toBe(true);
      for (const subset of subsets(partials, k - 1)) {
        expect(() => combinePartialDecryptions(group, total, subset, k)).toThrow(/needs \d trustees/);
        // Even forced, k − 1 points of a degree k − 1 polynomial interpolate to another secret.
        if (subset.length > 0)
          expect(combinePartialDecryptions(group, total, subset, k - 1).equals(expected)).toBe(false);
      }
    });
  }

  it('refuses a wrong or tampered partial decryption, naming the trustee', () => {
    const { key, trustees, scalars } = sharing(3, 2, 'tamper');
    const c = encrypt(group, key, 5n, scalars).ciphertext;
    const [t1, t2] = trustees as [(typeof trustees)[0], (typeof trustees)[0]];
    const good = partialDecrypt(group, t1, c, context, scalars);
    const bytes = partialDecryptionToBytes(group, good);
    expect(bytes.length).toBe(PARTIAL_DECRYPTION_BYTES);
    const check = (partial: Uint8Array | typeof good, ctx: Uint8Array = context) =>
      verifyBatch(group, [
        claim('trustee 1', () => {
          const p = partial instanceof Uint8Array ? partialDecryptionFromBytes(group, 1, partial) : partial;
          return partialDecryptionEquations(group, t1.verificationKey, c, p, ctx);
        }),
      ]);
    expect(check(bytes).valid).toBe(true);
    for (const at of [3, 40, 70, 100, 127])
      expect(check(flipBit(bytes, at, 1)).failures[0]?.name).toBe('trustee 1');
    // Another trustee's share with trustee 1's verification key, and a proof for another context.
    expect(check({ ...partialDecrypt(group, t2, c, context, scalars), trustee: 1 }).valid).toBe(false);
    expect(check(good, flipBit(context, 2)).valid).toBe(false);
    expect(() => partialDecryptionFromBytes(group, 2, bytes.slice(0, 127))).toThrow(
      /trustee 2's partial decryption must be 128 bytes/,
    );
  });

  it('has Lagrange coefficients that interpolate at 0', () => {
    const w = lagrangeCoefficients([1, 3]);
    // P(x) = 5 + 2x: P(1) = 7, P(3) = 11.
    expect(((w[0] as bigint) * 7n + (w[1] as bigint) * 11n) % group.order).toBe(5n);
    expect(() => lagrangeCoefficients([2, 2])).toThrow(/distinct/);
  });
});
