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
 * A full-length exponent would cost 9–12× more per modular exponentiation for no added security.
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
}

export function createFfdheGroup(name: FfdheGroupName): FfdheGroup {
  const p = BigInt(`0x${FFDHE_PRIMES[name].pHex}`);
  const q = (p - 1n) / 2n;
  const elementBytes = FFDHE_PRIMES[name].bits / 8;
  const exponentBits = SECRET_EXPONENT_BITS[name];
  const reduce = (k: bigint) => ((k % q) + q) % q;

  return {
    name,
    p,
    order: q,
    elementBytes,
    identity: 1n,
    generator: 2n,
    randomSecretExponent: () => randomNonzeroBits(exponentBits),
    // BigInt arithmetic is not constant-time in any JS engine; documented in docs/SECURITY.md.
    powGenerator: (k) => modPow(2n, reduce(k), p),
    pow: (e, k) => modPow(e, reduce(k), p),
    multiply: (a, b) => (a * b) % p,
    invert: (e) => invert(e, p),
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
      // Spec: valid iff 1 < y < p−1 and y^q ≡ 1; for a safe prime the latter is (y/p) = 1.
      if (e <= 1n || e >= p - 1n || jacobiSymbol(e, p) !== 1) {
        throw new ProtocolError('invalid-element', `Not an element of the ${name} prime-order subgroup.`);
      }
      return e;
    },
    toBytes: (e) => numberToBytesBE(e, elementBytes),
  };
}

/**
 * The Jacobi symbol (a/n) for odd n > 0, by quadratic reciprocity (Cohen, Algorithm 1.4.10).
 * For prime n it is the Legendre symbol: about 70× cheaper than a^((n−1)/2) mod n on 3072-bit
 * values. Only ever applied to public elements, so it need not be constant-time.
 */
export function jacobiSymbol(a: bigint, n: bigint): -1 | 0 | 1 {
  if (n <= 0n || n % 2n === 0n) throw new RangeError('The Jacobi symbol needs an odd positive modulus.');
  let x = ((a % n) + n) % n;
  let m = n;
  let sign: -1 | 1 = 1;
  while (x !== 0n) {
    while (x % 2n === 0n) {
      x /= 2n;
      const r = m % 8n;
      if (r === 3n || r === 5n) sign = sign === 1 ? -1 : 1;
    }
    [x, m] = [m, x];
    if (x % 4n === 3n && m % 4n === 3n) sign = sign === 1 ? -1 : 1;
    x %= m;
  }
  return m === 1n ? sign : 0;
}
