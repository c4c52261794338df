/**
 * The Pedersen commitment's generators (spec: "The private model's commitment"): nothing-up-my-sleeve
 * points from RFC 9496 §4.3.4 element derivation, so nobody knows a discrete log between any two.
 *   Gₖ = derive(SHA-512(item("sealed-vitals/v2/generator") ‖ u32be(k))),  H = derive(SHA-512(item("sealed-vitals/v2/blinding")))
 * Returned as canonical encodings, for any ristretto255 backend to decode; derived once each.
 */

import { ristretto255_hasher } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { concatBytes, item, u32be } from './bytes.js';

const derive = (seed: Uint8Array) => ristretto255_hasher.deriveToCurve?.(sha512(seed)).toBytes();

function derived(seed: Uint8Array): Uint8Array {
  const bytes = derive(seed);
  if (!bytes) throw new Error('This @noble/curves has no RFC 9496 element derivation.');
  return bytes;
}

const generatorCache: Uint8Array[] = [];
let blinding: Uint8Array | undefined;

/** G₀ … G_(count−1). */
export function commitmentGenerators(count: number): readonly Uint8Array[] {
  for (let k = generatorCache.length; k < count; k++) {
    generatorCache.push(derived(concatBytes([item('sealed-vitals/v2/generator'), u32be(k)])));
  }
  return generatorCache.slice(0, count);
}

/** H, the blinding generator. */
export function blindingGenerator(): Uint8Array {
  blinding ??= derived(item('sealed-vitals/v2/blinding'));
  return blinding;
}
