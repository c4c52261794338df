import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AdditiveDecoder, checkStoredKeys } from './additive-decoder.js';
import { encodeAdditive, type IntegerRange } from './encoding.js';
import { DecodeRangeError } from './errors.js';
import { ristretto255Group } from './groups/index.js';

/** A range [min, max] together with one value inside it. */
function rangeWithValue(minBound: bigint, maxBound: bigint, maxWidth: bigint) {
  return fc
    .tuple(fc.bigInt({ min: minBound, max: maxBound }), fc.bigInt({ min: 0n, max: maxWidth }))
    .chain(([min, width]) =>
      fc.record({ range: fc.constant({ min, max: min + width }), m: fc.bigInt({ min, max: min + width }) }),
    );
}

describe('AdditiveDecoder (ristretto255)', () => {
  const group = ristretto255Group;
  /** One decoder for the file: its table only grows, as in the worker. */
  const decoder = new AdditiveDecoder();
  const decode = (m: bigint, range: IntegerRange, likely?: bigint) =>
    decoder.decode(encodeAdditive(group, m), range, likely);

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
        decoder.prepare(width, Number.POSITIVE_INFINITY);
        expect(decode(m, range, likely)).toBe(m);
        expect(() => decode(range.min - 1n, range, likely)).toThrow(DecodeRangeError);
        expect(() => decode(range.max + 1n, range, likely)).toThrow(DecodeRangeError);
      }),
      { numRuns: 30 },
    );
  });

  it('finds values on both sides of each anchor, up to and across where one anchor hands over to the next', () => {
    decoder.prepare(64, Number.POSITIVE_INFINITY);
    const w = BigInt(decoder.width);
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
    expect(() => decoder.decode(random, { min: -1000n, max: 1000n })).toThrow(DecodeRangeError);
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
    const target = decoder.width + 17_000;
    for (let slice = 0; slice < 3; slice++) expect(decoder.prepare(target, 5000)).toBe(false);
    expect(decoder.prepare(target, 5000)).toBe(true);
    expect(decoder.prepare(target, 5000)).toBe(true);
    const range = { min: -50_000n, max: 50_000_000n };
    for (const m of [-50_000n, -1n, 0n, 19_999n, 20_000n, 20_001n, 49_999_999n, 50_000_000n]) {
      expect(decode(m, range)).toBe(m);
    }
    expect(() => decode(50_000_001n, range)).toThrow(DecodeRangeError);
    expect(() => decode(-50_001n, range)).toThrow(DecodeRangeError);
  });

  it('exports its keys, and a fresh decoder adopts them checked, in slices, decoding the same values', () => {
    decoder.prepare(decoder.width + 3000, Number.POSITIVE_INFINITY);
    const keys = decoder.exportKeys();
    expect(keys.length).toBe(decoder.width);
    expect(checkStoredKeys(keys)).toBe(true);

    // Refused: not a Float64Array, empty, not integers, or a wrong key where every check looks.
    expect(checkStoredKeys(Array.from(keys))).toBe(false);
    expect(checkStoredKeys(new Float64Array(0))).toBe(false);
    expect(checkStoredKeys(Float64Array.from(keys, (k, j) => (j === 5 ? k + 0.5 : k)))).toBe(false);
    for (const j of [0, keys.length - 1]) {
      const damaged = Float64Array.from(keys);
      damaged[j] = (damaged[j] as number) + 1;
      expect(checkStoredKeys(damaged)).toBe(false);
    }

    // A new decoder starts with an empty table, like a freshly loaded page, whatever others built.
    const fresh = new AdditiveDecoder();
    expect(fresh.width).toBe(0);
    const slice = Math.ceil(keys.length / 3);
    expect(fresh.adopt(keys, slice)).toBe(false);
    expect(fresh.adopt(keys, slice)).toBe(false);
    expect(fresh.adopt(keys, slice)).toBe(true);
    expect(fresh.width).toBe(keys.length);
    expect(fresh.exportKeys()).toEqual(keys);
    // Growing on past the adopted keys continues from the right point.
    expect(fresh.prepare(keys.length + 1000, Number.POSITIVE_INFINITY)).toBe(true);
    const range = { min: -(10n ** 9n), max: 10n ** 9n };
    for (const m of [-(10n ** 9n), -1n, 0n, BigInt(keys.length) - 1n, BigInt(keys.length), 123_456_789n]) {
      expect(fresh.decode(encodeAdditive(group, m), range)).toBe(m);
    }
    expect(() => fresh.decode(encodeAdditive(group, 10n ** 9n + 1n), range)).toThrow();
    expect(decoder.width).toBe(keys.length);
  });

  it('builds only the ⌈√n / 4⌉ table a decode needs, in its own instance', () => {
    const own = new AdditiveDecoder();
    const n = 3n * 10n ** 9n;
    expect(own.decode(encodeAdditive(group, 1234n), { min: 0n, max: n - 1n }, 1200n)).toBe(1234n);
    expect(own.width).toBe(13_694); // ⌈√(3·10^9)⌉ = 54 773, a quarter of it rounded up
    expect(new AdditiveDecoder().width).toBe(0);
  });
});
