/**
 * The device's key sets, loaded once the device is unlocked (or has no protection), and loaded again
 * whenever any tab rotates, deletes or restores keys.
 */

import { useEffect, useState } from 'react';
import { getKeyring, onKeysChanged } from '../../crypto/client.js';
import type { KeyringInfo } from '../../crypto/protocol.js';
import { requestPersistentStorage } from './storage.js';
import type { VaultView } from './useVault.js';

export type KeyringState =
  | { readonly status: 'loading' }
  | { readonly status: 'locked' }
  | { readonly status: 'ready'; readonly keyring: KeyringInfo }
  | { readonly status: 'failed'; readonly message: string };

export function useKeyring(vault: VaultView): KeyringState {
  const [state, setState] = useState<KeyringState>({ status: 'loading' });
  const unlocked = vault.status === 'unlocked';
  const settled = vault.status !== 'loading';
  useEffect(() => {
    if (!unlocked) {
      setState(settled ? { status: 'locked' } : { status: 'loading' });
      return;
    }
    let current = true;
    const load = () =>
      getKeyring().then(
        (keyring) => {
          if (!current) return;
          setState({ status: 'ready', keyring });
          // The keys now exist: ask the browser not to evict them under storage pressure.
          void requestPersistentStorage();
        },
        (error: unknown) =>
          current &&
          setState({
            status: 'failed',
            message: error instanceof Error ? error.message : 'The keys could not be loaded.',
          }),
      );
    void load();
    const unsubscribe = onKeysChanged(() => void load());
    return () => {
      current = false;
      unsubscribe();
    };
  }, [unlocked, settled]);
  return state;
}
