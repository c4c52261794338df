/** React state for running a computation: one at a time, the latest result, failure and transcript. */

import { useCallback, useEffect, useState } from 'react';
import type { Computation, FormValues, Interpretation } from '../../../shared/computations/computation.js';
import { validateForm } from '../../../shared/computations/form.js';
import { encryptAhead, prepareForGroup } from '../../crypto/client.js';
import { type Failure, type RecordResult, runComputation, type Transcript } from './run.js';

export interface RunState {
  readonly running: boolean;
  readonly interpretation: Interpretation | undefined;
  /** The values the interpretation was computed from, which stay on this page. */
  readonly values: FormValues | undefined;
  readonly failure: Failure | undefined;
  readonly transcript: Transcript | undefined;
  /** False when the result is shown but the history could not keep it. */
  readonly kept: boolean;
}

const IDLE: RunState = {
  running: false,
  interpretation: undefined,
  values: undefined,
  failure: undefined,
  transcript: undefined,
  kept: true,
};

/**
 * `values`: the form as it is now, encrypted ahead (in the worker) whenever it is valid; `record`
 * keeps each result shown (the history's `recordResult`).
 */
export function useComputationRun(computation: Computation, values: FormValues, record: RecordResult) {
  const [state, setState] = useState<RunState>(IDLE);
  // While the patient fills in the form, the worker gets ready to encrypt for it...
  useEffect(() => prepareForGroup(computation.group), [computation.group]);
  // ...and encrypts it as soon as it is valid, so that Compute only has to send it. Not while a
  // computation runs: the worker's next job is then to decrypt its answer. Offered again after a run,
  // which used up (or spent) what was made ahead.
  const ready = !state.running && Object.keys(validateForm(computation, values)).length === 0;
  // By content: the form's values are a new object at every render (they compare as their JSON).
  const offered = JSON.stringify(values);
  useEffect(() => {
    if (ready) encryptAhead(computation.id, JSON.parse(offered) as FormValues);
  }, [ready, computation.id, offered]);

  const run = useCallback(
    async (submitted: FormValues) => {
      // Clear the previous result: it must not sit next to an error about new values.
      setState((previous) => ({ ...IDLE, running: true, transcript: previous.transcript }));
      const outcome = await runComputation(computation, submitted, record);
      setState(
        outcome.ok
          ? {
              ...IDLE,
              interpretation: outcome.interpretation,
              values: submitted,
              transcript: outcome.transcript,
              kept: outcome.kept,
            }
          : { ...IDLE, failure: outcome.failure, transcript: outcome.transcript },
      );
    },
    [computation, record],
  );

  return { state, run };
}
