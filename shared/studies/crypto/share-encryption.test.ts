import { describe, expect, it } from 'vitest';
import { ristretto255NativeGroup } from '../../groups/ristretto255-native.js';
import { bitProofEquations, proveBit } from './bit-proof.js';
import { ciphertextFromBytes, ciphertextToBytes, encrypt } from './ciphertext.js';
import { deterministicScalars } from './deterministic-scalars.js';
import {
  decryptShare,
  ENCRYPTED_SHARE_BYTES,
  encryptShare,
  ShareDecryptionError,
} from './share-encryption.js';
import { context, flipBit, group, holds } from './test-support.js';

const scalars = deterministicScalars('share-encryption');
const secretKey = scalars.scalar();
const recipient = { secretKey, publicKey: group.powGenerator(secretKey) };
const binding = new TextEncoder().encode('ceremony binding, from 1 to 2');

describe('share encryption (hashed ElGamal)', () => {
  it('decrypts what was encrypted to the recipient, and only with its binding and key', () => {
    const share = scalars.scalar();
    const encrypted = encryptShare(group, recipient.publicKey, share, binding, scalars);
    expect(encrypted.length).toBe(ENCRYPTED_SHARE_BYTES);
    expect(decryptShare(group, recipient, encrypted, binding)).toBe(share);
    expect(() => decryptShare(group, recipient, encrypted, flipBit(binding, 0))).toThrow(
      /MAC does not verify/,
    );
    const other = scalars.scalar();
    expect(() =>
      decryptShare(group, { secretKey: other, publicKey: group.powGenerator(other) }, encrypted, binding),
    ).toThrow(ShareDecryptionError);
  });

  it('refuses any changed bit, a wrong length and an identity α', () => {
    const encrypted = encryptShare(group, recipient.publicKey, 42n, binding, scalars);
    for (const at of [0, 31, 32, 50, 63, 64, 95]) {
      expect(() => decryptShare(group, recipient, flipBit(encrypted, at, 3), binding)).toThrow(
        ShareDecryptionError,
      );
    }
    expect(() => decryptShare(group, recipient, encrypted.slice(0, 95), binding)).toThrow(/must be 96 bytes/);
    const identity = Uint8Array.from(encrypted);
    identity.fill(0, 0, 32);
    expect(() => decryptShare(group, recipient, identity, binding)).toThrow(/α must not be the identity/);
  });
});

describe.skipIf(ristretto255NativeGroup === undefined)('the native libsodium group', () => {
  it('makes the same bytes as noble, which verify under either', () => {
    const native = ristretto255NativeGroup as NonNullable<typeof ristretto255NativeGroup>;
    const x = deterministicScalars('cross').scalar();
    const nativeKey = native.powGenerator(x);
    const nobleKey = group.powGenerator(x);
    const made = encrypt(native, nativeKey, 1n, deterministicScalars('same'));
    const proof = proveBit(
      native,
      nativeKey,
      made.ciphertext,
      made.opening,
      context,
      deterministicScalars('proof'),
    );
    const nobleMade = encrypt(group, nobleKey, 1n, deterministicScalars('same'));
    const nobleProof = proveBit(
      group,
      nobleKey,
      nobleMade.ciphertext,
      nobleMade.opening,
      context,
      deterministicScalars('proof'),
    );
    expect(proof).toEqual(nobleProof);
    const bytes = ciphertextToBytes(native, made.ciphertext);
    expect(bytes).toEqual(ciphertextToBytes(group, nobleMade.ciphertext));
    const asNoble = ciphertextFromBytes(group, bytes, 'c');
    expect(holds(group, () => bitProofEquations(group, nobleKey, asNoble, proof, context))).toBe(true);
    expect(
      holds(native, () => bitProofEquations(native, nativeKey, made.ciphertext, nobleProof, context)),
    ).toBe(true);
  });
});
