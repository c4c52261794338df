/**
 * The group implementations the service computes with: libsodium's ristretto255 in C where the
 * optional addon was built at install, else its WASM build (same group, same bytes on the wire); and
 * OpenSSL's modular exponentiation for the ffdhe groups (docs/PERFORMANCE.md has the figures).
 */

import { opensslFfdheGroup } from '../shared/groups/ffdhe-openssl.js';
import { ristretto255NativeGroup } from '../shared/groups/ristretto255-native.js';
import { ristretto255SodiumGroup } from '../shared/groups/ristretto255-sodium.js';

export const RISTRETTO255 = ristretto255NativeGroup ?? ristretto255SodiumGroup;

/** For the start-up log: npm hides the addon's build output, so this is where a fallback shows. */
export const RISTRETTO255_BACKEND = ristretto255NativeGroup
  ? 'libsodium in C (native addon)'
  : "libsodium's WASM build (native addon not built: apt-get install libsodium-dev, then npm rebuild @sealed-vitals/ristretto255-native)";

export { opensslFfdheGroup };
