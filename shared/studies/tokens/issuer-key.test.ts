import { generateKeyPairSync } from 'node:crypto';
import { util } from '@cloudflare/privacypass-ts';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import {
  exportIssuerPrivateKey,
  generateIssuerKeyPair,
  importIssuerKeyPair,
  importIssuerPublicKey,
} from './issuer-key.js';
import { RFC9578_BLIND_RSA_VECTORS, refusal } from './test-support.js';
import { parseToken } from './token.js';

const [VECTOR] = RFC9578_BLIND_RSA_VECTORS;
if (VECTOR === undefined) throw new Error('no RFC 9578 vector');

/** An RSASSA-PSS SPKI as RFC 9578 §6.5 encodes it, for a key node:crypto made with other parameters. */
function pssSpkiOf(modulusLength: number, publicExponent: number): Uint8Array {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength, publicExponent });
  return util.convertEncToRSASSAPSS(new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })));
}

// RSA key generation in loops: a timeout for a loaded machine, not the 5 s default.
describe('issuer keys', { timeout: 60_000 }, () => {
  it('imports RFC 9578 A.2’s pkS, and its token key ID is the one in the vector’s token', async () => {
    for (const vector of RFC9578_BLIND_RSA_VECTORS) {
      const key = await importIssuerPublicKey(vector.publicKey);
      expect(key.spki).toEqual(vector.publicKey);
      expect(key.tokenKeyId).toEqual(sha256(vector.publicKey));
      expect(key.tokenKeyId).toEqual(parseToken(vector.token).tokenKeyId);
      expect(key.modulus.toString(2)).toHaveLength(2048);
    }
  });

  it('reads RFC 9578 A.2’s skS back to its pkS', async () => {
    const pair = await importIssuerKeyPair(VECTOR.privateKey);
    expect(pair.publicKey.spki).toEqual(VECTOR.publicKey);
  });

  it('generates RSA 2048 keys whose SPKI and PKCS #8 round-trip', async () => {
    const pair = await generateIssuerKeyPair();
    expect(pair.publicKey.modulus.toString(2)).toHaveLength(2048);
    const imported = await importIssuerPublicKey(pair.publicKey.spki);
    expect(imported.tokenKeyId).toEqual(pair.publicKey.tokenKeyId);
    const restored = await importIssuerKeyPair(await exportIssuerPrivateKey(pair));
    expect(restored.publicKey.spki).toEqual(pair.publicKey.spki);
    const other = await generateIssuerKeyPair();
    expect(other.publicKey.tokenKeyId).not.toEqual(pair.publicKey.tokenKeyId);
  });

  it('takes the rsaEncryption form of the same key to the same RSASSA-PSS SPKI and token key ID', async () => {
    const key = await importIssuerPublicKey(util.convertRSASSAPSSToEnc(VECTOR.publicKey));
    expect(key.spki).toEqual(VECTOR.publicKey);
    expect(key.tokenKeyId).toEqual(sha256(VECTOR.publicKey));
  });

  it('refuses any other encoding of the key: other PSS parameters, trailing bytes, a cut', async () => {
    const rsaEncryption = util.convertRSASSAPSSToEnc(VECTOR.publicKey);
    expect(await refusal(() => importIssuerPublicKey(new Uint8Array([...rsaEncryption, 0])))).toBe(
      'invalid-issuer-key',
    );
    // The salt length is the last parameter: "a2 03 02 01 30" is [2] INTEGER 48; 32 is another key.
    const salt32 = VECTOR.publicKey.slice();
    const saltAt = Buffer.from(salt32).indexOf(Buffer.from([0xa2, 0x03, 0x02, 0x01, 0x30]));
    expect(saltAt).toBeGreaterThan(0);
    salt32[saltAt + 4] = 0x20;
    expect(await refusal(() => importIssuerPublicKey(salt32))).toBe('invalid-issuer-key');
    expect(await refusal(() => importIssuerPublicKey(new Uint8Array([...VECTOR.publicKey, 0])))).toBe(
      'invalid-issuer-key',
    );
    expect(await refusal(() => importIssuerPublicKey(VECTOR.publicKey.subarray(0, 200)))).toBe(
      'invalid-issuer-key',
    );
    expect(await refusal(() => importIssuerPublicKey(new Uint8Array(0)))).toBe('invalid-issuer-key');
    expect(await refusal(() => importIssuerPublicKey(new Uint8Array(5000)))).toBe('invalid-issuer-key');
  });

  it('refuses keys of another size or exponent', async () => {
    expect(await refusal(() => importIssuerPublicKey(pssSpkiOf(1024, 65537)))).toBe('invalid-issuer-key');
    expect(await refusal(() => importIssuerPublicKey(pssSpkiOf(2048, 3)))).toBe('invalid-issuer-key');
    expect(await refusal(() => importIssuerPublicKey(pssSpkiOf(2048, 65537)))).toBe('accepted');
  });

  it('refuses a private key that is not PKCS #8 RSA', async () => {
    expect(await refusal(() => importIssuerKeyPair(new Uint8Array(64)))).toBe('invalid-issuer-key');
  });
});
