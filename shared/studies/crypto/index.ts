/** The cryptography of studies (docs/STUDIES.md, "Cryptography"): one module per object, re-exported here. */

export type { BatchResult, Claim, Equation } from './batch.js';
export { claim, equationsHold, verifierMsm, verifyBatch } from './batch.js';
export { BIT_PROOF_BYTES, bitProofEquations, proveBit } from './bit-proof.js';
export type {
  CeremonyParameters,
  CeremonyRecord,
  CommitmentMessage,
  CommitmentMessageWire,
  Complaint,
  ShareMessage,
  ShareMessageWire,
  VerificationMessage,
} from './ceremony.js';
export {
  CeremonyError,
  COEFFICIENT_PROOF_BYTES,
  ceremonyBinding,
  checkCeremonyRecord,
  checkParameters,
  commitmentMessageFromWire,
  commitmentMessageToWire,
  commitmentProblem,
  encryptShares,
  jointKey,
  receiveShares,
  shareMessageFromWire,
  shareMessageToWire,
  startCeremony,
  verificationKey,
  verificationMessageFromWire,
} from './ceremony.js';
export type { Ciphertext, Opening } from './ciphertext.js';
export {
  CIPHERTEXT_BYTES,
  ciphertextFromBytes,
  ciphertextFromWire,
  ciphertextToBytes,
  ciphertextToWire,
  combineCiphertexts,
  combineOpenings,
  encrypt,
  encryptWith,
  subtractPlaintext,
  sumCiphertexts,
} from './ciphertext.js';
export { bytesFromWire, bytesToWire, parseElement, parseScalar } from './codec.js';
export { oneHotProofBytes, oneHotProofEquations, proveOneHot } from './one-hot-proof.js';
export type { ProductStatement } from './product-proof.js';
export {
  multiplyCiphertext,
  PRODUCT_PROOF_BYTES,
  productProofEquations,
  proveProduct,
} from './product-proof.js';
export { MAX_RANGE, proveRange, rangeProofBytes, rangeProofEquations, rangeWeights } from './range-proof.js';
export type { ScalarSource } from './scalars.js';
export { systemScalars } from './scalars.js';
export {
  decryptShare,
  ENCRYPTED_SHARE_BYTES,
  encryptShare,
  ShareDecryptionError,
} from './share-encryption.js';
export type { PartialDecryption } from './threshold.js';
export {
  combinePartialDecryptions,
  lagrangeCoefficients,
  PARTIAL_DECRYPTION_BYTES,
  partialDecrypt,
  partialDecryptionEquations,
  partialDecryptionFromBytes,
  partialDecryptionToBytes,
} from './threshold.js';
export { studyLabel } from './transcript.js';
