/**
 * A study's invitations: single-use codes the sponsor hands to the patients it invites, each good for
 * one token. Pure functions; the store is the caller's. The issuer keeps only each code's hash, so its
 * database cannot hand out invitations if it leaks, and the code travels in a link's fragment, which
 * browsers never send to a server nor put in a Referer.
 *
 *   code      = 16 random bytes, shown as 22 characters of unpadded base64url
 *   code hash = SHA-256("sealed-vitals/study-invitation/v1" || 0x00 || u16(len(study id)) || study id || code)
 *
 * A 128-bit random code needs no slow hash: nobody can guess one from its hash or by trying.
 */

import { sha256 } from '@noble/hashes/sha2.js';
import { base64urlnopad } from '@scure/base';
import { concatBytes, publicBytesEqual, uint16Bytes } from './bytes.js';
import { StudyTokenError } from './token-error.js';

export const INVITATION_CODE_BYTES = 16;
export const INVITATION_CODE_LENGTH = 22;
/** The sponsor's CLI makes a batch at a time; a larger study makes several. */
export const MAX_INVITATIONS_PER_BATCH = 1_000_000;

const HASH_TAG = 'sealed-vitals/study-invitation/v1';
const FRAGMENT_KEY = 'invitation=';
const utf8 = new TextEncoder();

export interface Invitation {
  /** For the patient only (in its link); never stored by the issuer. */
  readonly code: string;
  /** What the issuer stores. */
  readonly codeHash: Uint8Array;
}

/** What the issuer's store holds for one code hash. */
export interface StoredInvitation {
  /** SHA-256 of the TokenRequest the invitation was spent on; null while unused. */
  readonly requestDigest: Uint8Array | null;
}

/**
 * 'first-use': record `requestDigest` against the code, then sign. 'retry': the same request again
 * (its answer was lost): signing it again yields the same blind signature, so no second token.
 */
export type InvitationDecision = 'first-use' | 'retry';

export function createInvitations(studyId: string, count: number): Invitation[] {
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_INVITATIONS_PER_BATCH)
    throw new RangeError(
      `the number of invitations must be an integer from 1 to ${MAX_INVITATIONS_PER_BATCH}`,
    );
  return Array.from({ length: count }, () => {
    const code = base64urlnopad.encode(crypto.getRandomValues(new Uint8Array(INVITATION_CODE_BYTES)));
    return { code, codeHash: invitationCodeHash(studyId, code) };
  });
}

/** Strict: exactly 22 characters of canonical unpadded base64url. */
export function parseInvitationCode(code: unknown): Uint8Array {
  if (typeof code !== 'string' || code.length !== INVITATION_CODE_LENGTH)
    throw new StudyTokenError(
      'invalid-invitation',
      `the invitation code is not ${INVITATION_CODE_LENGTH} characters`,
    );
  try {
    return base64urlnopad.decode(code);
  } catch {
    throw new StudyTokenError('invalid-invitation', 'the invitation code is not unpadded base64url');
  }
}

export function invitationCodeHash(studyId: string, code: string): Uint8Array {
  if (typeof studyId !== 'string' || studyId === '')
    throw new StudyTokenError('invalid-invitation', 'the study id is empty');
  const id = utf8.encode(studyId);
  if (id.length > 0xffff)
    throw new StudyTokenError('invalid-invitation', 'the study id is longer than 65535 bytes');
  return sha256(
    concatBytes([
      utf8.encode(HASH_TAG),
      Uint8Array.of(0),
      uint16Bytes(id.length),
      id,
      parseInvitationCode(code),
    ]),
  );
}

/** SHA-256 of the serialized TokenRequest, recorded with the spent invitation. */
export function tokenRequestDigest(request: Uint8Array): Uint8Array {
  return sha256(request);
}

/**
 * The issuer's check, given what its store holds for the code's hash (undefined: no such invitation).
 * The store must then record the digest atomically with a condition that it is still unset (or
 * equal), so two concurrent first uses cannot both succeed.
 */
export function decideInvitation(
  stored: StoredInvitation | undefined,
  requestDigest: Uint8Array,
): InvitationDecision {
  if (stored === undefined)
    throw new StudyTokenError('unknown-invitation', 'this invitation does not exist for this study');
  if (stored.requestDigest === null) return 'first-use';
  if (publicBytesEqual(stored.requestDigest, requestDigest)) return 'retry';
  throw new StudyTokenError('invitation-used', 'this invitation was already used for a token');
}

/** The join page's address with the code in its fragment: never in the path or the query. */
export function invitationLink(joinPage: string, code: string): string {
  parseInvitationCode(code);
  const url = new URL(joinPage);
  if (url.hash !== '') throw new RangeError('the join page address already has a fragment');
  url.hash = `${FRAGMENT_KEY}${code}`;
  return url.href;
}

/** The code from `location.hash` ("#invitation=…"); anything else is refused. */
export function invitationCodeFromFragment(fragment: string): string {
  const value = fragment.startsWith(`#${FRAGMENT_KEY}`) ? fragment.slice(FRAGMENT_KEY.length + 1) : '';
  parseInvitationCode(value);
  return value;
}
