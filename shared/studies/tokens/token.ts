/**
 * The Privacy Pass token of RFC 9577 §2.2 for token type 0x0002 (RFC 9578 §6, blind RSA 2048): its
 * fixed layout, a strict parser and its JSON form, and the issuance messages' sizes. Knows nothing of
 * keys or studies.
 *
 *   struct {
 *     uint16_t token_type = 0x0002;
 *     uint8_t  nonce[32];
 *     uint8_t  challenge_digest[32];   // SHA-256(TokenChallenge)
 *     uint8_t  token_key_id[32];       // SHA-256(issuer public key, SPKI)
 *     uint8_t  authenticator[256];     // RSASSA-PSS signature over the fields above
 *   } Token;
 */

import { base64urlnopad } from '@scure/base';
import { StudyTokenError } from './token-error.js';

/** RFC 9578 §8.2: "Blind RSA (2048-bit)". */
export const BLIND_RSA_TOKEN_TYPE = 0x0002;
/** Nk: the modulus and signature length in bytes. */
export const AUTHENTICATOR_BYTES = 256;
/** Nid: a token key ID is a SHA-256 digest. */
export const TOKEN_KEY_ID_BYTES = 32;
export const NONCE_BYTES = 32;
export const CHALLENGE_DIGEST_BYTES = 32;

const TYPE_BYTES = 2;
const NONCE_OFFSET = TYPE_BYTES;
const CHALLENGE_DIGEST_OFFSET = NONCE_OFFSET + NONCE_BYTES;
const TOKEN_KEY_ID_OFFSET = CHALLENGE_DIGEST_OFFSET + CHALLENGE_DIGEST_BYTES;
/** The signed part, token_input of RFC 9578 §6.3. */
export const TOKEN_INPUT_BYTES = TOKEN_KEY_ID_OFFSET + TOKEN_KEY_ID_BYTES;
export const TOKEN_BYTES = TOKEN_INPUT_BYTES + AUTHENTICATOR_BYTES;
/** RFC 9578 §6.1: token_type, truncated_token_key_id, blinded_msg[Nk]. */
export const TOKEN_REQUEST_BYTES = TYPE_BYTES + 1 + AUTHENTICATOR_BYTES;
/** RFC 9578 §6.2: blind_sig[Nk]. */
export const TOKEN_RESPONSE_BYTES = AUTHENTICATOR_BYTES;

/** Twice the 472 characters of a token, so a near miss is named by its encoding or length, not here. */
const MAX_WIRE_CHARACTERS = 1024;

/** A token whose layout was checked; its signature and bindings are not checked yet. */
export interface ParsedToken {
  readonly nonce: Uint8Array<ArrayBuffer>;
  readonly challengeDigest: Uint8Array<ArrayBuffer>;
  readonly tokenKeyId: Uint8Array<ArrayBuffer>;
  readonly authenticator: Uint8Array<ArrayBuffer>;
  /** token_type || nonce || challenge_digest || token_key_id: what the authenticator signs. */
  readonly tokenInput: Uint8Array<ArrayBuffer>;
}

/** Checks the length first (a short or long token names itself), then the token type. */
export function parseToken(bytes: Uint8Array): ParsedToken {
  if (!(bytes instanceof Uint8Array)) throw new StudyTokenError('invalid-encoding', 'the token is not bytes');
  if (bytes.length < TOKEN_BYTES)
    throw new StudyTokenError('truncated', `the token has ${bytes.length} bytes, fewer than ${TOKEN_BYTES}`);
  if (bytes.length > TOKEN_BYTES)
    throw new StudyTokenError('extended', `the token has ${bytes.length} bytes, more than ${TOKEN_BYTES}`);
  const tokenType = ((bytes[0] ?? 0) << 8) | (bytes[1] ?? 0);
  if (tokenType !== BLIND_RSA_TOKEN_TYPE)
    throw new StudyTokenError(
      'wrong-token-type',
      `the token type is 0x${hex16(tokenType)}, not 0x${hex16(BLIND_RSA_TOKEN_TYPE)} (blind RSA 2048)`,
    );
  // Copies, so a caller that reuses its buffer cannot change a parsed token.
  return {
    nonce: bytes.slice(NONCE_OFFSET, CHALLENGE_DIGEST_OFFSET),
    challengeDigest: bytes.slice(CHALLENGE_DIGEST_OFFSET, TOKEN_KEY_ID_OFFSET),
    tokenKeyId: bytes.slice(TOKEN_KEY_ID_OFFSET, TOKEN_INPUT_BYTES),
    authenticator: bytes.slice(TOKEN_INPUT_BYTES),
    tokenInput: bytes.slice(0, TOKEN_INPUT_BYTES),
  };
}

function hex16(value: number): string {
  return value.toString(16).padStart(4, '0');
}

/** The token in a JSON member: unpadded base64url (RFC 4648 §5), like every byte string of the API. */
export function tokenToWire(token: Uint8Array): string {
  return base64urlnopad.encode(token);
}

/** Strict: padding, the other alphabet or stray trailing bits are refused before any length check. */
export function tokenFromWire(text: unknown): Uint8Array {
  if (typeof text !== 'string') throw new StudyTokenError('invalid-encoding', 'the token is not a string');
  // Bounded before decoding, so an oversized member costs nothing; parseToken checks the exact length.
  if (text.length > MAX_WIRE_CHARACTERS)
    throw new StudyTokenError('extended', `the token is longer than ${TOKEN_BYTES} bytes`);
  try {
    return base64urlnopad.decode(text);
  } catch {
    throw new StudyTokenError('invalid-encoding', 'the token is not unpadded base64url (RFC 4648 §5)');
  }
}
