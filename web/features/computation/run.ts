/**
 * One computation, end to end: encode on the page, encrypt in the worker, ask the service,
 * check and decrypt in the worker, interpret on the page. Each step is timed for the transcript.
 */

import type { Computation, FormValues, Interpretation } from '../../../shared/computations/computation.js';
import {
  DeclarationRefusedError,
  DecodeRangeError,
  ServiceResponseError,
  VERIFICATION_FAILED,
  VerificationError,
} from '../../../shared/errors.js';
import type { GroupName } from '../../../shared/groups/group.js';
import { exchangeWithService, workerError } from '../../crypto/client.js';
import { recordResult } from '../history/store.js';
import { type Encrypted, encryptNow } from './encrypt-ahead.js';

/** Exactly what left the device and what came back, for the "What left this device" panel. */
export interface Transcript {
  readonly group: GroupName;
  /** The request body as sent, byte for byte. */
  readonly requestBody: string;
  /** The response body as received; `undefined` when no answer arrived. */
  readonly responseBody: string | undefined;
  readonly status: number | undefined;
  readonly timings: {
    readonly encryptMs: number;
    /** The inputs were encrypted while the form was filled in, before Compute was pressed. */
    readonly encryptedAhead: boolean;
    readonly networkMs: number | undefined;
    /** Checking the answer's proof, before anything was decrypted; undefined when it did not verify. */
    readonly verifyMs: number | undefined;
    readonly decryptMs: number | undefined;
  };
  /** The proof's size in bytes, when the answer verified. */
  readonly proofBytes: number | undefined;
}

/** What the patient is told when there is no result; never contains a typed value. */
export interface Failure {
  readonly title: string;
  readonly detail: string;
}

export type RunOutcome =
  | { readonly ok: true; readonly interpretation: Interpretation; readonly transcript: Transcript }
  | { readonly ok: false; readonly failure: Failure; readonly transcript: Transcript | undefined };

/**
 * Each step is also a User Timing measure (`sealed-vitals:<step>`), visible in the browser's
 * performance tools and read by the browser benchmark.
 */
function measureStep(step: 'encrypt' | 'network' | 'decrypt' | 'history', start: number, end: number): void {
  performance.measure(`sealed-vitals:${step}`, { start, end });
}

/**
 * Runs the computation on valid form values (call `validateForm` first), with the inputs encrypted
 * ahead of time when `encryptedAhead` holds them for exactly these values (encrypt-ahead.ts).
 */
export async function runComputation(
  computation: Computation,
  values: FormValues,
  encryptedAhead?: Promise<Encrypted>,
): Promise<RunOutcome> {
  const started = performance.now();
  const plaintexts = computation.encodeInputs(values);
  let encryption: Encrypted;
  let ahead = encryptedAhead !== undefined;
  try {
    encryption = await (encryptedAhead ?? encryptNow(computation.id, plaintexts)).catch(() => {
      ahead = false;
      return encryptNow(computation.id, plaintexts);
    });
  } catch (error) {
    return { ok: false, failure: failureFrom(error), transcript: undefined };
  }
  const { request } = encryption;
  const requestBody = JSON.stringify(request);
  const encrypted = performance.now();
  measureStep('encrypt', started, encrypted);
  const sent = {
    group: computation.group,
    requestBody,
    responseBody: undefined,
    status: undefined,
    timings: {
      encryptMs: encryption.encryptMs,
      encryptedAhead: ahead,
      networkMs: undefined,
      verifyMs: undefined,
      decryptMs: undefined,
    },
    proofBytes: undefined,
  } satisfies Transcript;

  // The worker sends it and decrypts the answer in one go (see web/crypto/exchange.ts).
  const exchange = await exchangeWithService(computation.id, requestBody, request.publicKey).catch(
    (error: unknown) => error as Error,
  );
  if (exchange instanceof Error) return { ok: false, failure: failureFrom(exchange), transcript: sent };
  if (!exchange.reached) return { ok: false, failure: UNREACHABLE, transcript: sent };
  const answered = performance.now();
  const { status, responseBody, networkMs, decrypted } = exchange;
  // The network step as the worker timed it, and the rest of the round trip as decryption.
  measureStep('network', encrypted, encrypted + networkMs);
  measureStep('decrypt', encrypted + networkMs, answered);
  const verified = decrypted?.ok ? decrypted : undefined;
  const received = {
    ...sent,
    responseBody,
    status,
    timings: { ...sent.timings, networkMs, verifyMs: verified?.verifyMs, decryptMs: verified?.decryptMs },
    proofBytes: verified?.proofBytes,
  } satisfies Transcript;
  if (!decrypted) return { ok: false, failure: problemFailure(status, responseBody), transcript: received };
  if (!decrypted.ok) {
    const error = workerError(decrypted.errorName, decrypted.message);
    return { ok: false, failure: failureFrom(error), transcript: received };
  }
  try {
    const interpretation = computation.interpret(decrypted.outputs, values);
    // Into the on-device history; storage that is full or blocked must not hide the result.
    await recordResult({
      computationId: computation.id,
      computationVersion: computation.version,
      inputs: values,
      result: interpretation,
      // The worker decrypted this very body, so it is JSON.
      sealed: { publicKey: request.publicKey, response: JSON.parse(responseBody) as unknown },
    }).catch(() => undefined);
    measureStep('history', answered, performance.now());
    return { ok: true, interpretation, transcript: received };
  } catch (error) {
    return { ok: false, failure: failureFrom(error), transcript: received };
  }
}

const UNREACHABLE: Failure = {
  title: 'The health service could not be reached.',
  detail: 'Check your connection and try again. Nothing was computed; your entries are still in the form.',
};

/** An RFC 9457 problem's title and detail when the body is one; the status code otherwise. */
function problemFailure(status: number, body: string): Failure {
  let problem: unknown;
  try {
    problem = JSON.parse(body);
  } catch {
    problem = undefined;
  }
  if (
    typeof problem === 'object' &&
    problem !== null &&
    'title' in problem &&
    'detail' in problem &&
    typeof problem.title === 'string' &&
    typeof problem.detail === 'string'
  ) {
    return { title: problem.title, detail: problem.detail };
  }
  return {
    title: 'The health service refused the request.',
    detail: `It answered with HTTP status ${status}. Try again in a moment.`,
  };
}

function failureFrom(error: unknown): Failure {
  if (error instanceof DeclarationRefusedError) {
    return {
      title: 'This app does not trust what the service now declares, so nothing was sent.',
      detail: error.message,
    };
  }
  if (error instanceof VerificationError) {
    return {
      title: VERIFICATION_FAILED,
      detail:
        'The service could not prove that its answer is the declared computation of what this device sent, so ' +
        'the answer was discarded unopened. This request is spent: its encrypted numbers are never sent again. ' +
        'Press Compute to try again with a fresh encryption; if it keeps failing, do not rely on this service.',
    };
  }
  if (error instanceof ServiceResponseError) {
    return {
      title: 'The service’s answer could not be verified, so no result is shown.',
      detail: error.message,
    };
  }
  if (error instanceof DecodeRangeError) {
    return { title: 'The decrypted result is not plausible, so it is not shown.', detail: error.message };
  }
  return {
    title: 'The computation failed on this device.',
    detail: error instanceof Error ? error.message : 'Reload the page and try again.',
  };
}
