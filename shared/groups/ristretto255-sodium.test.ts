/**
 * Differential tests: each libsodium backend (the WASM build, and the C one through the native addon
 * where it is built) against the noble one (itself tested against the RFC 9496 vectors in
 * ristretto255.test.ts), on random and edge-case inputs, through canonical bytes; and the RFC 9496
 * Appendix A vectors directly.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ristretto255Group as noble, type RistrettoPoint } from './ristretto255.js';
import { ristretto255NativeGroup } from './ristretto255-native.js';
import { ristretto255SodiumGroup, type SodiumRistrettoGroup } from './ristretto255-sodium.js';
import { ALL_INVALID_ENCODINGS, SMALL_MULTIPLES } from './test-support.js';

const ORDER = noble.order;
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

const scalar = fc.oneof(
  fc.constantFrom(0n, 1n, 2n, ORDER - 1n, ORDER, ORDER + 1n, -1n, -ORDER - 5n, 2n ** 300n),
  fc.bigInt({ min: -(2n ** 300n), max: 2n ** 300n }),
);
const anyPoint = fc.bigInt({ min: 0n, max: ORDER - 1n }).map((k) => noble.generator.multiplyUnsafe(k));
const P = 2n ** 255n - 19n;

/** Byte strings around the validity boundaries: random, high bit set, s + p (non-canonical), odd s. */
const anyEncoding = fc.oneof(
  fc.uint8Array({ minLength: 32, maxLength: 32 }),
  anyPoint.map((p) => noble.toBytes(p)),
  anyPoint.map((p) => {
    const bytes = noble.toBytes(p);
    bytes[31] = (bytes[31] ?? 0) | 0x80;
    return bytes;
  }),
  fc.bigInt({ min: 0n, max: 2n ** 255n - 1n - P }).map((s) => littleEndian(s + P)),
  fc.bigInt({ min: 0n, max: (P - 1n) / 2n }).map((s) => littleEndian(2n * s + 1n)),
);

function littleEndian(n: bigint): Uint8Array {
  return Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
}

/** The whole suite, for one libsodium backend. */
function libsodiumSuite(sodium: SodiumRistrettoGroup) {
  const toSodium = (p: RistrettoPoint) => sodium.fromBytes(noble.toBytes(p));
  const sameElement = (s: Uint8Array, n: RistrettoPoint) =>
    expect(hex(sodium.toBytes(s))).toBe(hex(noble.toBytes(n)));

  it('decodes the RFC 9496 A.1 multiples of the generator and computes them as k·G', () => {
    SMALL_MULTIPLES.forEach((encoding, k) => {
      const element = sodium.fromBytes(Buffer.from(encoding, 'hex'));
      expect(hex(sodium.powGenerator(BigInt(k)))).toBe(encoding);
      expect(hex(sodium.toBytes(element))).toBe(encoding);
    });
  });

  it('rejects every RFC 9496 A.2 encoding as an invalid element', () => {
    for (const encoding of ALL_INVALID_ENCODINGS) {
      expect(() => sodium.fromBytes(Buffer.from(encoding, 'hex'))).toThrow(
        expect.objectContaining({ code: 'invalid-element' }),
      );
    }
  });

  it('has the same order, identity and generator', () => {
    expect(sodium.order).toBe(ORDER);
    sameElement(sodium.identity, noble.identity);
    sameElement(sodium.generator, noble.generator);
  });

  it('accepts and rejects the same encodings, with the same problem code', () => {
    const outcome = (decode: () => unknown) => {
      try {
        decode();
        return 'valid';
      } catch (error) {
        return (error as { code?: string }).code ?? 'other';
      }
    };
    fc.assert(
      fc.property(anyEncoding, (bytes) => {
        expect(outcome(() => sodium.fromBytes(bytes))).toBe(outcome(() => noble.fromBytes(bytes)));
      }),
      { numRuns: 400 },
    );
    for (const length of [0, 31, 33]) {
      expect(outcome(() => sodium.fromBytes(new Uint8Array(length)))).toBe('invalid-encoding');
    }
  });

  it('computes the same k·G and k·P for any integer k, 0 and multiples of ℓ included', () => {
    fc.assert(
      fc.property(anyPoint, scalar, (point, k) => {
        sameElement(sodium.powGenerator(k), noble.powGenerator(k));
        sameElement(sodium.pow(toSodium(point), k), noble.pow(point, k));
      }),
      { numRuns: 60 },
    );
    sameElement(sodium.pow(sodium.identity, 7n), noble.identity);
  });

  it('adds, negates and compares like noble', () => {
    fc.assert(
      fc.property(anyPoint, anyPoint, (p, q) => {
        sameElement(sodium.multiply(toSodium(p), toSodium(q)), noble.multiply(p, q));
        sameElement(sodium.invert(toSodium(p)), noble.invert(p));
        expect(sodium.equals(toSodium(p), toSodium(q))).toBe(noble.equals(p, q));
        expect(sodium.equals(toSodium(p), toSodium(p))).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('hands out copies: changing returned bytes changes no element', () => {
    const bytes = noble.toBytes(noble.generator);
    const element = sodium.fromBytes(bytes);
    bytes[0] = (bytes[0] ?? 0) ^ 1;
    const copy = sodium.toBytes(element);
    copy[0] = (copy[0] ?? 0) ^ 1;
    sameElement(element, noble.generator);
  });
}

describe('ristretto255 on libsodium (WASM), against noble', () => libsodiumSuite(ristretto255SodiumGroup));

describe('ristretto255 on libsodium (C, native addon), against noble', () => {
  if (ristretto255NativeGroup) libsodiumSuite(ristretto255NativeGroup);
  // Visible, not silently passed; with SEALED_VITALS_REQUIRE_NATIVE=1 ristretto255-native.test.ts fails.
  else it.skip('the native addon is not built (apt-get install libsodium-dev, then npm rebuild)', () => {});
});
