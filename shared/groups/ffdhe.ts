/**
 * The prime-order-q subgroup of Z_p*, p an RFC 7919 safe prime (p = 2q + 1), generator 2.
 * Elements are bigints in (1, p−1); the subgroup is exactly the quadratic residues mod p.
 */

import { invert, pow as modPow } from '@noble/curves/abstract/modular.js';
import { bytesToNumberBE, numberToBytesBE } from '@noble/curves/utils.js';
import { ProtocolError } from '../errors.js';
import { randomNonzeroBits } from '../random.js';
import { FFDHE_PRIMES } from './ffdhe-primes.js';
import type { FfdheGroupName, Group } from './group.js';

/**
 * Bit length of secret exponents (private keys and encryption randomness): RFC 7919 §5.2 gives the
 * shortest exponent that keeps each group at its estimated strength (225, 275 and 325 bits), because
 * with a safe prime the only shortcut is Pollard's lambda in √(2^bits). Rounded up to whole bytes.
 * A full-length exponent would make every modular exponentiation as many times slower as it is longer
 * (docs/PERFORMANCE.md) for no added security.
 */
export const SECRET_EXPONENT_BITS: Record<FfdheGroupName, number> = {
  ffdhe2048: 232,
  ffdhe3072: 280,
  ffdhe4096: 328,
};

export interface FfdheGroup extends Group<bigint> {
  readonly name: FfdheGroupName;
  readonly p: bigint;
  /** True when e is a quadratic residue mod p, i.e. lies in the order-q subgroup. */
  isInSubgroup(e: bigint): boolean;
  /** True when pow(e, k) for 0 ≤ k < 2^bits is taken from fixed-base tables (`prepareBase`). */
  hasTableFor(e: bigint, bits: number): boolean;
}

export function createFfdheGroup(name: FfdheGroupName): FfdheGroup {
  const p = BigInt(`0x${FFDHE_PRIMES[name].pHex}`);
  const q = (p - 1n) / 2n;
  const elementBytes = FFDHE_PRIMES[name].bits / 8;
  const exponentBits = SECRET_EXPONENT_BITS[name];
  const reduce = (k: bigint) => ((k % q) + q) % q;
  const tables = new PreparedBases(p, exponentBits);
  const known = new KnownElements();
  const pow = (e: bigint, k: bigint): bigint => {
    const exponent = reduce(k);
    // A secret (short) exponent always takes the same number of windows; only a longer, public one
    // (a verifier's response) takes as many as it has, where `prepareBase` built the rows for it.
    const bits = exponent >> BigInt(exponentBits) === 0n ? exponentBits : exponent.toString(2).length;
    const derived = tables.derivation(e);
    if (derived) {
      // e = base·g^δ (δ < 2^exponentBits): e^k = base^k · g^(k·δ), both from tables; k·δ < 2^(bits + exponentBits).
      const { base, generator } = derived;
      if (bits <= base.coveredBits && bits + exponentBits <= generator.coveredBits) {
        const product = exponent * derived.delta;
        return (
          (powFixedBase(base, exponent, bits, p) * powFixedBase(generator, product, bits + exponentBits, p)) %
          p
        );
      }
      return modPow(e, exponent, p);
    }
    const table = tables.get(e);
    if (!table) return modPow(e, exponent, p);
    return bits <= table.coveredBits ? powFixedBase(table, exponent, bits, p) : modPow(e, exponent, p);
  };
  const powGenerator = (k: bigint) => {
    tables.prepare(2n);
    return pow(2n, k);
  };

  return {
    name,
    p,
    order: q,
    elementBytes,
    identity: 1n,
    generator: 2n,
    randomSecretExponent: () => randomNonzeroBits(exponentBits),
    // BigInt arithmetic is not constant-time in any JS engine; documented in docs/SECURITY.md.
    powGenerator,
    pow,
    prepareBase: (e, bits) => tables.prepare(e, bits),
    prepareDerivedBase(derived, base, delta) {
      const baseTable = tables.get(base);
      if (!baseTable || delta <= 0n || delta >> BigInt(exponentBits) !== 0n) return;
      tables.prepare(2n, baseTable.coveredBits + exponentBits);
      tables.derive(derived, base, delta);
    },
    multiply: (a, b) => (a * b) % p,
    invert: (e) => invert(e, p),
    invertAllVartime: (elements) => invertAllVartime(elements, p),
    hasTableFor(e, bits) {
      const derived = tables.derivation(e);
      if (derived)
        return bits <= derived.base.coveredBits && bits + exponentBits <= derived.generator.coveredBits;
      return bits <= (tables.get(e)?.coveredBits ?? 0);
    },
    equals: (a, b) => a === b,
    isInSubgroup: (e) => jacobiSymbol(e, p) === 1,
    fromBytes(bytes) {
      if (bytes.length !== elementBytes) {
        throw new ProtocolError(
          'invalid-encoding',
          `A ${name} element must be exactly ${elementBytes} bytes.`,
        );
      }
      const e = bytesToNumberBE(bytes);
      // This device's own key (a prepared base) and ciphertexts were valid when made: not checked again.
      if (known.has(e) || tables.isPrepared(e)) return e;
      // Spec: valid iff 1 < y < p−1 and y^q ≡ 1; for a safe prime the latter is (y/p) = 1.
      if (e <= 1n || e >= p - 1n || jacobiSymbol(e, p) !== 1) {
        throw new ProtocolError('invalid-element', `Not an element of the ${name} prime-order subgroup.`);
      }
      return e;
    },
    rememberValid(e) {
      // 1 is the group's identity but not a valid encoding (spec: "Groups"); never remembered.
      if (e > 1n && e < p - 1n) known.add(e);
    },
    toBytes: (e) => numberToBytesBE(e, elementBytes),
  };
}

