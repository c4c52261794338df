/** The on-device history, read when a page opens and again whenever any tab changes it. */

import { useEffect, useState } from 'react';
import { onVaultChanged } from '../../crypto/client.js';
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
            message: 'The history could not be read: unlock this device, or reload the page.',
          }),
      );
    void load();
    const unsubscribe = onHistoryChanged(() => void load());
    // Sealed at rest: unlocking (here or in another tab) makes it readable.
    const unsubscribeVault = onVaultChanged(() => void load());
    return () => {
      current = false;
      unsubscribe();
      unsubscribeVault();
    };
  }, []);
  return state;
}
