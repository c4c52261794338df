import { pow as modPow } from '@noble/curves/abstract/modular.js';
import { numberToBytesBE } from '@noble/curves/utils.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ProblemCode } from '../errors.js';
import { createFfdheGroup, jacobiSymbol, multiPowVartime, SECRET_EXPONENT_BITS } from './ffdhe.js';
import { FFDHE_PRIMES } from './ffdhe-primes.js';
import type { FfdheGroupName } from './group.js';

/**
 * ⌊2^k·e⌋ exactly, from e = Σ 1/n!. Every term is floored at 2^(k+guard), so the computed sum
 * is a lower bound and the true value exceeds it by less than (number of terms + 2) units; the
 * result is only returned when both ends of that interval agree on the integer part.
 */
function floorPowerOfTwoTimesE(k: number): bigint {
  const guardBits = 64n;
  let term = 1n << (BigInt(k) + guardBits);
  let lowerBound = 0n;
  let terms = 0n;
  for (let n = 1n; term > 0n; n++) {
    lowerBound += term;
    terms++;
    term /= n;
  }
  const upperBound = lowerBound + terms + 2n;
  const floor = lowerBound >> guardBits;
  if (upperBound >> guardBits !== floor) throw new Error(`Need more guard bits for ⌊2^${k}·e⌋.`);
  return floor;
}

/** RFC 7919 Appendix A: p = 2^b − 2^(b−64) + (⌊2^(b−130)·e⌋ + X)·2^64 − 1. */
function rfc7919Prime(bits: number, X: number): bigint {
  const b = BigInt(bits);
  return (1n << b) - (1n << (b - 64n)) + (floorPowerOfTwoTimesE(bits - 130) + BigInt(X)) * (1n << 64n) - 1n;
}

/** Euler's criterion, the definition the Jacobi symbol must agree with for prime p. */
function legendreByEuler(a: bigint, p: bigint): -1 | 0 | 1 {
  const r = modPow(((a % p) + p) % p, (p - 1n) / 2n, p);
  if (r === 0n) return 0;
  if (r === 1n) return 1;
  if (r === p - 1n) return -1;
  throw new Error('Euler criterion gave neither 0 nor ±1: the modulus is not prime.');
}

/** (a/n) from its definition: the product of Legendre symbols over n's prime factorisation. */
function jacobiByFactoring(a: bigint, n: bigint): -1 | 0 | 1 {
  let result = 1;
  let rest = n;
  for (let prime = 3n; rest > 1n; prime += 2n) {
    while (rest % prime === 0n) {
      rest /= prime;
      const legendre = legendreByEuler(a, prime);
      if (legendre === 0) return 0;
      result *= legendre;
    }
  }
  return result === 1 ? 1 : -1;
}

const GROUPS: readonly { name: FfdheGroupName; runs: number }[] = [
  { name: 'ffdhe2048', runs: 20 },
  { name: 'ffdhe3072', runs: 10 },
  { name: 'ffdhe4096', runs: 5 },
];

/** What a `ProtocolError` with this problem code looks like to `toThrow`. */
const protocolError = (code: ProblemCode) => expect.objectContaining({ name: 'ProtocolError', code });

