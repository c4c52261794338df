/**
 * The worker's side of a computation's round trip: send the encrypted request, and check and decrypt
 * a 2xx answer in the same turn, so no page rendering sits between the answer and its decryption.
 * The page gets the answer's body as received, for the transcript, whatever happened.
 */

import { decryptOutputs } from '../../shared/client.js';
import type { Computation } from '../../shared/computations/computation.js';
import { ServiceResponseError } from '../../shared/errors.js';
import type { PublicKeyWire } from '../../shared/wire.js';
import { backendsFor } from './backends.js';
import { describeError } from './describe-error.js';
import { withKeyPairFor } from './keystore.js';
import type { Exchange } from './protocol.js';

export async function exchange(
  computation: Computation,
  url: string,
  requestBody: string,
  publicKey: PublicKeyWire,
): Promise<Exchange> {
  const backends = backendsFor(computation.group);
  const sent = performance.now();
  let status: number;
  let responseBody: string;
  try {
    const answer = await fetch(url, {
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
  if (status < 200 || status > 299) return received;
  try {
    const response = parseServiceJson(responseBody);
    const using = await backends;
    const outputs = await withKeyPairFor(publicKey, (pair) =>
      decryptOutputs(computation, pair, response, using),
    );
    return { ...received, decrypted: { ok: true, outputs, decryptMs: performance.now() - answered } };
  } catch (error) {
    return {
      ...received,
      decrypted: { ok: false, ...describeError(error), decryptMs: performance.now() - answered },
    };
  }
}

function parseServiceJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ServiceResponseError('The service’s answer is not JSON.');
  }
}
