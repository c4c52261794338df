/**
 * One computation, as the page sees it: the worker runs it whole (web/crypto/compute.ts) and answers
 * with the decrypted outputs and the transcript; the page interprets them, has the result recorded
 * through the recorder it was given, and says what went wrong when there is no result.
 */

import type { Computation, FormValues, Interpretation } from '../../../shared/computations/computation.js';
import {
  DeclarationRefusedError,
  DecodeRangeError,
  ServiceResponseError,
  VERIFICATION_FAILED,
  VerificationError,
} from '../../../shared/errors.js';
import { compute, workerError } from '../../crypto/client.js';
import type { Computed, ResultToKeep, Transcript } from '../../crypto/protocol.js';

export type { Transcript } from '../../crypto/protocol.js';

/** What the patient is told when there is no result; never contains a typed value. */
export interface Failure {
  readonly title: string;
  readonly detail: string;
}

export type RunOutcome =
  | {
      readonly ok: true;
      readonly interpretation: Interpretation;
      readonly transcript: Transcript;
      /** Whether the history kept it (storage that is full or blocked refuses it; the result stands). */
      readonly kept: boolean;
    }
  | { readonly ok: false; readonly failure: Failure; readonly transcript: Transcript | undefined };

/** Keeps a result shown (the history's `recordResult`); its failure does not hide the result. */
export type RecordResult = (kept: ResultToKeep) => Promise<unknown>;

/**
 * Each step is also a User Timing measure (`sealed-vitals:<step>`), visible in the browser's
 * performance tools and read by the browser benchmark. The worker's steps are placed on the page's
 * timeline from its clock's origin.
 */
function measureSteps({ steps, clockOrigin }: Computed): void {
  const shift = clockOrigin - performance.timeOrigin;
  for (const { step, start, end } of steps) {
    performance.measure(`sealed-vitals:${step}`, { start: start + shift, end: end + shift });
  }
}

/** Runs the computation on valid form values (call `validateForm` first). */
export async function runComputation(
  computation: Computation,
  values: FormValues,
  record: RecordResult,
): Promise<RunOutcome> {
  let computed: Computed;
  try {
    computed = await compute(computation.id, values);
  } catch (error) {
    return { ok: false, failure: failureFrom(error), transcript: undefined };
  }
  const answered = performance.now();
  measureSteps(computed);
  const { transcript } = computed;
  switch (computed.outcome) {
    case 'unreachable':
      return { ok: false, failure: UNREACHABLE, transcript };
    case 'service-refused':
      return { ok: false, failure: computed.problem ?? statusFailure(transcript.status), transcript };
    case 'answer-rejected':
      return {
        ok: false,
        failure: failureFrom(workerError(computed.errorName, computed.message)),
        transcript,
      };
    case 'decrypted':
      try {
        const interpretation = computation.interpret(computed.outputs, values);
        // Storage that is full or blocked must not hide the result; the page says it was not kept.
        const kept = await record({
          answerId: computed.answerId,
          inputs: values,
          result: interpretation,
        }).then(
          () => true,
          () => false,
        );
        // The page's own step, on the page's clock.
        performance.measure('sealed-vitals:history', { start: answered, end: performance.now() });
        return { ok: true, interpretation, transcript, kept };
      } catch (error) {
        return { ok: false, failure: failureFrom(error), transcript };
      }
  }
}

const UNREACHABLE: Failure = {
  title: 'The health service could not be reached.',
  detail: 'Check your connection and try again. Nothing was computed; your entries are still in the form.',
};

function statusFailure(status: number | undefined): Failure {
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
