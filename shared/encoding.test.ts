import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import {
  additiveDecodingWidth,
  checkAdditiveDecodingKeys,
  decodeAdditive,
  decodeMultiplicative,
  encodeAdditive,
  encodeMultiplicative,
  exportAdditiveDecoding,
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
  const decode = (m: bigint, range: IntegerRange, likely?: bigint) =>
    decodeAdditive(group, encodeAdditive(group, m), range, likely);

  /** A range, a value inside it, and a `likely` anywhere: inside, at either end, or outside. */
  function rangeValueAndLikely(maxWidth: bigint) {
    return rangeWithValue(-(10n ** 9n), 10n ** 9n, maxWidth).chain(({ range, m }) =>
      fc.record({
        range: fc.constant(range),
        m: fc.constant(m),
        likely: fc.oneof(
          fc.bigInt({ min: range.min, max: range.max }),
          fc.constantFrom(range.min, range.max, range.min - 1n, range.max + 1n, m),
          fc.bigInt({ min: range.min - 10n ** 9n, max: range.min }),
          fc.bigInt({ min: range.max, max: range.max + 10n ** 9n }),
        ),
      }),
    );
  }

  it('decodes every m inside its range whatever `likely` is, and nothing just outside it', () => {
    fc.assert(
      fc.property(rangeValueAndLikely(10n ** 7n), ({ range, m, likely }) => {
        expect(decode(m, range, likely)).toBe(m);
        expect(decode(range.min, range, likely)).toBe(range.min);
        expect(decode(range.max, range, likely)).toBe(range.max);
        expect(() => decode(range.min - 1n, range, likely)).toThrow(DecodeRangeError);
        expect(() => decode(range.max + 1n, range, likely)).toThrow(DecodeRangeError);
      }),
      { numRuns: 60 },
    );
    // A value out of range is searched for across the whole range: seconds on a busy machine.
  }, 30_000);

  it('decodes exactly whatever the table width, once widened past ⌈√n⌉', () => {
    // The table only grows and is shared by the whole file: these hold for any width ≥ ⌈√n⌉.
    const widthThenValue = fc.tuple(fc.integer({ min: 1, max: 30_000 }), rangeValueAndLikely(10n ** 6n));
    fc.assert(
      fc.property(widthThenValue, ([width, { range, m, likely }]) => {
        prepareAdditiveDecoding(width, Number.POSITIVE_INFINITY);
        expect(decode(m, range, likely)).toBe(m);
        expect(() => decode(range.min - 1n, range, likely)).toThrow(DecodeRangeError);
        expect(() => decode(range.max + 1n, range, likely)).toThrow(DecodeRangeError);
      }),
      { numRuns: 30 },
    );
  });

  it('finds values on both sides of each anchor, up to and across where one anchor hands over to the next', () => {
    prepareAdditiveDecoding(64, Number.POSITIVE_INFINITY);
    const w = BigInt(additiveDecodingWidth());
    const likely = 1_000_003n;
    const range = { min: likely - 7n * w, max: likely + 7n * w };
    // Anchors sit at likely + k·(2w − 1); each finds |m − anchor| < w.
    const offsets = [
      0n,
      1n,
      w - 2n,
      w - 1n,
      w,
      w + 1n,
      2n * w - 2n,
      2n * w - 1n,
      2n * w,
      3n * w - 2n,
      3n * w - 1n,
    ];
    for (const d of offsets) {
      for (const m of [likely + d, likely - d]) expect(decode(m, range, likely)).toBe(m);
    }
    expect(() => decode(range.max + 1n, range, likely)).toThrow(DecodeRangeError);
    expect(() => decode(range.min - 1n, range, likely)).toThrow(DecodeRangeError);
    // Ends that only the reach of a third anchor (likely ± 2(2w − 1)) covers, at its very edge.
    const edges = { min: likely - (3n * w - 1n), max: likely + 3n * w - 1n };
    expect(decode(edges.min, edges, likely)).toBe(edges.min);
    expect(decode(edges.max, edges, likely)).toBe(edges.max);
  });

  it('confirms the candidate: anchor − j, not the mirrored anchor + j, both inside the range', () => {
    const range = { min: 0n, max: 100n };
    for (const m of [0n, 30n, 49n, 51n, 70n, 100n]) expect(decode(m, range, 50n)).toBe(m);
  });

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
    for (const likely of [undefined, -100n, -60n, -1n, 0n, 5n, -500n]) {
      for (const m of [-100n, -57n, -1n]) expect(decode(m, negative, likely)).toBe(m);
      expect(() => decode(0n, negative, likely)).toThrow(DecodeRangeError);
      expect(() => decode(-101n, negative, likely)).toThrow(DecodeRangeError);
    }

    const mixed = { min: -50n, max: 50n };
    for (const m of [-50n, -1n, 0n, 1n, 50n]) expect(decode(m, mixed)).toBe(m);
    expect(() => decode(51n, mixed)).toThrow(DecodeRangeError);
    expect(() => decode(-51n, mixed)).toThrow(DecodeRangeError);
  });

  it('decodes a single-value range and refuses an empty one', () => {
    for (const likely of [undefined, 7n, 0n, 8n, -7n]) {
      expect(decode(7n, { min: 7n, max: 7n }, likely)).toBe(7n);
      expect(() => decode(8n, { min: 7n, max: 7n }, likely)).toThrow(DecodeRangeError);
      expect(() => decode(6n, { min: 7n, max: 7n }, likely)).toThrow(DecodeRangeError);
    }
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
    // Four slices of 5000 reach 17 000 more entries, whatever width earlier tests left.
    const target = additiveDecodingWidth() + 17_000;
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

  it('exports its keys, and a fresh decoder adopts them checked, in slices, decoding the same values', async () => {
    prepareAdditiveDecoding(additiveDecodingWidth() + 3000, Number.POSITIVE_INFINITY);
    const keys = exportAdditiveDecoding();
    expect(keys.length).toBe(additiveDecodingWidth());
    expect(checkAdditiveDecodingKeys(keys)).toBe(true);

    // Refused: not a Float64Array, empty, not integers, or a wrong key where every check looks.
    expect(checkAdditiveDecodingKeys(Array.from(keys))).toBe(false);
    expect(checkAdditiveDecodingKeys(new Float64Array(0))).toBe(false);
    expect(checkAdditiveDecodingKeys(Float64Array.from(keys, (k, j) => (j === 5 ? k + 0.5 : k)))).toBe(false);
    for (const j of [0, keys.length - 1]) {
      const damaged = Float64Array.from(keys);
      damaged[j] = (damaged[j] as number) + 1;
      expect(checkAdditiveDecodingKeys(damaged)).toBe(false);
    }

    // A new module instance starts with an empty table, like a freshly loaded page.
    vi.resetModules();
    const fresh = await import('./encoding.js');
    expect(fresh.additiveDecodingWidth()).toBe(0);
    const slice = Math.ceil(keys.length / 3);
    expect(fresh.adoptAdditiveDecoding(keys, slice)).toBe(false);
    expect(fresh.adoptAdditiveDecoding(keys, slice)).toBe(false);
    expect(fresh.adoptAdditiveDecoding(keys, slice)).toBe(true);
    expect(fresh.additiveDecodingWidth()).toBe(keys.length);
    expect(fresh.exportAdditiveDecoding()).toEqual(keys);
    // Growing on past the adopted keys continues from the right point.
    expect(fresh.prepareAdditiveDecoding(keys.length + 1000, Number.POSITIVE_INFINITY)).toBe(true);
    const range = { min: -(10n ** 9n), max: 10n ** 9n };
    for (const m of [-(10n ** 9n), -1n, 0n, BigInt(keys.length) - 1n, BigInt(keys.length), 123_456_789n]) {
      expect(fresh.decodeAdditive(group, encodeAdditive(group, m), range)).toBe(m);
    }
    expect(() => fresh.decodeAdditive(group, encodeAdditive(group, 10n ** 9n + 1n), range)).toThrow();
  });
});
