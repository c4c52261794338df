/**
 * Whether this device's keys and history are set up, locked or unlocked, read when the app starts
 * and again whenever any tab locks, unlocks or sets them up. While unlocked, the patient's use of the
 * page (a key press, a tap) tells the worker, so the idle lock counts from the last real use.
 */

import { useCallback, useEffect, useState } from 'react';
import { getVaultState, onVaultChanged, reportActivity } from '../../crypto/client.js';
import type { VaultState } from '../../crypto/protocol.js';

export type VaultView =
  | { readonly status: 'loading' }
  | { readonly status: 'failed'; readonly message: string }
  | VaultState;

/** At most one activity report per this long: the idle time is counted in minutes. */
const ACTIVITY_EVERY_MS = 20_000;

export function useVault(): { vault: VaultView; adopt(state: VaultState): void } {
  const [vault, setVault] = useState<VaultView>({ status: 'loading' });
  useEffect(() => {
    let current = true;
    const load = () =>
      getVaultState().then(
        (state) => current && setVault(state),
        (error: unknown) =>
          current &&
          setVault({
            status: 'failed',
            message: error instanceof Error ? error.message : 'The keys could not be loaded.',
          }),
      );
    void load();
    const unsubscribe = onVaultChanged(() => void load());
    return () => {
      current = false;
      unsubscribe();
    };
  }, []);

  const unlocked = vault.status === 'unlocked';
  useEffect(() => {
    if (!unlocked) return;
    let last = 0;
    const used = () => {
      const now = Date.now();
      if (now - last < ACTIVITY_EVERY_MS) return;
      last = now;
      reportActivity();
    };
    document.addEventListener('pointerdown', used);
    document.addEventListener('keydown', used);
    return () => {
      document.removeEventListener('pointerdown', used);
      document.removeEventListener('keydown', used);
    };
  }, [unlocked]);

  const adopt = useCallback((state: VaultState) => setVault(state), []);
  return { vault, adopt };
}
