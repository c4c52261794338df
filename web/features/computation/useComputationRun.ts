/** React state for running a computation: one at a time, the latest result, failure and transcript. */

import { useCallback, useEffect, useMemo, useState } from 'react';
import type { Computation, FormValues, Interpretation } from '../../../shared/computations/computation.js';
import { validateForm } from '../../../shared/computations/form.js';
import { onKeysChanged, prepareForGroup } from '../../crypto/client.js';
import { EncryptAhead } from './encrypt-ahead.js';
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

/** `values`: the form as it is now, encrypted ahead (on this device) whenever it is valid. */
export function useComputationRun(computation: Computation, values: FormValues) {
  const [state, setState] = useState<RunState>(IDLE);
  const ahead = useMemo(() => new EncryptAhead(), []);
  // While the patient fills in the form, the worker gets ready to encrypt for it...
  useEffect(() => prepareForGroup(computation.group), [computation.group]);
  useEffect(() => onKeysChanged(() => ahead.clear()), [ahead]);
  // ...and encrypts it as soon as it is valid, so that Compute only has to send it. Not while a
  // computation runs: the worker's next job is then to decrypt its answer.
  const ready = !state.running && Object.keys(validateForm(computation, values)).length === 0;
  useEffect(() => {
    if (ready) ahead.offer(computation.id, computation.encodeInputs(values));
  });

  const run = useCallback(
    async (submitted: FormValues) => {
      // Clear the previous result: it must not sit next to an error about new values.
      setState((previous) => ({ ...IDLE, running: true, transcript: previous.transcript }));
      const encrypted = ahead.take(computation.id, computation.encodeInputs(submitted));
      const outcome = await runComputation(computation, submitted, encrypted);
      setState(
        outcome.ok
          ? {
              ...IDLE,
              interpretation: outcome.interpretation,
              values: submitted,
              transcript: outcome.transcript,
            }
          : { ...IDLE, failure: outcome.failure, transcript: outcome.transcript },
      );
    },
    [computation, ahead],
  );

  return { state, run };
}
