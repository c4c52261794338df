/** React state for running a computation: one at a time, the latest result, failure and transcript. */

import { useCallback, useEffect, useState } from 'react';
import type { Computation, FormValues, Interpretation } from '../../../shared/computations/computation.js';
import { prepareForGroup } from '../../crypto/client.js';
import { type Failure, runComputation, type Transcript } from './run.js';

export interface RunState {
  readonly running: boolean;
  readonly interpretation: Interpretation | undefined;
  /** The values the interpretation was computed from, which stay on this page. */
  readonly values: FormValues | undefined;
  readonly failure: Failure | undefined;
  readonly transcript: Transcript | undefined;
}

const IDLE: RunState = {
  running: false,
  interpretation: undefined,
  values: undefined,
  failure: undefined,
  transcript: undefined,
};

export function useComputationRun(computation: Computation) {
  const [state, setState] = useState<RunState>(IDLE);
  // While the patient fills in the form, the worker gets ready to encrypt for it.
  useEffect(() => prepareForGroup(computation.group), [computation.group]);

  const run = useCallback(
    async (values: FormValues) => {
      // Clear the previous result: it must not sit next to an error about new values.
      setState((previous) => ({ ...IDLE, running: true, transcript: previous.transcript }));
      const outcome = await runComputation(computation, values);
      setState(
        outcome.ok
          ? { ...IDLE, interpretation: outcome.interpretation, values, transcript: outcome.transcript }
          : { ...IDLE, failure: outcome.failure, transcript: outcome.transcript },
      );
    },
    [computation],
  );

  return { state, run };
}
