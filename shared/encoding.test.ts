import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeAdditive,
  decodeMultiplicative,
  encodeAdditive,
  encodeMultiplicative,
  type IntegerRange,
  prepareAdditiveDecoding,
} from './encoding.js';
import { DecodeRangeError } from './errors.js';
import { ffdheGroup, ristretto255Group } from './groups/index.js';

/** A range [min, max] together with one value inside it. */
function rangeWithValue(minBound: bigint, maxBound: bigint, maxWidth: bigint) {
  return fc
    .tuple(fc.bigInt({ min: minBound, max: maxBound }), fc.bigInt({ min: 0n, max: maxWidth }))
    .chain(([min, width]) =>
      fc.record({ range: fc.constant({ min, max: min + width }), m: fc.bigInt({ min, max: min + width }) }),
    );
}

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

describe('additive encoding (ristretto255)', () => {
  const group = ristretto255Group;
  const decode = (m: bigint, range: IntegerRange) => decodeAdditive(group, encodeAdditive(group, m), range);

  it('decodes every m inside its range, whatever the signs', () => {
    fc.assert(
      fc.property(rangeWithValue(-(10n ** 6n), 10n ** 6n, 5000n), ({ range, m }) => {
        expect(decode(m, range)).toBe(m);
      }),
      { numRuns: 100 },
    );
  });

  it('throws DecodeRangeError just outside either end', () => {
    fc.assert(
      fc.property(rangeWithValue(-(10n ** 6n), 10n ** 6n, 5000n), ({ range }) => {
        expect(decode(range.min, range)).toBe(range.min);
        expect(decode(range.max, range)).toBe(range.max);
        expect(() => decode(range.min - 1n, range)).toThrow(DecodeRangeError);
        expect(() => decode(range.max + 1n, range)).toThrow(DecodeRangeError);
      }),
      { numRuns: 50 },
    );
  });

  it('decodes negative-only and mixed-sign ranges', () => {
    const negative = { min: -100n, max: -1n };
    for (const m of [-100n, -57n, -1n]) expect(decode(m, negative)).toBe(m);
    expect(() => decode(0n, negative)).toThrow(DecodeRangeError);
    expect(() => decode(-101n, negative)).toThrow(DecodeRangeError);

    const mixed = { min: -50n, max: 50n };
    for (const m of [-50n, -1n, 0n, 1n, 50n]) expect(decode(m, mixed)).toBe(m);
    expect(() => decode(51n, mixed)).toThrow(DecodeRangeError);
    expect(() => decode(-51n, mixed)).toThrow(DecodeRangeError);
  });

  it('decodes a single-value range and refuses an empty one', () => {
    expect(decode(7n, { min: 7n, max: 7n })).toBe(7n);
    expect(() => decode(8n, { min: 7n, max: 7n })).toThrow(DecodeRangeError);
    expect(() => decode(7n, { min: 8n, max: 7n })).toThrow(RangeError);
  });

  it('gives up on an element that is no small multiple of G', () => {
    const random = group.powGenerator(group.randomSecretExponent());
    expect(() => decodeAdditive(group, random, { min: -1000n, max: 1000n })).toThrow(DecodeRangeError);
  });

  it('searches a range of 2^24 values, then reuses its wide baby-step table for a small range', () => {
    const big = { min: 0n, max: 2n ** 24n - 1n };
    const inside = [0n, 4095n, 4096n, 12_345_678n, big.max];
    for (const m of inside) expect(decode(m, big)).toBe(m);
    expect(() => decode(big.max + 1n, big)).toThrow(DecodeRangeError);
    expect(() => decode(-1n, big)).toThrow(DecodeRangeError);

    // The cached table is now much wider than √10: a hit past the range's end must not count.
    const small = { min: 0n, max: 9n };
    for (let m = 0n; m <= 9n; m++) expect(decode(m, small)).toBe(m);
    for (const m of [-1n, 10n, 11n, 4095n, 4096n]) {
      expect(() => decode(m, small)).toThrow(DecodeRangeError);
    }
    const shifted = { min: -3n, max: 5000n };
    for (const m of [-3n, 0n, 4092n, 4093n, 5000n]) expect(decode(m, shifted)).toBe(m);
    expect(() => decode(5001n, shifted)).toThrow(DecodeRangeError);
  });

  it('widens the table ahead of need in bounded slices, and decodes the same values with it', () => {
    // Four slices of 5000 reach 20 000 whether this test runs alone (from 0) or after the 2^24 one (4096).
    const target = 20_000;
    for (let slice = 0; slice < 3; slice++) expect(prepareAdditiveDecoding(target, 5000)).toBe(false);
    expect(prepareAdditiveDecoding(target, 5000)).toBe(true);
    expect(prepareAdditiveDecoding(target, 5000)).toBe(true);
    const range = { min: -50_000n, max: 50_000_000n };
    for (const m of [-50_000n, -1n, 0n, 19_999n, 20_000n, 20_001n, 49_999_999n, 50_000_000n]) {
      expect(decode(m, range)).toBe(m);
    }
    expect(() => decode(50_000_001n, range)).toThrow(DecodeRangeError);
    expect(() => decode(-50_001n, range)).toThrow(DecodeRangeError);
  });
});
