import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AdditiveDecoder } from './additive-decoder.js';
import type { AdditiveOps } from './computations/computation.js';
import { type Ciphertext, decryptElement, encryptElement, generateKeyPair } from './elgamal.js';
import { decodeMultiplicative, encodeAdditive, encodeMultiplicative, type IntegerRange } from './encoding.js';
import type { Group } from './groups/group.js';
import { ffdheGroup, type RistrettoPoint, ristretto255Group } from './groups/index.js';
import { ristretto255SodiumGroup } from './groups/ristretto255-sodium.js';
import { additiveOps, multiplicativeOps, publicAdditiveOps } from './homomorphic.js';

describe('multiplicativeOps (ffdhe3072)', () => {
  const group = ffdheGroup('ffdhe3072');
  const ops = multiplicativeOps(group);
  const { x, y } = generateKeyPair(group);
  const encrypt = (m: bigint) => encryptElement(group, y, encodeMultiplicative(group, m));
  const decrypt = (c: Ciphertext<bigint>) =>
    decodeMultiplicative(group, decryptElement(group, x, c), { min: 1n, max: group.order });
  const plaintext = fc.bigInt({ min: 1n, max: 2n ** 1000n });

  it('multiply gives the product', () => {
    fc.assert(
      fc.property(plaintext, plaintext, (m1, m2) => {
        expect(decrypt(ops.multiply(encrypt(m1), encrypt(m2)))).toBe(m1 * m2);
      }),
      { numRuns: 15 },
    );
  });

  it('power gives the power, 0 and 1 included', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 2n ** 100n }), fc.bigInt({ min: 0n, max: 20n }), (m, k) => {
        expect(decrypt(ops.power(encrypt(m), k))).toBe(m ** k);
      }),
      { numRuns: 15 },
    );
  });

  it('multiplyByConstant gives the product with a public constant', () => {
    fc.assert(
      fc.property(plaintext, plaintext, (m, constant) => {
        expect(decrypt(ops.multiplyByConstant(encrypt(m), constant))).toBe(m * constant);
      }),
      { numRuns: 15 },
    );
  });
});

/**
 * Encrypts and decrypts with the noble group (whose encoding is tested against RFC 9496), and moves
 * ciphertexts to the backend under test through their canonical bytes.
 */
