import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { bigIntToBytes, bytesToBigInt } from './bytes.js';
import type { StudyTokenScope } from './challenge.js';
import { requestStudyToken } from './client.js';
import {
  issueTokenResponse,
  libraryPrivateOperation,
  parseTokenRequest,
  type RsaPrivateOperation,
} from './issuer.js';
import {
  generateIssuerKeyPair,
  type IssuerKeyPair,
  importIssuerKeyPair,
  importIssuerPublicKey,
} from './issuer-key.js';
import { opensslPrivateOperation } from './issuer-openssl.js';
import { RFC9578_BLIND_RSA_VECTORS, refusal, toHex } from './test-support.js';
import { parseToken, TOKEN_BYTES, TOKEN_REQUEST_BYTES, tokenFromWire, tokenToWire } from './token.js';
import { StudyTokenVerifier, verifyToken } from './verifier.js';

const SCOPE: StudyTokenScope = {
  issuerName: 'tokens.sponsor.example',
  studyId: 'bp-control-2027',
  opens: '2027-01-10T00:00:00Z',
};
const OTHER_STUDY: StudyTokenScope = { ...SCOPE, studyId: 'hba1c-programme-2027' };

let sponsor: IssuerKeyPair;
let otherSponsor: IssuerKeyPair;
let sign: RsaPrivateOperation;
let verifier: StudyTokenVerifier;
/** One token, issued once: the refusals below each change a copy. */
let token: Uint8Array;

/** The whole flow as the three parties run it, the patient's side from the published SPKI alone. */
async function issueToken(scope: StudyTokenScope, pair: IssuerKeyPair, operation: RsaPrivateOperation) {
  const published = await importIssuerPublicKey(pair.publicKey.spki);
  const pending = await requestStudyToken(scope, published);
  const response = await issueTokenResponse(
    pair,
    parseTokenRequest(pending.request, pair.publicKey),
    operation,
  );
  return { request: pending.request, response, token: await pending.finalize(response) };
}

function flipped(bytes: Uint8Array, index: number, mask = 0x01): Uint8Array {
  const copy = bytes.slice();
  copy[index] = (copy[index] ?? 0) ^ mask;
  return copy;
}

