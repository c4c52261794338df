/**
 * Why a study token, token request, issuer key or invitation was refused. The reason is a stable code
 * the service maps to a 4xx; the message says what is wrong in words and never echoes the token, the
 * request or an invitation code (each is a bearer credential).
 */

export type StudyTokenFailure =
  | 'invalid-encoding'
  | 'truncated'
  | 'extended'
  | 'wrong-token-type'
  | 'foreign-issuer'
  | 'another-study'
  | 'bad-signature'
  | 'invalid-issuer-key'
  | 'invalid-challenge'
  | 'invalid-request'
  | 'invalid-response'
  | 'invalid-invitation'
  | 'unknown-invitation'
  | 'invitation-used';

export class StudyTokenError extends Error {
  override readonly name = 'StudyTokenError';

  constructor(
    readonly reason: StudyTokenFailure,
    message: string,
  ) {
    super(message);
  }
}
