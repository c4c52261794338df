/**
 * The native addon (server/native/ristretto255) against libsodium's WASM build and noble: its five
 * functions keep libsodium-wrappers' contract byte for byte (results, TypeErrors, libsodium's -1 as an
 * Error), and the group built on it computes what the other two backends compute. The group suite with
 * the RFC 9496 vectors runs on it in ristretto255-sodium.test.ts.
 */

import fc from 'fast-check';
import sodium from 'libsodium-wrappers-sumo';
import { describe, expect, it } from 'vitest';
import { ristretto255Group as noble } from './ristretto255.js';
import { libsodiumNative as addon, ristretto255NativeGroup as native } from './ristretto255-native.js';
import { type LibsodiumRistretto255, ristretto255SodiumGroup as wasm } from './ristretto255-sodium.js';

const REQUIRED = process.env.SEALED_VITALS_REQUIRE_NATIVE === '1';
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** A call's outcome, comparable across backends: the bytes or boolean returned, or the error thrown. */
function outcome(call: () => Uint8Array | boolean): string {
  try {
    const value = call();
    return typeof value === 'boolean' ? String(value) : hex(value);
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
}

describe('the native ristretto255 addon', () => {
  it.skipIf(!REQUIRED)('is built and loaded (SEALED_VITALS_REQUIRE_NATIVE=1)', () => {
    expect(addon, 'apt-get install libsodium-dev, then npm rebuild').toBeDefined();
    expect(native).toBeDefined();
  });
});

// Without the addon these are skipped, visibly; CI sets SEALED_VITALS_REQUIRE_NATIVE=1, which fails above.
describe.skipIf(addon === undefined || native === undefined)('libsodium in C, against WASM and noble', () => {
  const lib = addon as LibsodiumRistretto255;
  const group = native as NonNullable<typeof native>;
  const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
  const element = fc.bigInt({ min: 0n, max: noble.order - 1n }).map((k) => wasm.powGenerator(k));
  // Valid elements, random bytes (mostly invalid) and the identity, whose products libsodium refuses.
  const anyBytes = fc.oneof(element, bytes32, fc.constant(new Uint8Array(32)));

  it('returns what the WASM build returns, and throws where it throws', () => {
    fc.assert(
      fc.property(bytes32, anyBytes, anyBytes, (scalar, p, q) => {
        expect(outcome(() => lib.crypto_scalarmult_ristretto255(scalar, p))).toBe(
          outcome(() => sodium.crypto_scalarmult_ristretto255(scalar, p)),
        );
        expect(outcome(() => lib.crypto_scalarmult_ristretto255_base(scalar))).toBe(
          outcome(() => sodium.crypto_scalarmult_ristretto255_base(scalar)),
        );
        expect(outcome(() => lib.crypto_core_ristretto255_add(p, q))).toBe(
          outcome(() => sodium.crypto_core_ristretto255_add(p, q)),
        );
        expect(outcome(() => lib.crypto_core_ristretto255_sub(p, q))).toBe(
          outcome(() => sodium.crypto_core_ristretto255_sub(p, q)),
        );
        expect(lib.crypto_core_ristretto255_is_valid_point(p)).toBe(
          sodium.crypto_core_ristretto255_is_valid_point(p),
        );
      }),
      { numRuns: 300 },
    );
  });

  it("reports libsodium's -1 with the WASM wrapper's messages", () => {
    const zero = new Uint8Array(32);
    const invalid = new Uint8Array(32).fill(0xff);
    expect(() => lib.crypto_scalarmult_ristretto255_base(zero)).toThrow('scalar is 0');
    expect(() => lib.crypto_scalarmult_ristretto255(zero, wasm.generator)).toThrow(
      'result is identity element',
    );
    expect(() => lib.crypto_core_ristretto255_add(invalid, wasm.generator)).toThrow(
      'input is an invalid element',
    );
    expect(() => lib.crypto_core_ristretto255_sub(wasm.generator, invalid)).toThrow(
      'input is an invalid element',
    );
  });

  it('rejects an encoding with bit 255 set, as RFC 9496 §4.3.1 and the WASM build do', () => {
    const high = Uint8Array.from(wasm.generator);
    high[31] = (high[31] ?? 0) | 0x80;
    expect(lib.crypto_core_ristretto255_is_valid_point(high)).toBe(false);
    expect(() => lib.crypto_core_ristretto255_add(high, wasm.generator)).toThrow(
      'input is an invalid element',
    );
    expect(() => lib.crypto_core_ristretto255_sub(wasm.generator, high)).toThrow(
      'input is an invalid element',
    );
    expect(() => lib.crypto_scalarmult_ristretto255(wasm.generator, high)).toThrow(
      'result is identity element',
    );
    expect(() => group.fromBytes(high)).toThrow(expect.objectContaining({ code: 'invalid-element' }));
  });

  it('throws a TypeError for anything but 32-byte Uint8Arrays, and reads no byte outside them', () => {
    const g = wasm.generator;
    const wrong: unknown[] = [
      new Uint8Array(31),
      new Uint8Array(33),
      new Uint8Array(0),
      new Uint16Array(16),
      new Int8Array(32),
      new ArrayBuffer(32),
      new DataView(new ArrayBuffer(32)),
      Array.from({ length: 32 }, () => 0),
      'a'.repeat(32),
      undefined,
      null,
      32,
    ];
    const call = lib as unknown as Record<keyof LibsodiumRistretto255, (...args: unknown[]) => unknown>;
    for (const value of wrong) {
      expect(() => call.crypto_scalarmult_ristretto255(value, g)).toThrow(TypeError);
      expect(() => call.crypto_scalarmult_ristretto255(g, value)).toThrow(TypeError);
      expect(() => call.crypto_scalarmult_ristretto255_base(value)).toThrow(TypeError);
      expect(() => call.crypto_core_ristretto255_add(g, value)).toThrow(TypeError);
      expect(() => call.crypto_core_ristretto255_sub(value, g)).toThrow(TypeError);
      expect(() => call.crypto_core_ristretto255_is_valid_point(value)).toThrow(TypeError);
    }
    expect(() => call.crypto_core_ristretto255_add(g)).toThrow(TypeError);
    expect(() => call.crypto_core_ristretto255_add(g, g, g)).toThrow(TypeError);
    expect(() => call.crypto_scalarmult_ristretto255_base()).toThrow(TypeError);
    // A 32-byte view into a larger buffer is read at its offset, and only there.
    const backing = new Uint8Array(96).fill(0xff);
    backing.set(g, 32);
    expect(hex(lib.crypto_core_ristretto255_add(backing.subarray(32, 64), g))).toBe(
      hex(sodium.crypto_core_ristretto255_add(g, g)),
    );
  });

  it('returns new arrays, never its arguments', () => {
    const g = Uint8Array.from(wasm.generator);
    const sum = lib.crypto_core_ristretto255_add(g, wasm.identity);
    expect(sum).not.toBe(g);
    sum[0] = (sum[0] ?? 0) ^ 1;
    expect(hex(g)).toBe(hex(wasm.generator));
  });

  it('builds the same group as the WASM build and noble: k·G, k·P, sums and inverses', () => {
    const scalar = fc.bigInt({ min: -(2n ** 260n), max: 2n ** 260n });
    fc.assert(
      fc.property(scalar, scalar, (k, j) => {
        const p = noble.powGenerator(j);
        const fromNoble = hex(noble.toBytes(p));
        const pNative = group.fromBytes(noble.toBytes(p));
        const pWasm = wasm.fromBytes(noble.toBytes(p));
        expect(hex(group.toBytes(pNative))).toBe(fromNoble);
        const same = (n: Uint8Array, w: Uint8Array, b: Uint8Array) => {
          expect(hex(n)).toBe(hex(w));
          expect(hex(n)).toBe(hex(b));
        };
        same(group.powGenerator(k), wasm.powGenerator(k), noble.toBytes(noble.powGenerator(k)));
        same(group.pow(pNative, k), wasm.pow(pWasm, k), noble.toBytes(noble.pow(p, k)));
        const q = noble.powGenerator(k);
        same(
          group.multiply(pNative, group.fromBytes(noble.toBytes(q))),
          wasm.multiply(pWasm, wasm.fromBytes(noble.toBytes(q))),
          noble.toBytes(noble.multiply(p, q)),
        );
        same(group.invert(pNative), wasm.invert(pWasm), noble.toBytes(noble.invert(p)));
      }),
      { numRuns: 100 },
    );
  });

  describe("multiscalarmult_ristretto255, the prover's Σ kᵢ·Pᵢ", () => {
    const multiscalar = lib.multiscalarmult_ristretto255;
    it.skipIf(!REQUIRED)('is built where the addon is (libsodium-dev installs libsodium.a)', () => {
      expect(multiscalar).toBeDefined();
    });

    it.skipIf(multiscalar === undefined)(
      "is the group's pow term by term and their sum, for any scalars, repeated points and the identity",
      () => {
        const multiPow = group.multiPow as NonNullable<typeof group.multiPow>;
        const scalar = fc.oneof(
          fc.bigInt({ min: -(2n ** 260n), max: 2n ** 260n }),
          fc.constantFrom(0n, 1n, noble.order - 1n, noble.order, 2n ** 256n - 1n),
        );
        const point = fc.oneof(element, fc.constant(group.identity), fc.constant(group.generator));
        fc.assert(
          fc.property(fc.array(fc.tuple(point, scalar), { minLength: 1, maxLength: 20 }), (terms) => {
            const withRepeat = [...terms, [terms[0]?.[0] as Uint8Array, 5n] as const];
            const expected = withRepeat
              .map(([p, k]) => wasm.pow(p, k))
              .reduce((sum, t) => wasm.multiply(sum, t), wasm.identity);
            expect(hex(multiPow(withRepeat))).toBe(hex(expected));
          }),
          { numRuns: 150 },
        );
        expect(hex(multiPow([]))).toBe(hex(group.identity));
      },
    );

    it.skipIf(multiscalar === undefined)('refuses invalid points and malformed arguments', () => {
      const call = multiscalar as (...args: unknown[]) => Uint8Array;
      const g = wasm.generator;
      const two = (a: Uint8Array, b: Uint8Array) => Uint8Array.from([...a, ...b]);
      const high = Uint8Array.from(g);
      high[31] = (high[31] ?? 0) | 0x80;
      const k = new Uint8Array(32).fill(1);
      for (const bad of [new Uint8Array(32).fill(0xff), high]) {
        expect(() => call(two(k, k), two(g, bad))).toThrow('input is an invalid element');
        expect(() => call(k, bad)).toThrow('input is an invalid element');
      }
      for (const [scalars, points] of [
        [new Uint8Array(0), new Uint8Array(0)],
        [new Uint8Array(31), new Uint8Array(31)],
        [k, two(g, g)],
        [two(k, k), g],
        [new Uint16Array(16), g],
        [k, Array.from(g)],
        [new Uint8Array(32 * 4097), new Uint8Array(32 * 4097)],
      ]) {
        expect(() => call(scalars, points)).toThrow(TypeError);
      }
      expect(() => call(k)).toThrow(TypeError);
    });
  });
});
