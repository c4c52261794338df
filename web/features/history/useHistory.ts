/** The on-device history, read when a page opens and again whenever any tab changes it. */

import { useEffect, useState } from 'react';
import { type History, onHistoryChanged, readHistory } from './store.js';

export type HistoryState =
  | { readonly status: 'loading' }
  | ({ readonly status: 'ready' } & History)
  | { readonly status: 'failed'; readonly message: string };

export function useHistory(): HistoryState {
  const [state, setState] = useState<HistoryState>({ status: 'loading' });
  useEffect(() => {
    let current = true;
    const load = () =>
      readHistory().then(
        (history) => current && setState({ status: 'ready', ...history }),
        () =>
          current &&
          setState({
            status: 'failed',
            message:
              'This browser did not let the app read its history (IndexedDB); a private window may block it.',
          }),
      );
    void load();
    const unsubscribe = onHistoryChanged(() => void load());
    return () => {
      current = false;
      unsubscribe();
    };
  }, []);
  return state;
}