describe('jacobiSymbol', () => {
  it('matches textbook values', () => {
    // Worked examples from the Jacobi symbol's standard presentations (e.g. Cohen §1.4.2).
    expect(jacobiSymbol(1001n, 9907n)).toBe(-1);
    expect(jacobiSymbol(19n, 45n)).toBe(1);
    expect(jacobiSymbol(8n, 21n)).toBe(-1);
    expect(jacobiSymbol(5n, 21n)).toBe(1);
    expect(jacobiSymbol(6n, 9n)).toBe(0);
    expect(jacobiSymbol(0n, 1n)).toBe(1);
  });

  it('equals the product of Legendre symbols for every small odd modulus and residue', () => {
    for (let n = 1n; n < 120n; n += 2n) {
      for (let a = -30n; a < 2n * n; a++) {
        expect(jacobiSymbol(a, n), `(${a}/${n})`).toBe(jacobiByFactoring(a, n));
      }
    }
  });

  it('equals the product of Legendre symbols for a large composite modulus, long runs of 2s included', () => {
    const [p1, p2] = [FFDHE_PRIMES.ffdhe2048, FFDHE_PRIMES.ffdhe3072].map(({ pHex }) => BigInt(`0x${pHex}`));
    if (p1 === undefined || p2 === undefined) throw new Error('missing primes');
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: p1 * p2 }), fc.nat(100), (base, twos) => {
        const a = (base << BigInt(twos)) % (p1 * p2);
        expect(jacobiSymbol(a, p1 * p2)).toBe(legendreByEuler(a, p1) * legendreByEuler(a, p2));
      }),
      { numRuns: 12 },
    );
    expect(jacobiSymbol(3n * p1, 3n * p2)).toBe(0);
  });

  it('rejects an even or non-positive modulus', () => {
    expect(() => jacobiSymbol(3n, 10n)).toThrow(RangeError);
    expect(() => jacobiSymbol(3n, 0n)).toThrow(RangeError);
    expect(() => jacobiSymbol(3n, -7n)).toThrow(RangeError);
  });
});

