/**
 * The worker's side of a computation's round trip: send the encrypted request to the service's v2
 * endpoint, and check the answer's proof, then decrypt it, in the same turn, so no page rendering sits
 * between the answer and its decryption. A failed proof decrypts nothing (protocol-v2.md, "What a
 * client does with an answer"). The page gets the answer's body as received, for the transcript.
 *
 * The worker builds the URL itself, from the API origin the app was built with: it sends requests
 * nowhere else, whatever a page asks.
 */

import { evaluatePathV2 } from '../../shared/api.js';
import { verifyAndDecryptOutputs } from '../../shared/client.js';
import type { Computation } from '../../shared/computations/computation.js';
import { ServiceResponseError } from '../../shared/errors.js';
import type { EvaluateRequest, ProofWire, PublicKeyWire } from '../../shared/wire.js';
import { backendsFor } from './backends.js';
import { describeError } from './describe-error.js';
import type { Exchange } from './protocol.js';
import { withRequestKeyPair } from './request-keys.js';

/** The service's origin; unset means the app's own origin (the API and the site served together). */
const API_ORIGIN = import.meta.env.VITE_API_BASE_URL ?? '';

/** A path of the API, on the configured API origin only. */
export function apiUrl(path: string): string {
  return new URL(`${API_ORIGIN}${path}`, self.location.href).href;
}

export async function exchange(
  computation: Computation,
  requestBody: string,
  publicKey: PublicKeyWire,
): Promise<Exchange> {
  const request = JSON.parse(requestBody) as EvaluateRequest;
  const backends = backendsFor(computation.group);
  const sent = performance.now();
  let status: number;
  let responseBody: string;
  try {
    const answer = await fetch(apiUrl(evaluatePathV2(computation.id)), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, application/problem+json' },
      body: requestBody,
    });
    status = answer.status;
    responseBody = await answer.text();
  } catch {
    return { reached: false };
  }
  const answered = performance.now();
  const received = { reached: true, status, responseBody, networkMs: answered - sent } as const;
  let verifyMs = 0;
  if (status < 200 || status > 299) return received;
  try {
    const response = parseServiceJson(responseBody);
    const using = await backends;
    let verified = answered;
    const outputs = await withRequestKeyPair(publicKey, (pair) => {
      const started = performance.now();
      return verifyAndDecryptOutputs(computation, pair, request, response, using, () => {
        verified = performance.now();
        verifyMs = verified - started;
      });
    });
    return {
      ...received,
      decrypted: {
        ok: true,
        outputs,
        verifyMs,
        proofBytes: proofBytesOf(response),
        decryptMs: performance.now() - verified,
      },
    };
  } catch (error) {
    return {
      ...received,
      decrypted: { ok: false, ...describeError(error), decryptMs: performance.now() - answered },
    };
  }
}

/** The proof's size as bytes (not its base64url text), for "What left this device". */
function proofBytesOf(response: unknown): number {
  const { challenge, responses } = (response as { proof: ProofWire }).proof;
  return [challenge, ...responses].reduce((sum, text) => sum + Math.floor((text.length * 3) / 4), 0);
}

function parseServiceJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ServiceResponseError('The service’s answer is not JSON.');
  }
}
