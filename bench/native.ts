/**
 * How far our hot paths are from the machine's limit: the same operations in native code.
 * - ristretto255: libsodium in C (bench/native/ristretto255.c, compiled here against the system's
 *   libsodium.so), the same through the service's Node-API addon (server/native/ristretto255: the C
 *   cost plus the call's), and libsodium's WASM build (`libsodium-wrappers-sumo`, what a browser can load);
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
import { libsodiumNative } from '../shared/groups/ristretto255-native.js';
import type { LibsodiumRistretto255 } from '../shared/groups/ristretto255-sodium.js';
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

/** The same calls on libsodium's WASM build and, where it is built, through the native addon. */
async function libsodiumFromNode(): Promise<NativeResult[]> {
  await sodium.ready;
  const backends: [string, LibsodiumRistretto255][] = [['libsodium (WASM)', sodium]];
  if (libsodiumNative) backends.unshift(['libsodium (C, Node-API addon)', libsodiumNative]);
  else console.warn('The native addon is not built: skipping its rows (apt-get install libsodium-dev).');
  const scalar = sodium.crypto_core_ristretto255_scalar_random();
  const point = sodium.crypto_scalarmult_ristretto255_base(sodium.crypto_core_ristretto255_scalar_random());
  const other = sodium.crypto_scalarmult_ristretto255_base(sodium.crypto_core_ristretto255_scalar_random());
  return backends.flatMap(([backend, lib]) => {
    const rows: [string, () => unknown][] = [
      ['scalarmultBase', () => lib.crypto_scalarmult_ristretto255_base(scalar)],
      ['scalarmult', () => lib.crypto_scalarmult_ristretto255(scalar, point)],
      ['isValidPoint', () => lib.crypto_core_ristretto255_is_valid_point(point)],
      ['add', () => lib.crypto_core_ristretto255_add(point, other)],
    ];
    return rows.map(([operation, run]) => ({
      backend,
      operation,
      microseconds: measure(run).medianMs * 1000,
    }));
  });
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
  return [...libsodiumC(), ...(await libsodiumFromNode()), ...opensslModexp()];
}