function additiveSuite<E>(
  backend: string,
  group: Group<E>,
  makeOps: (group: Group<E>) => AdditiveOps<E>,
): void {
  describe(`${makeOps.name} (ristretto255, ${backend})`, () => {
    const noble = ristretto255Group;
    const decoder = new AdditiveDecoder();
    const ops = makeOps(group);
    const { x, y } = generateKeyPair(noble);
    /** Wide enough for every result below: |value| ≤ 1000, |weight| ≤ 10, at most 5 terms. */
    const results: IntegerRange = { min: -50_000n, max: 50_000n };
    const toBackend = (p: RistrettoPoint) => group.fromBytes(noble.toBytes(p));
    const encrypt = (m: bigint): Ciphertext<E> => {
      const { a, b } = encryptElement(noble, y, encodeAdditive(noble, m));
      return { a: toBackend(a), b: toBackend(b) };
    };
    const decrypt = (c: Ciphertext<E>) => {
      const fromBackend = (e: E) => noble.fromBytes(group.toBytes(e));
      const ciphertext = { a: fromBackend(c.a), b: fromBackend(c.b) };
      return decoder.decode(decryptElement(noble, x, ciphertext), results);
    };
    const value = fc.bigInt({ min: -1000n, max: 1000n });
    const weight = fc.oneof(fc.constantFrom(0n, -1n, 1n), fc.bigInt({ min: -10n, max: 10n }));

    it('add gives the sum', () => {
      fc.assert(
        fc.property(value, value, (m1, m2) => {
          expect(decrypt(ops.add(encrypt(m1), encrypt(m2)))).toBe(m1 + m2);
        }),
        { numRuns: 20 },
      );
    });

    it('subtract gives the difference, negative ones included', () => {
      expect(decrypt(ops.subtract(encrypt(3n), encrypt(10n)))).toBe(-7n);
      fc.assert(
        fc.property(value, value, (m1, m2) => {
          expect(decrypt(ops.subtract(encrypt(m1), encrypt(m2)))).toBe(m1 - m2);
        }),
        { numRuns: 20 },
      );
    });

    it('multiplyByInteger gives the multiple, by zero and negative factors too', () => {
      fc.assert(
        fc.property(value, weight, (m, factor) => {
          expect(decrypt(ops.multiplyByInteger(encrypt(m), factor))).toBe(m * factor);
        }),
        { numRuns: 20 },
      );
    });

    it('multiplyByInteger reduces factors modulo ℓ, past ℓ/2 and below −ℓ included', () => {
      fc.assert(
        fc.property(value, weight, fc.bigInt({ min: -3n, max: 3n }), (m, factor, wraps) => {
          const wrapped = factor + wraps * group.order;
          expect(decrypt(ops.multiplyByInteger(encrypt(m), wrapped))).toBe(m * factor);
        }),
        { numRuns: 10 },
      );
    });

    it('addConstant adds a public constant of either sign', () => {
      fc.assert(
        fc.property(value, value, (m, constant) => {
          expect(decrypt(ops.addConstant(encrypt(m), constant))).toBe(m + constant);
        }),
        { numRuns: 20 },
      );
    });

    it('weightedSum gives Σ weight·m, with zero and negative weights', () => {
      const terms = fc.array(fc.tuple(value, weight), { minLength: 1, maxLength: 5 });
      fc.assert(
        fc.property(terms, (pairs) => {
          const expected = pairs.reduce((sum, [m, w]) => sum + m * w, 0n);
          const sum = ops.weightedSum(pairs.map(([m, w]) => [encrypt(m), w] as const));
          expect(decrypt(sum)).toBe(expected);
        }),
        { numRuns: 20 },
      );
      const allZero = ops.weightedSum([
        [encrypt(5n), 0n],
        [encrypt(-7n), 0n],
      ]);
      expect(decrypt(allZero)).toBe(0n);
    });

    it('weightedSum refuses an empty sum', () => {
      expect(() => ops.weightedSum([])).toThrow(RangeError);
    });
  });
}

additiveSuite('noble', ristretto255Group, additiveOps);
additiveSuite('noble', ristretto255Group, publicAdditiveOps);
additiveSuite('libsodium', ristretto255SodiumGroup, additiveOps);
additiveSuite('libsodium', ristretto255SodiumGroup, publicAdditiveOps);

describe('publicAdditiveOps picks double-and-add or the ladder by the group’s costs', () => {
  /** libsodium's group, counting the additions and ladders asked of it. */
  function counted() {
    const calls = { multiply: 0, pow: 0 };
    const group: Group<Uint8Array> = {
      ...ristretto255SodiumGroup,
      multiply: (a, b) => {
        calls.multiply++;
        return ristretto255SodiumGroup.multiply(a, b);
      },
      pow: (e, k) => {
        calls.pow++;
        return ristretto255SodiumGroup.pow(e, k);
      },
    };
    return { group, calls };
  }
  const element = ristretto255SodiumGroup.powGenerator(7n);
  const ciphertext = { a: element, b: element };

  it.each([
    { weight: 1n, multiply: 0, pow: 0 },
    { weight: -4n, multiply: 4, pow: 0 },
    { weight: 5n, multiply: 0, pow: 2 },
    { weight: 1000n, multiply: 0, pow: 2 },
  ])('weight $weight: $multiply additions, $pow ladders', ({ weight, multiply, pow }) => {
    const { group, calls } = counted();
    publicAdditiveOps(group).multiplyByInteger(ciphertext, weight);
    expect(calls).toEqual({ multiply, pow });
  });

  it('a group without multipliesPerPow always adds (noble adds points without re-encoding them)', () => {
    expect(ristretto255Group.multipliesPerPow).toBeUndefined();
    expect(ristretto255SodiumGroup.multipliesPerPow).toBe(3);
  });
});
