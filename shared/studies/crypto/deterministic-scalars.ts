/**
 * A deterministic `ScalarSource` for the test vectors and tests ONLY: scalar i is
 * SHA-512(item("sealed-vitals/study/v1/test-scalars") ‖ item(seed) ‖ u32be(i)) as a little-endian
 * integer mod ℓ (0 is skipped). Never for a real proof: anyone who knows the seed knows every secret.
 */

import { bytesToNumberLE } from '@noble/curves/utils.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { concatBytes, item, u32be } from '../../proofs/bytes.js';
import { mod, type ScalarSource } from './scalars.js';

export function deterministicScalars(seed: string): ScalarSource {
  let counter = 0;
  return {
    scalar() {
      for (;;) {
        const digest = sha512(
          concatBytes([item('sealed-vitals/study/v1/test-scalars'), item(seed), u32be(counter++)]),
        );
        const value = mod(bytesToNumberLE(digest));
        if (value !== 0n) return value;
      }
    },
  };
}
