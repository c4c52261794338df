/**
 * The patient's side of issuance (RFC 9578 §6.1, §6.3), run in the crypto worker: a blinded
 * TokenRequest for a study's challenge, then the issuer's TokenResponse finalized into a Token. The
 * issuer sees only the blinded message; the nonce, the challenge and the signature it yields stay here
 * until the contribution spends the token.
 */

import { publicVerif, TokenChallenge } from '@cloudflare/privacypass-ts';
import { publicBytesEqual } from './bytes.js';
import { type StudyTokenScope, studyTokenChallenge } from './challenge.js';
import type { IssuerPublicKey } from './issuer-key.js';
import { BLIND_RSA_TOKEN_TYPE, parseToken, TOKEN_RESPONSE_BYTES } from './token.js';
import { StudyTokenError } from './token-error.js';

/** One issuance in flight: send `request`, then finalize the answer; one token per request. */
export interface PendingStudyToken {
  /** The serialized TokenRequest for the issuer. */
  readonly request: Uint8Array;
  /** The Token (token.ts), checked: its signature verifies and it is bound to the study and the key. */
  finalize(response: Uint8Array): Promise<Uint8Array>;
}

export async function requestStudyToken(
  scope: StudyTokenScope,
  issuerKey: IssuerPublicKey,
): Promise<PendingStudyToken> {
  const challenge = studyTokenChallenge(scope);
  // The library hashes its own serialization of the challenge; it must be the one the service expects.
  const libraryChallenge = new TokenChallenge(
    BLIND_RSA_TOKEN_TYPE,
    scope.issuerName,
    challenge.redemptionContext.slice(),
    undefined,
  );
  if (!publicBytesEqual(libraryChallenge.serialize(), challenge.bytes))
    throw new Error('the Privacy Pass library serializes the study challenge differently');
  const client = new publicVerif.Client(publicVerif.BlindRSAMode.PSS);
  const request = (await client.createTokenRequest(libraryChallenge, issuerKey.spki)).serialize();
  let finalized = false;
  return {
    request,
    async finalize(response: Uint8Array): Promise<Uint8Array> {
      if (finalized) throw new Error('this token request was already finalized');
      if (!(response instanceof Uint8Array) || response.length !== TOKEN_RESPONSE_BYTES)
        throw new StudyTokenError(
          'invalid-response',
          `the token response is not ${TOKEN_RESPONSE_BYTES} bytes`,
        );
      let token: Uint8Array;
      try {
        token = (await client.finalize(new publicVerif.TokenResponse(response.slice()))).serialize();
      } catch {
        // RFC 9474 §4.4: Finalize verifies the unblinded signature; a bad one means a misbehaving issuer.
        throw new StudyTokenError(
          'invalid-response',
          'the issuer’s response does not give a valid signature',
        );
      }
      const parsed = parseToken(token);
      if (
        !publicBytesEqual(parsed.challengeDigest, challenge.digest) ||
        !publicBytesEqual(parsed.tokenKeyId, issuerKey.tokenKeyId)
      )
        throw new Error('the finalized token is not bound to the study’s challenge and issuer key');
      // Only now: after a refused response the issuer's retry (the same blind signature) still finalizes.
      finalized = true;
      return token;
    },
  };
}
