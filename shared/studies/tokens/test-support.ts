/** Test seams: RFC 9578 Appendix A.2's vectors as bytes, and a refusal's reason. */

import vectorsFile from './testdata/rfc9578-blind-rsa-vectors.json' with { type: 'json' };
import { StudyTokenError } from './token-error.js';

export interface BlindRsaVector {
  /** PKCS #8 DER, from the vector's PEM. */
  readonly privateKey: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly tokenChallenge: Uint8Array;
  readonly nonce: Uint8Array;
  readonly tokenRequest: Uint8Array;
  readonly tokenResponse: Uint8Array;
  readonly token: Uint8Array;
}

export function fromHex(text: string): Uint8Array {
  if (!/^(?:[0-9a-f]{2})*$/.test(text)) throw new Error('not lowercase hex');
  return Uint8Array.from(text.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function pemToDer(pem: string): Uint8Array {
  const body = pem.replace(/-----(BEGIN|END) PRIVATE KEY-----/g, '').replace(/\s/g, '');
  return Uint8Array.from(atob(body), (c) => c.charCodeAt(0));
}

export const RFC9578_BLIND_RSA_VECTORS: readonly BlindRsaVector[] = vectorsFile.vectors.map((vector) => ({
  privateKey: pemToDer(new TextDecoder().decode(fromHex(vector.skS))),
  publicKey: fromHex(vector.pkS),
  tokenChallenge: fromHex(vector.token_challenge),
  nonce: fromHex(vector.nonce),
  tokenRequest: fromHex(vector.token_request),
  tokenResponse: fromHex(vector.token_response),
  token: fromHex(vector.token),
}));

/** The reason a study-token function refused with, or 'accepted'; any other error is rethrown. */
export async function refusal(action: () => unknown): Promise<string> {
  try {
    await action();
  } catch (error) {
    if (error instanceof StudyTokenError) return error.reason;
    throw error;
  }
  return 'accepted';
}
