import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMultiplicative, encodeMultiplicative, type IntegerRange } from './encoding.js';
import { DecodeRangeError } from './errors.js';
import { ffdheGroup } from './groups/index.js';

describe('multiplicative encoding (ffdhe3072, the default group)', () => {
  const group = ffdheGroup('ffdhe3072');
  const { p, order: q } = group;
  const whole: IntegerRange = { min: 1n, max: q };
  const plaintext = fc.oneof(fc.constantFrom(1n, 2n, 3n, q - 1n, q), fc.bigInt({ min: 1n, max: q }));

  it('lands in the order-q subgroup and decodes back, for every m in [1, q]', () => {
    fc.assert(
      fc.property(plaintext, (m) => {
        const element = encodeMultiplicative(group, m);
        expect(group.isInSubgroup(element)).toBe(true);
        expect([m, p - m]).toContain(element);
        expect(decodeMultiplicative(group, element, whole)).toBe(m);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses plaintexts outside [1, q]', () => {
    for (const m of [0n, -1n, q + 1n, p]) {
      expect(() => encodeMultiplicative(group, m)).toThrow(RangeError);
    }
  });

  it('keeps products exact while they stay ≤ q', () => {
    const factor = fc.bigInt({ min: 1n, max: 2n ** 1535n });
    fc.assert(
      fc.property(factor, factor, (m1, m2) => {
        const product = group.multiply(encodeMultiplicative(group, m1), encodeMultiplicative(group, m2));
        expect(decodeMultiplicative(group, product, whole)).toBe(m1 * m2);
      }),
      { numRuns: 200 },
    );
    // The bound is tight: 2 · (q − 1)/2 = q − 1 is exact, 2 · (q + 1)/2 = q + 1 is not.
    const two = encodeMultiplicative(group, 2n);
    const justBelow = group.multiply(two, encodeMultiplicative(group, (q - 1n) / 2n));
    expect(decodeMultiplicative(group, justBelow, whole)).toBe(q - 1n);
    const justAbove = group.multiply(two, encodeMultiplicative(group, (q + 1n) / 2n));
    expect(decodeMultiplicative(group, justAbove, whole)).not.toBe(q + 1n);
  });

  it('throws DecodeRangeError just outside either end of the declared range, and decodes both ends', () => {
    const bounds = fc
      .tuple(fc.bigInt({ min: 2n, max: 2n ** 40n }), fc.bigInt({ min: 0n, max: 2n ** 20n }))
      .map(([min, width]) => ({ min, max: min + width }));
    fc.assert(
      fc.property(bounds, (range) => {
        const decode = (m: bigint) => decodeMultiplicative(group, encodeMultiplicative(group, m), range);
        expect(decode(range.min)).toBe(range.min);
        expect(decode(range.max)).toBe(range.max);
        expect(() => decode(range.min - 1n)).toThrow(DecodeRangeError);
        expect(() => decode(range.max + 1n)).toThrow(DecodeRangeError);
      }),
      { numRuns: 100 },
    );
  });

  it('never puts the decrypted value in the error message', () => {
    const secret = 987654321n;
    const element = encodeMultiplicative(group, secret);
    expect(() => decodeMultiplicative(group, element, { min: 1000n, max: 2000n })).toThrow(
      expect.objectContaining({
        name: 'DecodeRangeError',
        message: expect.not.stringContaining('987654321'),
      }),
    );
  });
});
