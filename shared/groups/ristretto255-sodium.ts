/**
 * RFC 9496 ristretto255 from libsodium's WASM build (`libsodium-wrappers-sumo`), the same group as
 * `ristretto255.ts` behind the same `Group` interface: elements are their canonical 32-byte encodings,
 * so equal elements are equal bytes. Per operation it is faster than @noble/curves (docs/PERFORMANCE.md
 * has the figures); the service uses it where the native addon is not built
 * (`ristretto255-native.ts`, the same group from libsodium in C), the web app keeps noble (no WASM
 * to load). Node only: it waits for the WASM module at import time.
 */

import sodium from 'libsodium-wrappers-sumo';
import { ProtocolError } from '../errors.js';
import { randomBelow } from '../random.js';
import type { Group } from './group.js';

await sodium.ready;

/**
 * The libsodium functions a ristretto255 group is built from, with libsodium-wrappers' conventions:
 * 32-byte Uint8Arrays in and (new) out, a wrong length is a TypeError, libsodium's -1 an Error.
 */
export interface LibsodiumRistretto255 {
  crypto_scalarmult_ristretto255(scalar: Uint8Array, element: Uint8Array): Uint8Array;
  crypto_scalarmult_ristretto255_base(scalar: Uint8Array): Uint8Array;
  crypto_core_ristretto255_add(p: Uint8Array, q: Uint8Array): Uint8Array;
  crypto_core_ristretto255_sub(p: Uint8Array, q: Uint8Array): Uint8Array;
  crypto_core_ristretto255_is_valid_point(repr: Uint8Array): boolean;
  /**
   * Not libsodium's: the native addon's Σ kᵢ·Pᵢ, constant-time in the scalars, over flat arrays of
   * 32-byte scalars and encodings (the i-th of each at 32·i); absent from the WASM build, and from an
   * addon built without libsodium's static library (server/native/ristretto255/ristretto255.c).
   */
  multiscalarmult_ristretto255?(scalars: Uint8Array, points: Uint8Array): Uint8Array;
}

export interface SodiumRistrettoGroup extends Group<Uint8Array> {
  readonly name: 'ristretto255';
}

const ORDER = 2n ** 252n + 27742317777372353535851937790883648493n;
const IDENTITY = new Uint8Array(32);
const ONE = scalarBytes(1n);

/** k mod ℓ as the 32 little-endian bytes libsodium takes. */
function scalarBytes(k: bigint): Uint8Array {
  let rest = ((k % ORDER) + ORDER) % ORDER;
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++) {
    bytes[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return bytes;
}

function isIdentity(e: Uint8Array): boolean {
  return sodium.memcmp(e, IDENTITY);
}

/** The ristretto255 group on a libsodium build: its WASM one here, its C one in `ristretto255-native.ts`. */
export function libsodiumRistretto255Group(lib: LibsodiumRistretto255): SodiumRistrettoGroup {
  /**
   * k·P in constant time (libsodium's ladder) for every k. libsodium refuses a result that is the
   * identity, which happens exactly for k ≡ 0 or P = identity: 0 is multiplied as 1 (same work) and the
   * identity chosen after, as in `ristretto255.ts`; the identity point is public.
   */
  function multiplyConstantTime(point: Uint8Array, k: bigint, base: boolean): Uint8Array {
    if (!base && isIdentity(point)) return IDENTITY;
    const scalar = scalarBytes(k);
    const isZero = sodium.is_zero(scalar);
    const nonzero = isZero ? ONE : scalar;
    const product = base
      ? lib.crypto_scalarmult_ristretto255_base(nonzero)
      : lib.crypto_scalarmult_ristretto255(nonzero, point);
    return isZero ? IDENTITY : product;
  }

  const generator = lib.crypto_scalarmult_ristretto255_base(ONE);
  const multiscalar = lib.multiscalarmult_ristretto255?.bind(lib);
  /** Σ kᵢ·Pᵢ by the addon, every scalar reduced mod ℓ as `pow` reduces it; the identity decodes. */
  const multiPow = multiscalar
    ? (terms: readonly (readonly [Uint8Array, bigint])[]) => {
        if (terms.length === 0) return IDENTITY;
        const scalars = new Uint8Array(32 * terms.length);
        const points = new Uint8Array(32 * terms.length);
        terms.forEach(([point, k], i) => {
          scalars.set(scalarBytes(k), 32 * i);
          points.set(point, 32 * i);
        });
        return multiscalar(scalars, points);
      }
    : undefined;
  return {
    ...(multiPow ? { multiPow } : {}),
    name: 'ristretto255',
    order: ORDER,
    elementBytes: 32,
    identity: IDENTITY,
    generator,
    randomSecretExponent: () => randomBelow(ORDER),
    powGenerator: (k) => multiplyConstantTime(generator, k, true),
    pow: (e, k) => multiplyConstantTime(e, k, false),
    // Each of libsodium's additions decodes and re-encodes its points: a ladder costs only a few.
    multipliesPerPow: 3,
    // libsodium's add and sub decode their operands and fail only on invalid encodings, never on the
    // identity (operand or result): the sum of valid elements is always defined.
    multiply: (a, b) => lib.crypto_core_ristretto255_add(a, b),
    invert: (e) => lib.crypto_core_ristretto255_sub(IDENTITY, e),
    equals: (a, b) => sodium.memcmp(a, b),
    fromBytes(bytes) {
      if (bytes.length !== 32) {
        throw new ProtocolError('invalid-encoding', 'A ristretto255 element must be exactly 32 bytes.');
      }
      // RFC 9496 §4.3.1 decode, non-canonical and non-square encodings rejected; the identity decodes.
      if (!isIdentity(bytes) && !lib.crypto_core_ristretto255_is_valid_point(bytes)) {
        throw new ProtocolError('invalid-element', 'Not a valid ristretto255 encoding (RFC 9496 §4.3.1).');
      }
      return Uint8Array.from(bytes);
    },
    toBytes: (e) => Uint8Array.from(e),
  };
}

export const ristretto255SodiumGroup = libsodiumRistretto255Group(sodium);

/**
 * k + e·w mod ℓ in libsodium's constant-time scalar arithmetic: a prover's response, where k and w
 * are secrets (a nonce, and a weight, ρ or a re-randomization secret).
 */
export function scalarMulAddConstantTime(k: bigint, e: bigint, w: bigint): bigint {
  const product = sodium.crypto_core_ristretto255_scalar_mul(scalarBytes(e), scalarBytes(w));
  const sum = sodium.crypto_core_ristretto255_scalar_add(scalarBytes(k), product);
  let value = 0n;
  for (let i = 31; i >= 0; i--) value = (value << 8n) | BigInt(sum[i] as number);
  return value;
}
