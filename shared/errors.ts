/**
 * Typed errors carrying the protocol's stable problem codes (spec: "HTTP API").
 * A detail must tell the reader what to fix and never contain a plaintext or a secret.
 */

export const PROBLEM_STATUS = {
  'unknown-computation': 404,
  'validation-failed': 400,
  'invalid-encoding': 400,
  'invalid-element': 400,
  'group-mismatch': 400,
  'missing-input': 400,
  'unexpected-input': 400,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  'rate-limited': 429,
  'log-unavailable': 503,
} as const;

export type ProblemCode = keyof typeof PROBLEM_STATUS;

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  readonly status: number;

  constructor(
    readonly code: ProblemCode,
    readonly detail: string,
  ) {
    super(detail);
    this.status = PROBLEM_STATUS[code];
  }
}

/** A decrypted value outside the range its computation declared: wrong key, or a misbehaving service. */
export class DecodeRangeError extends Error {
  override readonly name = 'DecodeRangeError';
}

/** The service answered with something that is not a valid result for the request: never decrypted. */
export class ServiceResponseError extends Error {
  override readonly name: string = 'ServiceResponseError';
}

/**
 * The service's answer did not prove itself (protocol v2): malformed, or its proof does not verify
 * against the declaration this device trusts. Nothing was decrypted, and the request is spent.
 */
export class VerificationError extends ServiceResponseError {
  override readonly name: string = 'VerificationError';

  /** The fixed sentence the patient is shown, with why, in words that hold no secret. */
  static because(reason: string): VerificationError {
    return new VerificationError(`${VERIFICATION_FAILED} (${reason})`);
  }
}

export const VERIFICATION_FAILED = 'The service’s answer failed verification; nothing was decrypted.';

/** The service's catalog declares a computation other than this device trusts: nothing is sent. */
export class DeclarationRefusedError extends Error {
  override readonly name = 'DeclarationRefusedError';
}
