/**
 * How far our hot paths are from the machine's limit: the same operations in native code.
 * - ristretto255: libsodium in C (bench/native/ristretto255.c, compiled here against the system's
 *   libsodium.so) and libsodium's WASM build (`libsodium-wrappers-sumo`, what a browser could load);
 * - ffdhe: OpenSSL's constant-time modular exponentiation, through Node's `crypto.createDiffieHellman`.
 */

import { execFileSync } from 'node:child_process';
import { createDiffieHellman } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { numberToBytesBE } from '@noble/curves/utils.js';
import sodium from 'libsodium-wrappers-sumo';
import { SECRET_EXPONENT_BITS } from '../shared/groups/ffdhe.js';
import { ffdheGroup } from '../shared/groups/index.js';
import { measure } from './measure.js';

export interface NativeResult {
  readonly backend: string;
  readonly operation: string;
  readonly microseconds: number;
}

const LIBSODIUM_PATHS = [
  '/usr/lib/x86_64-linux-gnu/libsodium.so.23',
  '/usr/lib/x86_64-linux-gnu/libsodium.so',
];

/** libsodium in C, or nothing (with the reason on stderr) where there is no compiler or library. */
function libsodiumC(): NativeResult[] {
  const library = LIBSODIUM_PATHS.find((path) => existsSync(path));
  if (library === undefined) {
    console.warn('No system libsodium: skipping the native C rows (apt-get install libsodium23).');
    return [];
  }
  const source = fileURLToPath(new URL('./native/ristretto255.c', import.meta.url));
  const binary = join(mkdtempSync(join(tmpdir(), 'sealed-vitals-bench-')), 'ristretto255');
  try {
    execFileSync('cc', ['-O2', '-o', binary, source, library], { stdio: ['ignore', 'ignore', 'inherit'] });
  } catch {
    console.warn('No C compiler (cc): skipping the native C rows.');
    return [];
  }
  const microseconds = JSON.parse(execFileSync(binary, { encoding: 'utf8' })) as Record<string, number>;
  return Object.entries(microseconds).map(([operation, us]) => ({
    backend: 'libsodium (C)',
    operation,
    microseconds: us,
  }));
}

async function libsodiumWasm(): Promise<NativeResult[]> {
  await sodium.ready;
  const scalar = sodium.crypto_core_ristretto255_scalar_random();
  const point = sodium.crypto_scalarmult_ristretto255_base(sodium.crypto_core_ristretto255_scalar_random());
  const other = sodium.crypto_scalarmult_ristretto255_base(sodium.crypto_core_ristretto255_scalar_random());
  const rows: [string, () => unknown][] = [
    ['scalarmultBase', () => sodium.crypto_scalarmult_ristretto255_base(scalar)],
    ['scalarmult', () => sodium.crypto_scalarmult_ristretto255(scalar, point)],
    ['isValidPoint', () => sodium.crypto_core_ristretto255_is_valid_point(point)],
    ['add', () => sodium.crypto_core_ristretto255_add(point, other)],
  ];
  return rows.map(([operation, run]) => ({
    backend: 'libsodium (WASM)',
    operation,
    microseconds: measure(run).medianMs * 1000,
  }));
}

/** g^r and y^r with a secret-length exponent, as encryption and re-randomization do. */
function opensslModexp(): NativeResult[] {
  const group = ffdheGroup('ffdhe3072');
  const toBuffer = (n: bigint, bytes: number) => Buffer.from(numberToBytesBE(n, bytes));
  const dh = createDiffieHellman(toBuffer(group.p, group.elementBytes), toBuffer(2n, 1));
  const exponent = toBuffer(group.randomSecretExponent(), Math.ceil(SECRET_EXPONENT_BITS.ffdhe3072 / 8));
  const y = toBuffer(group.powGenerator(group.randomSecretExponent()), group.elementBytes);
  dh.setPrivateKey(exponent);
  const rows: [string, () => unknown][] = [
    ['g^r (280-bit r)', () => dh.generateKeys()],
    ['y^r (280-bit r)', () => dh.computeSecret(y)],
  ];
  return rows.map(([operation, run]) => ({
    backend: 'OpenSSL via node:crypto (ffdhe3072)',
    operation,
    microseconds: measure(run).medianMs * 1000,
  }));
}

export async function benchNative(): Promise<NativeResult[]> {
  return [...libsodiumC(), ...(await libsodiumWasm()), ...opensslModexp()];
}
