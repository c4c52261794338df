/**
 * The test vectors of docs/STUDIES.md, "Cryptography": everything from fixed seeds (`deterministic-scalars.ts`),
 * so that `vectors.test.ts` recomputes them byte for byte. Run `npx tsx shared/studies/crypto/generate-vectors.ts`
 * to rewrite vectors.json after a deliberate change of format (and say so in the docs).
 */

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bytesToHex } from '@noble/curves/utils.js';
import { ristretto255Group as group, type RistrettoPoint } from '../../groups/ristretto255.js';
import { proveBit } from './bit-proof.js';
import {
  type CeremonyParameters,
  checkCeremonyRecord,
  commitmentMessageToWire,
  encryptShares,
  receiveShares,
  shareMessageToWire,
  startCeremony,
} from './ceremony.js';
import { ciphertextToWire, encrypt, sumCiphertexts } from './ciphertext.js';
import { bytesToWire } from './codec.js';
import { deterministicScalars } from './deterministic-scalars.js';
import { proveOneHot } from './one-hot-proof.js';
import { multiplyCiphertext, proveProduct } from './product-proof.js';
import { proveRange } from './range-proof.js';
import { combinePartialDecryptions, partialDecrypt, partialDecryptionToBytes } from './threshold.js';
import { transcript } from './transcript.js';

const utf8 = new TextEncoder();
const element = (e: RistrettoPoint) => bytesToWire(group.toBytes(e));

export function computeVectors() {
  const scalars = deterministicScalars('sealed-vitals/study/v1/vectors');
  const context = utf8.encode('study:example/contribution:1');

  // The ceremony (n = 3, k = 2) first: its joint key encrypts everything below.
  const trusteeSecrets = [1, 2, 3].map(() => scalars.scalar());
  const params: CeremonyParameters<RistrettoPoint> = {
    studyId: 'study:example',
    threshold: 2,
    trusteeKeys: trusteeSecrets.map((x) => group.powGenerator(x)),
  };
  const started = trusteeSecrets.map((_, i) => startCeremony(group, params, i + 1, scalars));
  const commitments = started.map((s) => s.message);
  const shares = started.flatMap((s, i) => encryptShares(group, params, i + 1, s.polynomial, scalars));
  const received = trusteeSecrets.map((secretKey, i) =>
    receiveShares(
      group,
      params,
      { index: i + 1, secretKey, polynomial: started[i]?.polynomial ?? [] },
      commitments,
      shares,
    ),
  );
  const verifications = received.map((r) => r.message);
  const { jointKey: K, verificationKeys } = checkCeremonyRecord(group, params, {
    commitments,
    shares,
    verifications,
  });

  const bit = encrypt(group, K, 1n, scalars);
  const bitProof = proveBit(group, K, bit.ciphertext, bit.opening, context, scalars);
  const range = encrypt(group, K, 5n, scalars);
  const rangeProof = proveRange(group, K, range.ciphertext, range.opening, 6n, context, scalars);
  const choice = [0n, 1n, 0n].map((v) => encrypt(group, K, v, scalars));
  const oneHotProof = proveOneHot(
    group,
    K,
    choice.map((c) => c.ciphertext),
    choice.map((c) => c.opening),
    context,
    scalars,
  );
  const x = encrypt(group, K, 3n, scalars);
  const square = multiplyCiphertext(group, K, 3n, x.ciphertext, scalars);
  const productProof = proveProduct(
    group,
    K,
    { x: x.ciphertext, y: x.ciphertext, z: square.z },
    { x: x.opening, t: square.t },
    context,
    scalars,
  );

  const total = sumCiphertexts(group, [bit.ciphertext, range.ciphertext, x.ciphertext]);
  const decryptionContext = utf8.encode('study:example/tally/measure:0');
  const partials = [1, 3].map((index) =>
    partialDecrypt(
      group,
      {
        index,
        secretShare: received[index - 1]?.secretShare as bigint,
        verificationKey: verificationKeys[index - 1] as RistrettoPoint,
      },
      total,
      decryptionContext,
      scalars,
    ),
  );

  return {
    description:
      'Sealed Vitals study cryptography v1 test vectors (docs/STUDIES.md, "Cryptography"). Bytes are unpadded base64url unless named *Hex; secrets are given (decimal) only so implementations can reproduce the proofs.',
    group: 'ristretto255',
    context: bytesToWire(context),
    ceremony: {
      studyId: params.studyId,
      threshold: params.threshold,
      trusteeSecretKeys: trusteeSecrets.map(String),
      trusteeKeys: params.trusteeKeys.map(element),
      polynomials: started.map((s) => s.polynomial.map(String)),
      commitments: commitments.map((m) => commitmentMessageToWire(group, m)),
      shares: shares.map(shareMessageToWire),
      verifications,
      jointKey: element(K),
      secretShares: received.map((r) => String(r.secretShare)),
      verificationKeys: verificationKeys.map(element),
    },
    bit: {
      value: '1',
      randomness: String(bit.opening.randomness),
      ciphertext: ciphertextToWire(group, bit.ciphertext),
      proof: bytesToWire(bitProof),
      transcriptHex: bytesToHex(
        transcript('bit', [
          context,
          group.toBytes(K),
          group.toBytes(bit.ciphertext.a),
          group.toBytes(bit.ciphertext.b),
          bitProof.slice(0, 32),
          bitProof.slice(32, 64),
          bitProof.slice(64, 96),
          bitProof.slice(96, 128),
        ]),
      ),
    },
    range: {
      max: '6',
      value: '5',
      randomness: String(range.opening.randomness),
      ciphertext: ciphertextToWire(group, range.ciphertext),
      proof: bytesToWire(rangeProof),
    },
    oneHot: {
      values: ['0', '1', '0'],
      ciphertexts: choice.map((c) => ciphertextToWire(group, c.ciphertext)),
      proof: bytesToWire(oneHotProof),
    },
    product: {
      x: '3',
      X: ciphertextToWire(group, x.ciphertext),
      Y: ciphertextToWire(group, x.ciphertext),
      Z: ciphertextToWire(group, square.z),
      proof: bytesToWire(productProof),
    },
    decryption: {
      context: bytesToWire(decryptionContext),
      ciphertext: ciphertextToWire(group, total),
      partials: partials.map((p) => ({
        trustee: p.trustee,
        partial: bytesToWire(partialDecryptionToBytes(group, p)),
      })),
      plaintextPoint: element(combinePartialDecryptions(group, total, partials, params.threshold)),
      plaintext: '9',
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const path = fileURLToPath(new URL('./vectors.json', import.meta.url));
  writeFileSync(path, `${JSON.stringify(computeVectors(), null, 2)}\n`);
  console.log(`wrote ${path}`);
}
