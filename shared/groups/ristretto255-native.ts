/**
 * The same ristretto255 group as `ristretto255-sodium.ts`, from libsodium in C through the optional
 * Node-API addon `server/native/ristretto255` (built at `npm install` where libsodium-dev is installed):
 * native code, faster again than the WASM build (docs/PERFORMANCE.md).
 * `undefined` where the addon is not built; the service then uses the WASM build. Node only.
 */

import { createRequire } from 'node:module';
import { type LibsodiumRistretto255, libsodiumRistretto255Group } from './ristretto255-sodium.js';

const ADDON = '@sealed-vitals/ristretto255-native';

function loadAddon(): LibsodiumRistretto255 | undefined {
  try {
    // The package exports undefined when its build failed; it is absent with `npm install --omit=optional`.
    return createRequire(import.meta.url)(ADDON) as LibsodiumRistretto255 | undefined;
  } catch (error) {
    if ((error as { code?: string }).code === 'MODULE_NOT_FOUND') return undefined;
    throw error;
  }
}

/** The addon's libsodium functions themselves, for its tests and the benchmarks. */
export const libsodiumNative = loadAddon();

export const ristretto255NativeGroup =
  libsodiumNative === undefined ? undefined : libsodiumRistretto255Group(libsodiumNative);
