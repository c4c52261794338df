/** The device's key summary, loaded (and on first visit generated) once when the app starts. */

import { useEffect, useState } from 'react';
import { getKeyInfo } from '../../crypto/client.js';
import type { KeyInfo } from '../../crypto/protocol.js';

export type KeyInfoState =
  | { readonly status: 'loading' }
  | { readonly status: 'ready'; readonly info: KeyInfo }
  | { readonly status: 'failed'; readonly message: string };

export function useKeyInfo(): KeyInfoState {
  const [state, setState] = useState<KeyInfoState>({ status: 'loading' });
  useEffect(() => {
    let current = true;
    getKeyInfo().then(
      (info) => current && setState({ status: 'ready', info }),
      (error: unknown) =>
        current &&
        setState({
          status: 'failed',
          message: error instanceof Error ? error.message : 'The keys could not be loaded.',
        }),
    );
    return () => {
      current = false;
    };
  }, []);
  return state;
}
