/** A proof on the wire (`{"challenge": "<bytes>", "responses": ["<bytes>", …]}`), decoded strictly. */

import { ServiceResponseError } from '../errors.js';
import { isRecord } from '../records.js';
import { base64UrlToBytes, bytesToBase64Url, type ProofWire } from '../wire.js';
import type { ProofBytes } from './sigma.js';

export type { ProofBytes } from './sigma.js';

export function proofToWire(proof: ProofBytes): ProofWire {
  return { challenge: bytesToBase64Url(proof.challenge), responses: proof.responses.map(bytesToBase64Url) };
}

/** The bytes of an untrusted proof; their lengths and values are the verifier's to check. */
export function proofFromWire(value: unknown): ProofBytes {
  const fail = (why: string) => new ServiceResponseError(`its proof ${why}`);
  if (!isRecord(value)) throw fail('is missing');
  const { challenge, responses } = value;
  if (Object.keys(value).length !== 2 || typeof challenge !== 'string' || !Array.isArray(responses)) {
    throw fail('is not {challenge, responses}');
  }
  const decode = (text: unknown) => {
    if (typeof text !== 'string') throw fail('has a response that is not a string');
    try {
      return base64UrlToBytes(text, 'proof');
    } catch {
      throw fail('is not unpadded base64url');
    }
  };
  return { challenge: decode(challenge), responses: responses.map(decode) };
}