/**
 * Elements this device made (its own ciphertexts, `rememberValid`), which it parses again when it
 * verifies the answer to them: their Jacobi symbols need not be computed. Only valid elements enter,
 * so an element found here is one the full check accepts; elements from elsewhere (an answer's
 * outputs) are always checked. Bounded: the earliest remembered is forgotten first.
 */
class KnownElements {
  static readonly MAX = 256;
  readonly #elements = new Set<bigint>();

  has(e: bigint): boolean {
    return this.#elements.has(e);
  }

  add(e: bigint): void {
    if (this.#elements.has(e)) return;
    if (this.#elements.size >= KnownElements.MAX) {
      this.#elements.delete(this.#elements.values().next().value as bigint);
    }
    this.#elements.add(e);
  }
}

/**
 * The fixed-base tables of one group: g's, built on the first g^k, and those of up to
 * `MAX_PREPARED_KEYS` other bases a caller prepared (the public keys a device encrypts to), the
 * earliest prepared dropped first. Keyed by value, so a key parsed again finds its table.
 */
class PreparedBases {
  static readonly MAX_PREPARED_KEYS = 4;
  readonly #tables = new Map<bigint, FixedBaseTable>();

  constructor(
    readonly p: bigint,
    readonly exponentBits: number,
  ) {}

  /** Blinded keys (base·g^δ) encrypted to once or twice each: a relation, not a table. */
  static readonly MAX_DERIVED = 64;
  readonly #derived = new Map<bigint, { readonly base: bigint; readonly delta: bigint }>();

  get(base: bigint): FixedBaseTable | undefined {
    return this.#tables.get(base);
  }

  /** A base given to `prepare` or `derive`: g, or a key this device holds (elements, so valid). */
  isPrepared(element: bigint): boolean {
    return this.#tables.has(element) || this.#derived.has(element);
  }

  derivation(
    element: bigint,
  ):
    | { readonly base: FixedBaseTable; readonly generator: FixedBaseTable; readonly delta: bigint }
    | undefined {
    const derived = this.#derived.get(element);
    const base = derived && this.#tables.get(derived.base);
    const generator = this.#tables.get(2n);
    return derived && base && generator ? { base, generator, delta: derived.delta } : undefined;
  }

  derive(derived: bigint, base: bigint, delta: bigint): void {
    if (this.#derived.size >= PreparedBases.MAX_DERIVED) {
      this.#derived.delete(this.#derived.keys().next().value as bigint);
    }
    this.#derived.set(derived, { base, delta });
  }

