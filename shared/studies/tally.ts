/**
 * The tally of a study (docs/STUDIES.md, "The tally"): the accepted contributions' ciphertexts summed
 * slot by slot, the trustees' partial decryptions of those sums checked and combined, and each total
 * decoded from m·G within the bound the layout gives for that many contributions. Anyone can redo it
 * from the published record: it holds no secret.
 */

import { ristretto255 } from '@noble/curves/ed25519.js';
import { AdditiveDecoder } from '../additive-decoder.js';
import type { Group } from '../groups/group.js';
import { concatBytes, item } from '../proofs/bytes.js';
import {
  type Ciphertext,
  type Claim,
  claim,
  combinePartialDecryptions,
  type PartialDecryption,
  partialDecryptionEquations,
  sumCiphertexts,
} from './crypto/index.js';
import { slotTotalBounds } from './layout.js';
import type { Study } from './study-file.js';

/** Slot by slot, the sum of every contribution's ciphertexts (each an array in layout order). */
export function sumSlots<E>(
  group: Group<E>,
  slotCount: number,
  contributions: readonly (readonly Ciphertext<E>[])[],
): Ciphertext<E>[] {
  return Array.from({ length: slotCount }, (_, slot) =>
    sumCiphertexts(
      group,
      contributions.map((slots) => {
        const c = slots[slot];
        if (c === undefined) throw new RangeError(`A contribution has no slot ${slot}.`);
        return c;
      }),
    ),
  );
}

const PARTIAL_LABEL = 'sealed-vitals/study/v1/tally';

/**
 * The context of every partial decryption of a tally: the study digest and the number of contributions
 * summed, so that a trustee's proof is about this tally and no other.
 */
export function tallyContext(studyDigest: Uint8Array, contributions: number): Uint8Array {
  return concatBytes([item(PARTIAL_LABEL), item(studyDigest), item(String(contributions))]);
}

/** One trustee's partial decryptions, one per summed slot. */
export interface TrusteeDecryption<E> {
  readonly trustee: number;
  readonly partials: readonly PartialDecryption<E>[];
}

/** Claims that each trustee's partial decryption of each slot is sₗ·A with its verification key. */
export function decryptionClaims<E>(
  group: Group<E>,
  totals: readonly Ciphertext<E>[],
  decryption: TrusteeDecryption<E>,
  verificationKey: E,
  context: Uint8Array,
): Claim<E>[] {
  if (decryption.partials.length !== totals.length) {
    return [
      claim(`trustee ${decryption.trustee}`, () => {
        throw new RangeError(`${decryption.partials.length} partial decryptions for ${totals.length} slots.`);
      }),
    ];
  }
  return totals.map((total, slot) =>
    claim(`trustee ${decryption.trustee}: slot ${slot}`, () => {
      const partial = decryption.partials[slot] as PartialDecryption<E>;
      if (partial.trustee !== decryption.trustee) throw new RangeError('The partial names another trustee.');
      return partialDecryptionEquations(group, verificationKey, total, partial, context);
    }),
  );
}

/**
 * The totals: the partial decryptions of k trustees (already verified) combined by Lagrange weights
 * at 0, and each m·G decoded in [0, bound]. Throws when a total is outside its bound, which no honest
 * tally of valid contributions can make.
 */
export function decryptTotals<E>(
  group: Group<E>,
  study: Study,
  totals: readonly Ciphertext<E>[],
  decryptions: readonly TrusteeDecryption<E>[],
  contributions: number,
  decoder: AdditiveDecoder = new AdditiveDecoder(),
): bigint[] {
  const bounds = slotTotalBounds(study, contributions);
  return totals.map((total, slot) => {
    const partials = decryptions.map((d) => d.partials[slot] as PartialDecryption<E>);
    const element = combinePartialDecryptions(group, total, partials, study.trustees.threshold);
    // The decoder works on noble's points; the native group's elements are turned into them by bytes.
    const point = ristretto255.Point.fromBytes(group.toBytes(element));
    return decoder.decode(point, { min: 0n, max: bounds[slot] as bigint });
  });
}