// RSA key generation and the Web Crypto fallback's signing: a timeout for a loaded machine.
describe('study tokens, issued and spent', { timeout: 60_000 }, () => {
  beforeAll(async () => {
    [sponsor, otherSponsor] = await Promise.all([generateIssuerKeyPair(), generateIssuerKeyPair()]);
    sign = opensslPrivateOperation(sponsor.privateKey);
    verifier = new StudyTokenVerifier(SCOPE, await importIssuerPublicKey(sponsor.publicKey.spki));
    token = (await issueToken(SCOPE, sponsor, sign)).token;
  });

  describe('RFC 9578 Appendix A.2', () => {
    it('answers each vector’s TokenRequest with its TokenResponse (OpenSSL), blinding or not', async () => {
      for (const vector of RFC9578_BLIND_RSA_VECTORS) {
        const pair = await importIssuerKeyPair(vector.privateKey);
        const request = parseTokenRequest(vector.tokenRequest, pair.publicKey);
        const response = await issueTokenResponse(pair, request, opensslPrivateOperation(pair.privateKey));
        expect(toHex(response)).toBe(toHex(vector.tokenResponse));
      }
    });

    it('answers vector 1 with its TokenResponse through the Web Crypto fallback too', async () => {
      const [vector] = RFC9578_BLIND_RSA_VECTORS;
      if (vector === undefined) throw new Error('no vector');
      const pair = await importIssuerKeyPair(vector.privateKey);
      const request = parseTokenRequest(vector.tokenRequest, pair.publicKey);
      const response = await issueTokenResponse(pair, request, libraryPrivateOperation(pair.privateKey));
      expect(toHex(response)).toBe(toHex(vector.tokenResponse));
    });

    it('verifies each vector’s token against its challenge, and its spend key is its nonce', async () => {
      for (const vector of RFC9578_BLIND_RSA_VECTORS) {
        const key = await importIssuerPublicKey(vector.publicKey);
        const { spendKey } = await verifyToken(vector.token, sha256(vector.tokenChallenge), key);
        expect(spendKey).toEqual(vector.nonce);
        expect(
          await refusal(() =>
            verifyToken(flipped(vector.token, TOKEN_BYTES - 1), sha256(vector.tokenChallenge), key),
          ),
        ).toBe('bad-signature');
      }
    });
  });

  it('issues, finalizes and verifies; the token crosses JSON as base64url', async () => {
    // The fallback (RFC 9578 vector 1 above) and OpenSSL give one signature: either may issue.
    expect(token).toHaveLength(TOKEN_BYTES);
    const { spendKey } = await verifier.verify(tokenFromWire(tokenToWire(token)));
    expect(spendKey).toEqual(parseToken(token).nonce);
  });

  it('refuses a token for another study, and one from another issuer key', async () => {
    const otherStudyToken = (await issueToken(OTHER_STUDY, sponsor, sign)).token;
    expect(await refusal(() => verifier.verify(otherStudyToken))).toBe('another-study');
    const foreignToken = (
      await issueToken(SCOPE, otherSponsor, opensslPrivateOperation(otherSponsor.privateKey))
    ).token;
    expect(await refusal(() => verifier.verify(foreignToken))).toBe('foreign-issuer');
  });

  it('names the region of a flipped byte: type, nonce, challenge digest, key ID, signature', async () => {
    const cases: [number, string][] = [
      [0, 'wrong-token-type'],
      [1, 'wrong-token-type'],
      [2, 'bad-signature'],
      [33, 'bad-signature'],
      [34, 'another-study'],
      [65, 'another-study'],
      [66, 'foreign-issuer'],
      [97, 'foreign-issuer'],
      [98, 'bad-signature'],
      [226, 'bad-signature'],
      [353, 'bad-signature'],
    ];
    for (const [index, reason] of cases)
      expect(await refusal(() => verifier.verify(flipped(token, index))), `byte ${index}`).toBe(reason);
  });

  it('refuses any single flipped bit (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: TOKEN_BYTES - 1 }),
        fc.integer({ min: 0, max: 7 }),
        async (index, bit) => {
          return (await refusal(() => verifier.verify(flipped(token, index, 1 << bit)))) !== 'accepted';
        },
      ),
      { numRuns: 60 },
    );
  });

  it('refuses a truncated or extended token by name', async () => {
    expect(await refusal(() => verifier.verify(token.subarray(0, TOKEN_BYTES - 1)))).toBe('truncated');
    expect(await refusal(() => verifier.verify(token.subarray(0, 98)))).toBe('truncated');
    expect(await refusal(() => verifier.verify(new Uint8Array([...token, 0])))).toBe('extended');
  });

  it('refuses a signature representative at or above the modulus', async () => {
    const input = token.subarray(0, TOKEN_BYTES - 256);
    for (const value of [sponsor.publicKey.modulus, 2n ** 2048n - 1n]) {
      const forged = new Uint8Array([...input, ...bigIntToBytes(value, 256)]);
      expect(await refusal(() => verifier.verify(forged))).toBe('bad-signature');
    }
  });

  it('gives a token one spend key, the same for any valid signature of its input; two tokens, two keys', async () => {
    const first = await verifier.verify(token);
    expect((await verifier.verify(token.slice())).spendKey).toEqual(first.spendKey);
    // A second valid authenticator for the same token input (PSS salts are random): a hash of the
    // whole token would let it be spent again, the nonce does not.
    const input = token.subarray(0, TOKEN_BYTES - 256);
    const resigned = new Uint8Array(
      await crypto.subtle.sign({ name: 'RSA-PSS', saltLength: 48 }, sponsor.privateKey, input.slice()),
    );
    const twin = new Uint8Array([...input, ...resigned]);
    expect(twin).not.toEqual(token);
    expect((await verifier.verify(twin)).spendKey).toEqual(first.spendKey);
    const second = (await issueToken(SCOPE, sponsor, sign)).token;
    expect((await verifier.verify(second)).spendKey).not.toEqual(first.spendKey);
  });

  it('shows the issuer nothing of the token it redeems as (unlinkability sanity)', async () => {
    const issued = await issueToken(SCOPE, sponsor, sign);
    const parsed = parseToken(issued.token);
    const blinded = issued.request.subarray(3);
    expect(issued.request).toHaveLength(TOKEN_REQUEST_BYTES);
    // What the issuer sees: the type, one byte of its own key ID, the blinded message and its answer.
    expect(issued.request[2]).toBe(sponsor.publicKey.tokenKeyId[31]);
    const seen = [toHex(issued.request), toHex(issued.response)].join(' ');
    for (const part of [parsed.nonce, parsed.challengeDigest, parsed.authenticator])
      for (let offset = 0; offset + 8 <= part.length; offset += 4)
        expect(seen.includes(toHex(part.subarray(offset, offset + 8)))).toBe(false);
    expect(blinded).not.toEqual(parsed.authenticator);
    expect(issued.response).not.toEqual(parsed.authenticator);
    // Two patients of one study send requests that differ in every sense but length.
    const again = await requestStudyToken(SCOPE, sponsor.publicKey);
    expect(again.request.subarray(3)).not.toEqual(blinded);
  });

  describe('the issuer’s parsing of a TokenRequest', () => {
    it('names a truncated, extended, wrong-type, foreign or out-of-range request', async () => {
      const { request } = await requestStudyToken(SCOPE, sponsor.publicKey);
      expect(await refusal(() => parseTokenRequest(request, sponsor.publicKey))).toBe('accepted');
      expect(await refusal(() => parseTokenRequest(request.subarray(0, 258), sponsor.publicKey))).toBe(
        'truncated',
      );
      expect(await refusal(() => parseTokenRequest(new Uint8Array([...request, 1]), sponsor.publicKey))).toBe(
        'extended',
      );
      expect(await refusal(() => parseTokenRequest(flipped(request, 1, 0x03), sponsor.publicKey))).toBe(
        'wrong-token-type',
      );
      expect(await refusal(() => parseTokenRequest(flipped(request, 2), sponsor.publicKey))).toBe(
        'foreign-issuer',
      );
      for (const value of [0n, sponsor.publicKey.modulus, 2n ** 2048n - 1n]) {
        const forged = new Uint8Array([...request.subarray(0, 3), ...bigIntToBytes(value, 256)]);
        expect(await refusal(() => parseTokenRequest(forged, sponsor.publicKey))).toBe('invalid-request');
      }
    });
  });

  describe('the patient’s finalization', () => {
    it('refuses a response of the wrong length or signed by another key, then takes the right one once', async () => {
      const pending = await requestStudyToken(SCOPE, sponsor.publicKey);
      expect(await refusal(() => pending.finalize(new Uint8Array(255)))).toBe('invalid-response');
      expect(await refusal(() => pending.finalize(new Uint8Array(257)))).toBe('invalid-response');
      const request = parseTokenRequest(pending.request, sponsor.publicKey);
      // The other key signs the same integer: a response of the right length and no validity.
      const below = bytesToBigInt(request.blindedMessage) % otherSponsor.publicKey.modulus;
      const wrong = await opensslPrivateOperation(otherSponsor.privateKey)(bigIntToBytes(below, 256));
      expect(await refusal(() => pending.finalize(wrong))).toBe('invalid-response');
      const response = await issueTokenResponse(sponsor, request, sign);
      expect(await refusal(async () => verifier.verify(await pending.finalize(response)))).toBe('accepted');
      await expect(pending.finalize(response)).rejects.toThrow('already finalized');
    });
  });
});