  prepare(base: bigint, bits = this.exponentBits): void {
    const existing = this.#tables.get(base);
    if (existing) {
      existing.extendTo(bits);
      return;
    }
    const keys = [...this.#tables.keys()].filter((key) => key !== 2n);
    if (base !== 2n && keys.length >= PreparedBases.MAX_PREPARED_KEYS) this.#tables.delete(keys[0] as bigint);
    const table = new FixedBaseTable(base, this.p);
    table.extendTo(Math.max(bits, this.exponentBits));
    this.#tables.set(base, table);
  }
}

/** Digits per window of the fixed-base table: 6 measured fastest per byte of table (docs/PERFORMANCE.md). */
const WINDOW_BITS = 6;
const WINDOW_MASK = BigInt((1 << WINDOW_BITS) - 1);

/**
 * Fixed-base windowing (HAC §14.6.3, Algorithm 14.109 with h = 2^6): rows[i][d] = base^(d·2^(6i)), the
 * powers of a base that every exponent is made of, built once for ffdhe3072's 280-bit exponents (a
 * verifier's 665-bit responses need more rows, built ahead by `prepareBase`). Then base^k costs one
 * modular multiplication per window, ⌈280/6⌉ = 47 for ffdhe3072, and no squarings, where
 * square-and-multiply needs 280 squarings and about 140 multiplications (docs/PERFORMANCE.md).
 */
class FixedBaseTable {
  readonly rows: bigint[][] = [];
  #nextWindowBase: bigint;

  constructor(
    base: bigint,
    readonly p: bigint,
  ) {
    this.#nextWindowBase = base;
  }

  get coveredBits(): number {
    return this.rows.length * WINDOW_BITS;
  }

