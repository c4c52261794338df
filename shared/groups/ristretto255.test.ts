import { bytesToHex, hexToBytes } from '@noble/curves/utils.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ProblemCode } from '../errors.js';
import { ristretto255Group as group, type RistrettoPoint } from './ristretto255.js';
import { INVALID_ENCODINGS, SMALL_MULTIPLES } from './test-support.js';

const ORDER = group.order;
/** The group order ℓ as RFC 9496 §4 states it. */
const RFC_9496_ORDER = 2n ** 252n + 27742317777372353535851937790883648493n;

/** What a `ProtocolError` with this problem code looks like to `toThrow`. */
const protocolError = (code: ProblemCode) => expect.objectContaining({ name: 'ProtocolError', code });

/** The variable-time reference: noble's multiplyUnsafe, which only accepts 0 ≤ k < ℓ. */
function referenceMultiple(point: RistrettoPoint, k: bigint): RistrettoPoint {
  return point.multiplyUnsafe(((k % ORDER) + ORDER) % ORDER);
}

const anyPoint = fc.bigInt({ min: 1n, max: ORDER - 1n }).map((k) => group.generator.multiplyUnsafe(k));

describe('ristretto255', () => {
  it('has the RFC 9496 order', () => {
    expect(ORDER).toBe(RFC_9496_ORDER);
    expect(group.elementBytes).toBe(32);
  });

  it.each(SMALL_MULTIPLES.map((hex, i) => [i, hex] as const))(
    'decodes RFC 9496 A.1 vector %i·B, equal to pow(B, i)',
    (i, hex) => {
      const decoded = group.fromBytes(hexToBytes(hex));
      const computed = group.pow(group.generator, BigInt(i));
      expect(decoded.equals(computed)).toBe(true);
      expect(group.equals(group.powGenerator(BigInt(i)), decoded)).toBe(true);
      expect(bytesToHex(group.toBytes(computed))).toBe(hex);
    },
  );

  it('has the identity and the base point of RFC 9496 A.1', () => {
    expect(bytesToHex(group.toBytes(group.identity))).toBe(SMALL_MULTIPLES[0]);
    expect(bytesToHex(group.toBytes(group.generator))).toBe(SMALL_MULTIPLES[1]);
  });

  describe.each(Object.entries(INVALID_ENCODINGS))('rejects RFC 9496 A.2: %s', (_, encodings) => {
    it.each(encodings)('%s', (hex) => {
      expect(() => group.fromBytes(hexToBytes(hex))).toThrow(protocolError('invalid-element'));
    });
  });

  it.each([0, 31, 33, 64])('rejects %i bytes as invalid-encoding', (length) => {
    expect(() => group.fromBytes(new Uint8Array(length))).toThrow(protocolError('invalid-encoding'));
  });

  it.each([
    ['0', 0n],
    ['1', 1n],
    ['ℓ − 1', ORDER - 1n],
    ['ℓ', ORDER],
    ['ℓ + 1', ORDER + 1n],
    ['−1', -1n],
    ['−ℓ − 5', -ORDER - 5n],
    ['2^300', 2n ** 300n],
  ])('pow with k = %s matches the variable-time multiple', (_, k) => {
    fc.assert(
      fc.property(anyPoint, (point) => {
        expect(group.pow(point, k).equals(referenceMultiple(point, k))).toBe(true);
      }),
      { numRuns: 5 },
    );
    expect(group.powGenerator(k).equals(referenceMultiple(group.generator, k))).toBe(true);
    expect(group.pow(group.identity, k).equals(group.identity)).toBe(true);
  });

  it('pow matches the variable-time multiple for any integer k', () => {
    fc.assert(
      fc.property(anyPoint, fc.bigInt({ min: -(2n ** 300n), max: 2n ** 300n }), (point, k) => {
        expect(group.pow(point, k).equals(referenceMultiple(point, k))).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it('pow matches the variable-time multiple on a point used often enough to get its own table', () => {
    const point = group.generator.multiplyUnsafe(987654321n);
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 260n), max: 2n ** 260n }), (k) => {
        expect(group.pow(point, k).equals(referenceMultiple(point, k))).toBe(true);
      }),
      { numRuns: 30 },
    );
    expect(group.pow(point, 0n).equals(group.identity)).toBe(true);
  });

  it('round-trips random points through their canonical encoding', () => {
    fc.assert(
      fc.property(anyPoint, (point) => {
        const bytes = group.toBytes(point);
        expect(bytes).toHaveLength(32);
        const decoded = group.fromBytes(bytes);
        expect(group.equals(decoded, point)).toBe(true);
        expect(group.toBytes(decoded)).toEqual(bytes);
      }),
      { numRuns: 50 },
    );
  });

  it('adds, negates and compares points as a group', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: ORDER - 1n }),
        fc.bigInt({ min: 0n, max: ORDER - 1n }),
        (j, k) => {
          const sum = group.multiply(group.powGenerator(j), group.powGenerator(k));
          expect(group.equals(sum, referenceMultiple(group.generator, j + k))).toBe(true);
          expect(group.equals(group.multiply(sum, group.invert(sum)), group.identity)).toBe(true);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('draws secret scalars in [1, ℓ)', () => {
    for (let i = 0; i < 200; i++) {
      const k = group.randomSecretExponent();
      expect(k).toBeGreaterThan(0n);
      expect(k).toBeLessThan(ORDER);
    }
  });
});
