/**
 * A study's TokenChallenge (RFC 9577 §2.1) and its digest. Every patient of a study builds the same
 * challenge from the study's public description, so tokens can be fetched before the contribution
 * (no round trip to the service) and the challenge singles no patient out:
 *
 *   struct {
 *     uint16_t token_type = 0x0002;
 *     opaque issuer_name<1..2^16-1>;        // the sponsor's issuer, a server name
 *     opaque redemption_context<0..32>;     // 32 bytes: this study (below)
 *     opaque origin_info<0..2^16-1>;        // empty: the study, not the host, is the scope
 *   } TokenChallenge;
 *
 *   redemption_context = SHA-256("sealed-vitals/study-token/v1" || 0x00 ||
 *                                u16(len(study id)) || study id || u16(len(opens)) || opens)
 */

import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, uint16Bytes } from './bytes.js';
import { BLIND_RSA_TOKEN_TYPE } from './token.js';
import { StudyTokenError } from './token-error.js';

/** What a study's tokens are bound to, as its study file states it (`tokenIssuer.name`, `id`, `opens`). */
export interface StudyTokenScope {
  /** The sponsor's issuer: a server name (RFC 9577 §2.1), e.g. "tokens.sponsor.example". */
  readonly issuerName: string;
  readonly studyId: string;
  /** The opening time exactly as the study file writes it, so a study rerun under its id is another scope. */
  readonly opens: string;
}

export interface StudyTokenChallenge {
  /** The serialized TokenChallenge. */
  readonly bytes: Uint8Array;
  /** SHA-256 of `bytes`: the token's challenge_digest. */
  readonly digest: Uint8Array;
  readonly redemptionContext: Uint8Array;
}

const CONTEXT_TAG = 'sealed-vitals/study-token/v1';
const MAX_FIELD_BYTES = 0xffff;
// A DNS name (RFC 1035: labels of letters, digits and inner hyphens, 253 characters at most) and an
// optional port: RFC 9577 §2.1 names the issuer by its server name, in ASCII.
const SERVER_NAME =
  /^(?=.{1,253}(?::|$))[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(?::[1-9][0-9]{0,4})?$/;

const utf8 = new TextEncoder();

export function studyTokenChallenge(scope: StudyTokenScope): StudyTokenChallenge {
  const issuerName = checkIssuerName(scope.issuerName);
  const redemptionContext = studyRedemptionContext(scope);
  const bytes = concatBytes([
    uint16Bytes(BLIND_RSA_TOKEN_TYPE),
    uint16Bytes(issuerName.length),
    issuerName,
    Uint8Array.of(redemptionContext.length),
    redemptionContext,
    uint16Bytes(0),
  ]);
  return { bytes, digest: sha256(bytes), redemptionContext };
}

export function studyRedemptionContext(scope: StudyTokenScope): Uint8Array {
  const studyId = checkField(scope.studyId, 'the study id');
  const opens = checkField(scope.opens, 'the opening time');
  return sha256(
    concatBytes([
      utf8.encode(CONTEXT_TAG),
      Uint8Array.of(0),
      uint16Bytes(studyId.length),
      studyId,
      uint16Bytes(opens.length),
      opens,
    ]),
  );
}

function checkIssuerName(name: unknown): Uint8Array {
  if (typeof name !== 'string' || !SERVER_NAME.test(name))
    throw new StudyTokenError(
      'invalid-challenge',
      'the issuer name is not a lowercase server name (host, optionally ":port")',
    );
  const port = name.includes(':') ? Number(name.slice(name.indexOf(':') + 1)) : 0;
  if (port > 0xffff) throw new StudyTokenError('invalid-challenge', 'the issuer name has a port above 65535');
  return utf8.encode(name);
}

function checkField(value: unknown, what: string): Uint8Array {
  if (typeof value !== 'string' || value === '')
    throw new StudyTokenError('invalid-challenge', `${what} is empty or not a string`);
  if (/[\ud800-\udfff]/u.test(value))
    throw new StudyTokenError('invalid-challenge', `${what} is not valid Unicode (an unpaired surrogate)`);
  const bytes = utf8.encode(value);
  if (bytes.length > MAX_FIELD_BYTES)
    throw new StudyTokenError('invalid-challenge', `${what} is longer than ${MAX_FIELD_BYTES} bytes`);
  return bytes;
}