  /** Rows for every exponent below 2^bits. */
  extendTo(bits: number): void {
    const { p } = this;
    while (this.rows.length < Math.ceil(bits / WINDOW_BITS)) {
      const windowBase = this.#nextWindowBase;
      const row = [1n];
      for (let digit = 1; digit <= Number(WINDOW_MASK); digit++) {
        row.push(((row[digit - 1] as bigint) * windowBase) % p);
      }
      this.rows.push(row);
      this.#nextWindowBase = ((row[row.length - 1] as bigint) * windowBase) % p;
    }
  }
}

/** base^k for 0 ≤ k < 2^bits: one multiplication per window, zero digits included. */
function powFixedBase(table: FixedBaseTable, k: bigint, bits: number, p: bigint): bigint {
  const windows = Math.ceil(bits / WINDOW_BITS);
  let result = 1n;
  let rest = k;
  for (let i = 0; i < windows; i++) {
    result = (result * (table.rows[i]?.[Number(rest & WINDOW_MASK)] as bigint)) % p;
    rest >>= BigInt(WINDOW_BITS);
  }
  return result;
}

/**
 * Every element's inverse mod p with one modular inversion (Montgomery's trick: the running products,
 * the inverse of the last, then back down), where each BigInt inversion costs as much as dozens of
 * multiplications. Variable-time (like every BigInt inversion): for public elements only, a verifier's.
 */
export function invertAllVartime(elements: readonly bigint[], p: bigint): bigint[] {
  if (elements.length === 0) return [];
  const prefix: bigint[] = [];
  let product = 1n;
  for (const e of elements) {
    prefix.push(product);
    product = (product * e) % p;
  }
  let inverse = invert(product, p);
  const inverses = new Array<bigint>(elements.length);
  for (let i = elements.length - 1; i >= 0; i--) {
    inverses[i] = (inverse * (prefix[i] as bigint)) % p;
    inverse = (inverse * (elements[i] as bigint)) % p;
  }
  return inverses;
}

/**
 * Π bᵢ^kᵢ mod p for public bases and exponents only (a verifier's): variable-time simultaneous
 * multi-exponentiation (Straus) with sliding windows, so all terms share one chain of squarings and
 * each takes a multiplication per window of its exponent, zero bits skipped. Exponents must be ≥ 0.
 * Never for a secret exponent: which windows are multiplied, and when, follows its bits.
 */
export function multiPowVartime(terms: readonly (readonly [bigint, bigint])[], p: bigint): bigint {
  const windows: { at: number; odd: bigint[]; digit: number }[][] = [];
  let top = -1;
  for (const [base, k] of terms) {
    if (k < 0n) throw new RangeError('multiPowVartime takes exponents ≥ 0.');
    if (k === 0n) continue;
    const bits = k.toString(2);
    const width = bits.length > 240 ? 5 : bits.length > 80 ? 4 : 3;
    // base^1, base^3, …, base^(2^width − 1): the odd digits a window can end on.
    const square = (base * base) % p;
    const odd = [base % p];
    for (let i = 1; i < 1 << (width - 1); i++) odd.push(((odd[i - 1] as bigint) * square) % p);
    const list: { at: number; odd: bigint[]; digit: number }[] = [];
    // Left to right: a window starts at a set bit and ends at the lowest set bit within `width`.
    for (let i = 0; i < bits.length; ) {
      if (bits[i] === '0') {
        i++;
        continue;
      }
      let end = Math.min(i + width, bits.length) - 1;
      while (bits[end] === '0') end--;
      list.push({ at: bits.length - 1 - end, odd, digit: Number.parseInt(bits.slice(i, end + 1), 2) });
      i = end + 1;
    }
    top = Math.max(top, bits.length - 1);
    windows.push(list);
  }
  // Multiplications due at each bit position, from the top down.
  const due = new Map<number, bigint[]>();
  for (const list of windows) {
    for (const { at, odd, digit } of list) {
      const factor = odd[(digit - 1) >> 1] as bigint;
      const existing = due.get(at);
      if (existing) existing.push(factor);
      else due.set(at, [factor]);
    }
  }
  let result = 1n;
  for (let bit = top; bit >= 0; bit--) {
    if (result !== 1n) result = (result * result) % p;
    for (const factor of due.get(bit) ?? []) result = (result * factor) % p;
  }
  return result;
}

/**
 * The Jacobi symbol (a/n) for odd n > 0, by quadratic reciprocity (Cohen, Algorithm 1.4.10).
 * For prime n it is the Legendre symbol, in a number of steps like Euclid's gcd instead of the
 * thousands of modular multiplications of a^((n−1)/2) mod n on 3072-bit values. Only ever applied to
 * public elements, so it need not be constant-time.
 *
 * BigInt operations cost an allocation each, so the factors of 2 leave in one shift per step (only the
 * parity of their count matters) and residues mod 8 are read from the low word; once both values fit in
 * a double, the rest runs on Numbers.
 */
export function jacobiSymbol(a: bigint, n: bigint): -1 | 0 | 1 {
  if (n <= 0n || n % 2n === 0n) throw new RangeError('The Jacobi symbol needs an odd positive modulus.');
  let x = ((a % n) + n) % n;
  let m = n;
  let negate = false;
  while (x !== 0n) {
    if (m <= MAX_SAFE) return jacobiOfSafeIntegers(Number(x), Number(m), negate);
    let twos = 0;
    while ((x & WORD_MASK) === 0n) {
      x >>= 32n;
      twos += 32;
    }
    const lowWord = Number(x & WORD_MASK);
    const trailing = 31 - Math.clz32(lowWord & -lowWord);
    x >>= BigInt(trailing);
    twos += trailing;
    const mMod8 = Number(m & 7n);
    // (2/m) = −1 iff m ≡ 3, 5 (mod 8); reciprocity flips the sign iff both are ≡ 3 (mod 4).
    if (twos % 2 === 1 && (mMod8 === 3 || mMod8 === 5)) negate = !negate;
    if (Number(x & 3n) === 3 && mMod8 % 4 === 3) negate = !negate;
    [x, m] = [m % x, x];
  }
  return m === 1n ? (negate ? -1 : 1) : 0;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const WORD_MASK = 0xffff_ffffn;

/** The same steps on Numbers, exact below 2^53 (x < m ≤ 2^53 − 1). */
function jacobiOfSafeIntegers(a: number, n: number, negateAtStart: boolean): -1 | 0 | 1 {
  let x = a;
  let m = n;
  let negate = negateAtStart;
  while (x !== 0) {
    while (x % 2 === 0) {
      x /= 2;
      if (m % 8 === 3 || m % 8 === 5) negate = !negate;
    }
    if (x % 4 === 3 && m % 4 === 3) negate = !negate;
    [x, m] = [m % x, x];
  }
  return m === 1 ? (negate ? -1 : 1) : 0;
}
