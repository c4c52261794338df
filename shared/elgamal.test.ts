import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Ciphertext,
  combine,
  decryptElement,
  encryptElement,
  generateKeyPair,
  invertCiphertext,
  rerandomize,
  scale,
  shift,
} from './elgamal.js';
import type { Group } from './groups/group.js';
import { ffdheGroup, ristretto255Group } from './groups/index.js';

/**
 * The ElGamal laws, stated once over the `Group` interface and checked in every protocol group.
 * Plaintext elements are g^k for short k: cheap to draw in the big ffdhe groups, and still
 * 2^64 distinct values.
 */
function describeElGamalLaws<E>(group: Group<E>, numRuns: number): void {
  describe(group.name, () => {
    const element = fc.bigInt({ min: 0n, max: 2n ** 64n }).map((k) => group.powGenerator(k));
    const exponent = fc.oneof(fc.constantFrom(0n, 1n, -1n), fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }));
    const keyPair = generateKeyPair(group);
    const { x, y } = keyPair;
    const decrypt = (c: Ciphertext<E>) => decryptElement(group, x, c);
    const encrypt = (m: E) => encryptElement(group, y, m);
    const expectEqual = (actual: E, expected: E) => expect(group.equals(actual, expected)).toBe(true);

    it('makes a key pair 0 < x < order with y = g^x', () => {
      expect(x).toBeGreaterThan(0n);
      expect(x).toBeLessThan(group.order);
      expectEqual(y, group.powGenerator(x));
      expect(group.equals(y, group.identity)).toBe(false);
    });

    it('decrypts what it encrypts, and nothing else under another key', () => {
      const otherKey = generateKeyPair(group);
      fc.assert(
        fc.property(element, (m) => {
          const c = encrypt(m);
          expectEqual(decrypt(c), m);
          expect(group.equals(c.a, group.identity)).toBe(false);
          expect(group.equals(decryptElement(group, otherKey.x, c), m)).toBe(false);
        }),
        { numRuns },
      );
    });

    it('uses fresh randomness for each encryption', () => {
      const m = group.powGenerator(42n);
      const [c1, c2] = [encrypt(m), encrypt(m)];
      expect(group.equals(c1.a, c2.a)).toBe(false);
      expect(group.equals(c1.b, c2.b)).toBe(false);
    });

    it('re-randomizes: same plaintext, both components new', () => {
      fc.assert(
        fc.property(element, (m) => {
          const c = encrypt(m);
          const fresh = rerandomize(group, y, c);
          expectEqual(decrypt(fresh), m);
          expect(group.equals(fresh.a, c.a)).toBe(false);
          expect(group.equals(fresh.b, c.b)).toBe(false);
          // Fresh randomness each time, not a fixed offset an observer could undo.
          const again = rerandomize(group, y, c);
          expect(group.equals(again.a, fresh.a)).toBe(false);
        }),
        { numRuns },
      );
    });

    it('combines ciphertexts into the product of plaintexts', () => {
      fc.assert(
        fc.property(element, element, (m1, m2) => {
          expectEqual(decrypt(combine(group, encrypt(m1), encrypt(m2))), group.multiply(m1, m2));
        }),
        { numRuns },
      );
    });

    it('scales a ciphertext into the plaintext to the power k, for k zero or negative too', () => {
      fc.assert(
        fc.property(element, exponent, (m, k) => {
          expectEqual(decrypt(scale(group, encrypt(m), k)), group.pow(m, k));
        }),
        { numRuns },
      );
      const c = encrypt(group.generator);
      expectEqual(decrypt(scale(group, c, 0n)), group.identity);
      expectEqual(decrypt(scale(group, c, -1n)), group.invert(group.generator));
      expectEqual(decrypt(scale(group, c, group.order + 3n)), group.powGenerator(3n));
    });

    it('shifts the plaintext by a public element', () => {
      fc.assert(
        fc.property(element, element, (m, n) => {
          expectEqual(decrypt(shift(group, encrypt(m), n)), group.multiply(m, n));
        }),
        { numRuns },
      );
    });

    it('inverts the plaintext', () => {
      fc.assert(
        fc.property(element, (m) => {
          const inverted = decrypt(invertCiphertext(group, encrypt(m)));
          expectEqual(inverted, group.invert(m));
          expectEqual(group.multiply(inverted, m), group.identity);
        }),
        { numRuns },
      );
    });
  });
}

describeElGamalLaws(ristretto255Group, 40);
describeElGamalLaws(ffdheGroup('ffdhe2048'), 12);
describeElGamalLaws(ffdheGroup('ffdhe3072'), 6);
describeElGamalLaws(ffdheGroup('ffdhe4096'), 4);
