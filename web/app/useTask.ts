/** One asynchronous action a page runs on request (rotate keys, make a backup…): its state and result. */

import { useCallback, useRef, useState } from 'react';

export type TaskState<T> =
  | { readonly status: 'idle' }
  | { readonly status: 'running' }
  | { readonly status: 'done'; readonly value: T }
  | { readonly status: 'failed'; readonly message: string };

const IDLE = { status: 'idle' } as const;

/**
 * `run` starts `work` unless it is already running; a failure's message is shown as it is, which
 * is why every error this app throws is written for the patient and holds no secret.
 */
export function useTask<A extends unknown[], T>(work: (...args: A) => Promise<T>) {
  const [state, setState] = useState<TaskState<T>>(IDLE);
  const running = useRef(false);
  const run = useCallback(
    async (...args: A) => {
      if (running.current) return;
      running.current = true;
      setState({ status: 'running' });
      try {
        setState({ status: 'done', value: await work(...args) });
      } catch (error) {
        setState({
          status: 'failed',
          message: error instanceof Error ? error.message : 'Something went wrong; try again.',
        });
      } finally {
        running.current = false;
      }
    },
    [work],
  );
  const reset = useCallback(() => setState(IDLE), []);
  return { state, run, reset };
}
