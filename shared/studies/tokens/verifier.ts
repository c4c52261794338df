/**
 * The service's check of a spent token (RFC 9578 §6.4, RFC 9577 §2.2) with the issuer's public key
 * alone: layout, type, issuer key, this study's challenge, then the RSASSA-PSS signature. What it
 * returns is the spend key, whose uniqueness the database enforces.
 */

import { bytesToBigInt, publicBytesEqual } from './bytes.js';
import { type StudyTokenScope, studyTokenChallenge } from './challenge.js';
import type { IssuerPublicKey } from './issuer-key.js';
import { parseToken } from './token.js';
import { StudyTokenError } from './token-error.js';

/** RFC 9578 §6: RSABSSA-SHA384-PSS-Deterministic, salt length 48 = SHA-384's output. */
const RSA_PSS_SALT_48 = { name: 'RSA-PSS', saltLength: 48 } as const;

export interface VerifiedStudyToken {
  /**
   * The token's nonce (32 bytes). It is inside what the issuer signed, so one issuance yields one
   * spend key whatever bytes the authenticator carries; a hash of the whole token would change with
   * any other valid authenticator for the same input.
   */
  readonly spendKey: Uint8Array;
}

/** One study's verifier: holds the study's challenge digest and issuer key, both public. */
export class StudyTokenVerifier {
  private readonly challengeDigest: Uint8Array;

  constructor(
    scope: StudyTokenScope,
    private readonly issuerKey: IssuerPublicKey,
  ) {
    this.challengeDigest = studyTokenChallenge(scope).digest;
  }

  verify(token: Uint8Array): Promise<VerifiedStudyToken> {
    return verifyToken(token, this.challengeDigest, this.issuerKey);
  }
}

/** RFC 9578 §6.4 for a token that must answer the challenge with digest `challengeDigest`. */
export async function verifyToken(
  token: Uint8Array,
  challengeDigest: Uint8Array,
  issuerKey: IssuerPublicKey,
): Promise<VerifiedStudyToken> {
  const parsed = parseToken(token);
  if (!publicBytesEqual(parsed.tokenKeyId, issuerKey.tokenKeyId))
    throw new StudyTokenError(
      'foreign-issuer',
      'the token was issued under another issuer key than the study’s',
    );
  if (!publicBytesEqual(parsed.challengeDigest, challengeDigest))
    throw new StudyTokenError('another-study', 'the token is bound to another study’s challenge');
  // RFC 8017 §5.2.2 (RSAVP1): a representative ≥ n is refused here, not left to the platform, so
  // s and s + n can never both pass.
  if (bytesToBigInt(parsed.authenticator) >= issuerKey.modulus)
    throw new StudyTokenError('bad-signature', 'the token’s signature is not below the issuer’s modulus');
  const valid = await crypto.subtle.verify(
    RSA_PSS_SALT_48,
    issuerKey.verifyKey,
    parsed.authenticator,
    parsed.tokenInput,
  );
  if (!valid) throw new StudyTokenError('bad-signature', 'the token’s signature does not verify');
  return { spendKey: parsed.nonce };
}
