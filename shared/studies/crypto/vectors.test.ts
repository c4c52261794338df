/** The documented test vectors (vectors.json): recomputed byte for byte, and verified from their wire form alone. */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { claim, verifyBatch } from './batch.js';
import { bitProofEquations } from './bit-proof.js';
import {
  checkCeremonyRecord,
  commitmentMessageFromWire,
  shareMessageFromWire,
  verificationMessageFromWire,
} from './ceremony.js';
import { ciphertextFromWire } from './ciphertext.js';
import { bytesFromWire, parseElement } from './codec.js';
import { computeVectors } from './generate-vectors.js';
import { oneHotProofEquations } from './one-hot-proof.js';
import { productProofEquations } from './product-proof.js';
import { rangeProofEquations } from './range-proof.js';
import { group } from './test-support.js';
import {
  combinePartialDecryptions,
  partialDecryptionEquations,
  partialDecryptionFromBytes,
} from './threshold.js';

const stored = JSON.parse(readFileSync(new URL('./vectors.json', import.meta.url), 'utf8'));

describe('test vectors', () => {
  it('are what the code computes from their seeds', () => {
    expect(JSON.parse(JSON.stringify(computeVectors()))).toEqual(stored);
  });

  it('verify from the published bytes alone', () => {
    const element = (text: string, what: string) => parseElement(group, bytesFromWire(text, what, 32), what);
    const c = stored.ceremony;
    const params = {
      studyId: c.studyId,
      threshold: c.threshold,
      trusteeKeys: c.trusteeKeys.map((k: string, i: number) => element(k, `trustee key ${i + 1}`)),
    };
    const { jointKey: K, verificationKeys } = checkCeremonyRecord(group, params, {
      commitments: c.commitments.map((m: unknown) => commitmentMessageFromWire(group, m)),
      shares: c.shares.map(shareMessageFromWire),
      verifications: c.verifications.map(verificationMessageFromWire),
    });
    expect(group.toBytes(K)).toEqual(bytesFromWire(c.jointKey, 'jointKey', 32));

    const context = bytesFromWire(stored.context, 'context');
    const ct = (text: string) => ciphertextFromWire(group, text, 'ciphertext');
    const proof = (text: string) => bytesFromWire(text, 'proof');
    const oneHot = stored.oneHot.ciphertexts.map(ct);
    const product = { x: ct(stored.product.X), y: ct(stored.product.Y), z: ct(stored.product.Z) };
    const decryption = stored.decryption;
    const total = ct(decryption.ciphertext);
    const partials = decryption.partials.map((p: { trustee: number; partial: string }) =>
      partialDecryptionFromBytes(group, p.trustee, bytesFromWire(p.partial, 'partial')),
    );
    const decryptionContext = bytesFromWire(decryption.context, 'context');
    const result = verifyBatch(group, [
      claim('bit', () =>
        bitProofEquations(group, K, ct(stored.bit.ciphertext), proof(stored.bit.proof), context),
      ),
      claim('range', () =>
        rangeProofEquations(
          group,
          K,
          ct(stored.range.ciphertext),
          BigInt(stored.range.max),
          proof(stored.range.proof),
          context,
        ),
      ),
      claim('one-hot', () => oneHotProofEquations(group, K, oneHot, proof(stored.oneHot.proof), context)),
      claim('product', () => productProofEquations(group, K, product, proof(stored.product.proof), context)),
      ...partials.map((p: ReturnType<typeof partialDecryptionFromBytes<typeof K>>) =>
        claim(`partial ${p.trustee}`, () =>
          partialDecryptionEquations(
            group,
            verificationKeys[p.trustee - 1] as typeof K,
            total,
            p,
            decryptionContext,
          ),
        ),
      ),
    ]);
    expect(result).toEqual({ valid: true, failures: [] });
    const point = combinePartialDecryptions(group, total, partials, c.threshold);
    expect(point.equals(group.powGenerator(BigInt(decryption.plaintext)))).toBe(true);
  });
});