describe.each(GROUPS)('$name', ({ name, runs }) => {
  const group = createFfdheGroup(name);
  const { p, order: q } = group;
  // Short exponents keep each draw cheap; g^k for k < 2^bits still ranges over 2^bits residues.
  const anyResidue = fc
    .bigInt({ min: 1n, max: (1n << BigInt(SECRET_EXPONENT_BITS[name])) - 1n })
    .map((k) => group.powGenerator(k));

  it('has the RFC 7919 prime, re-derived from its formula', () => {
    const { bits, X, pHex } = FFDHE_PRIMES[name];
    const derived = rfc7919Prime(bits, X);
    expect(derived.toString(16).toUpperCase()).toBe(pHex);
    expect(p).toBe(derived);
    expect(p.toString(2)).toHaveLength(bits);
    expect(group.elementBytes * 8).toBe(bits);
  });

  it('has q = (p − 1)/2 and the generator 2 of order q', () => {
    expect(2n * q + 1n).toBe(p);
    expect(group.generator).toBe(2n);
    expect(modPow(2n, q, p)).toBe(1n);
    expect(group.powGenerator(q)).toBe(group.identity);
  });

  it('computes the Legendre symbol like Euler’s criterion on random values', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: p - 1n }), (a) => {
        expect(jacobiSymbol(a, p)).toBe(legendreByEuler(a, p));
      }),
      { numRuns: runs },
    );
  });

  it('accepts every g^k and round-trips it through fixed-length bytes', () => {
    fc.assert(
      fc.property(anyResidue, (element) => {
        const bytes = group.toBytes(element);
        expect(bytes).toHaveLength(group.elementBytes);
        expect(group.fromBytes(bytes)).toBe(element);
        expect(group.isInSubgroup(element)).toBe(true);
      }),
      { numRuns: runs },
    );
  });

  it('keeps leading zero bytes of a small element', () => {
    const bytes = group.toBytes(4n);
    expect(bytes).toHaveLength(group.elementBytes);
    expect(group.fromBytes(bytes)).toBe(4n);
  });

  it.each([
    ['0', 0n],
    ['1, the identity', 1n],
    ['p − 1', p - 1n],
    ['p − 2, a non-residue', p - 2n],
  ])('rejects %s as invalid-element', (_, value) => {
    expect(() => group.fromBytes(numberToBytesBE(value, group.elementBytes))).toThrow(
      protocolError('invalid-element'),
    );
  });

  it('rejects p and all-0xff (≥ p) as invalid-element', () => {
    expect(() => group.fromBytes(numberToBytesBE(p, group.elementBytes))).toThrow(
      protocolError('invalid-element'),
    );
    expect(() => group.fromBytes(new Uint8Array(group.elementBytes).fill(0xff))).toThrow(
      protocolError('invalid-element'),
    );
  });

  it('rejects random non-residues p − g^k as invalid-element', () => {
    fc.assert(
      fc.property(anyResidue, (residue) => {
        // −1 is a non-residue mod p ≡ 3 (mod 4), so p − g^k lies outside the subgroup.
        const nonResidue = p - residue;
        expect(group.isInSubgroup(nonResidue)).toBe(false);
        expect(() => group.fromBytes(numberToBytesBE(nonResidue, group.elementBytes))).toThrow(
          protocolError('invalid-element'),
        );
      }),
      { numRuns: runs },
    );
  });

  it("still checks every element it did not make, and the identity, once it remembers this device's own", () => {
    const remembering = createFfdheGroup(name);
    const bytes = (e: bigint) => numberToBytesBE(e, remembering.elementBytes);
    fc.assert(
      fc.property(anyResidue, anyResidue, (own, other) => {
        remembering.rememberValid?.(own);
        expect(remembering.fromBytes(bytes(own))).toBe(own);
        expect(remembering.fromBytes(bytes(other))).toBe(other);
        expect(() => remembering.fromBytes(bytes(p - other))).toThrow(protocolError('invalid-element'));
      }),
      { numRuns: runs },
    );
    remembering.rememberValid?.(1n);
    remembering.rememberValid?.(p - 1n);
    for (const invalid of [0n, 1n, p - 1n]) {
      expect(() => remembering.fromBytes(bytes(invalid))).toThrow(protocolError('invalid-element'));
    }
    // A prepared key parses as itself, and its negation (a non-residue) is still refused.
    const key = remembering.powGenerator(12345n);
    remembering.prepareBase?.(key);
    expect(remembering.fromBytes(bytes(key))).toBe(key);
    expect(() => remembering.fromBytes(bytes(p - key))).toThrow(protocolError('invalid-element'));
  });

  it.each([
    ['one byte short', group.elementBytes - 1],
    ['one byte long', group.elementBytes + 1],
    ['empty', 0],
  ])('rejects an encoding %s as invalid-encoding', (_, length) => {
    // Valid-looking content (a small residue), so only the length can be what is rejected.
    const bytes = new Uint8Array(length);
    if (length > 0) bytes[length - 1] = 4;
    expect(() => group.fromBytes(bytes)).toThrow(protocolError('invalid-encoding'));
  });

  it('draws nonzero secret exponents of at most the RFC 7919 §5.2 length, using all of it', () => {
    const bits = SECRET_EXPONENT_BITS[name];
    // RFC 7919 Appendix A: at least 225, 275, 325 bits for ffdhe2048, 3072, 4096.
    expect(bits).toBeGreaterThanOrEqual({ ffdhe2048: 225, ffdhe3072: 275, ffdhe4096: 325 }[name]);
    const samples = Array.from({ length: 200 }, () => group.randomSecretExponent());
    for (const x of samples) {
      expect(x).toBeGreaterThan(0n);
      expect(x).toBeLessThan(1n << BigInt(bits));
    }
    // Each sample has its top bit set with probability 1/2: all 200 missing it is a 2^−200 event.
    expect(samples.some((x) => x >= 1n << BigInt(bits - 1))).toBe(true);
  });

  it('reduces exponents modulo q, negative ones included', () => {
    fc.assert(
      fc.property(anyResidue, fc.bigInt({ min: -(1n << 300n), max: 1n << 300n }), (element, k) => {
        const expected = modPow(element, ((k % q) + q) % q, p);
        expect(group.pow(element, k)).toBe(expected);
        expect(group.multiply(group.pow(element, k), group.pow(element, -k))).toBe(group.identity);
      }),
      { numRuns: runs },
    );
  });

  it('computes g^k from its fixed-base table like square-and-multiply, at and past the table’s edges', () => {
    const bits = BigInt(SECRET_EXPONENT_BITS[name]);
    const edges = [0n, 1n, 63n, 64n, (1n << bits) - 1n, 1n << bits, q - 1n, q, q + 1n, -1n];
    for (const k of edges) expect(group.powGenerator(k)).toBe(modPow(2n, ((k % q) + q) % q, p));
    fc.assert(
      fc.property(
        fc.oneof(fc.bigInt({ min: 0n, max: (1n << bits) - 1n }), fc.bigInt({ min: -p, max: p })),
        (k) => {
          expect(group.powGenerator(k)).toBe(modPow(2n, ((k % q) + q) % q, p));
        },
      ),
      { numRuns: runs },
    );
  });

  it('computes y^k for prepared bases like square-and-multiply, while more bases than it keeps come and go', () => {
    const bits = BigInt(SECRET_EXPONENT_BITS[name]);
    // Two more keys than the group keeps tables for, prepared in turn: the oldest tables are dropped.
    const bases = Array.from({ length: 6 }, () => group.powGenerator(group.randomSecretExponent()));
    // Short exponents take the tables; the long ones at the edges (q − 1, −1) the plain path.
    const exponent = fc.oneof(
      fc.constantFrom(0n, 1n, (1n << bits) - 1n, 1n << bits, q - 1n, -1n),
      fc.bigInt({ min: 0n, max: (1n << bits) - 1n }),
    );
    for (const base of bases) {
      group.prepareBase?.(base);
      fc.assert(
        fc.property(fc.constantFrom(...bases), exponent, (y, k) => {
          expect(group.pow(y, k)).toBe(modPow(y, ((k % q) + q) % q, p));
        }),
        { numRuns: Math.max(5, runs / 2) },
      );
    }
  }, 30_000);

  it('raises a base prepared for longer exponents to them by its table, and longer ones still by the plain path', () => {
    const bits = SECRET_EXPONENT_BITS[name] + 385;
    const base = group.powGenerator(group.randomSecretExponent());
    group.prepareBase?.(base, bits);
    const exponent = fc.oneof(
      fc.constantFrom((1n << BigInt(bits)) - 1n, 1n << BigInt(bits), q - 1n),
      fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n }),
    );
    fc.assert(
      fc.property(exponent, (k) => {
        expect(group.pow(base, k)).toBe(modPow(base, k % q, p));
      }),
      { numRuns: Math.max(5, runs / 2) },
    );
  }, 30_000);

  it('inverts elements', () => {
    fc.assert(
      fc.property(anyResidue, (element) => {
        expect(group.multiply(element, group.invert(element))).toBe(1n);
      }),
      { numRuns: runs },
    );
  });

  it('inverts many public elements at once like one at a time, repeats and 1 included', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(anyResidue, fc.constant(1n)), { maxLength: 9 }), (elements) => {
        const list = elements.length > 0 ? [...elements, elements[0] as bigint] : elements;
        expect(group.invertAllVartime?.(list)).toEqual(list.map((e) => group.invert(e)));
      }),
      { numRuns: Math.max(5, runs / 2) },
    );
  });

  it('multiplies powers of public bases in one pass like square-and-multiply, for any exponent length', () => {
    const exponent = fc.oneof(
      fc.constantFrom(0n, 1n, 2n, 3n, 31n, 32n, 33n, (1n << 256n) - 1n),
      fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }),
      fc.bigInt({ min: 0n, max: (1n << 700n) - 1n }),
      fc.bigInt({ min: 0n, max: 100n }),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(anyResidue, exponent), { maxLength: 4 }), (terms) => {
        const expected = terms.reduce((product, [b, k]) => (product * modPow(b, k, p)) % p, 1n);
        expect(multiPowVartime(terms, p)).toBe(expected);
      }),
      { numRuns: Math.max(5, runs / 2) },
    );
    expect(() => multiPowVartime([[2n, -1n]], p)).toThrow(RangeError);
  }, 30_000);

  it('decodes big-endian', () => {
    const bytes = new Uint8Array(group.elementBytes);
    bytes[group.elementBytes - 2] = 1;
    expect(group.fromBytes(bytes)).toBe(256n);
  });
});
