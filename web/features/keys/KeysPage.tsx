/** The patient's keys: the set in use, older sets, rotation, backup and restore, and storage. */

import type { VaultState } from '../../crypto/protocol.js';
import { useHistory } from '../history/useHistory.js';
import { BackupPanel } from './BackupPanel.js';
import { DeviceStoragePanel } from './DeviceStoragePanel.js';
import { KeySetFacts } from './KeySetFacts.js';
import { OlderKeys } from './OlderKeys.js';
import { ProtectionPanel } from './ProtectionPanel.js';
import { RestorePanel } from './RestorePanel.js';
import { RotateKeys } from './RotateKeys.js';
import type { KeyringState } from './useKeyring.js';
import type { VaultView } from './useVault.js';
import './keys.css';

export function KeysPage({
  keys,
  vault,
  adopt,
}: {
  keys: KeyringState;
  vault: VaultView;
  adopt(state: VaultState): void;
}) {
  const history = useHistory();
  return (
    <>
      <p className="lead">
        This browser made your own keys the first time you opened Sealed Vitals: the lock your values are sent
        in, and the only key that opens the answers. They stay on this device, encrypted under the protection
        you chose, and are never sent, shown or synced. Clearing this site’s data deletes them, so keep a
        backup.
      </p>
      {keys.status === 'loading' && <p role="status">Preparing your keys…</p>}
      {keys.status === 'failed' && (
        <div className="alert" role="alert">
          <p className="alert-title">Your keys could not be loaded.</p>
          <p>{keys.message}</p>
        </div>
      )}
      {vault.status === 'failed' && (
        <div className="alert" role="alert">
          <p className="alert-title">This device’s protection could not be read.</p>
          <p>{vault.message}</p>
        </div>
      )}
      {vault.status === 'unlocked' && <ProtectionPanel vault={vault} adopt={adopt} />}
      {keys.status === 'ready' && (
        <>
          <section className="panel" aria-labelledby="current-heading">
            <h2 id="current-heading">Keys in use</h2>
            <KeySetFacts set={keys.keyring.current} testId="current-keys" />
          </section>
          <RotateKeys />
          <OlderKeys older={keys.keyring.older} history={history.status === 'ready' ? history.entries : []} />
          <BackupPanel />
          <RestorePanel />
        </>
      )}
      <DeviceStoragePanel />
    </>
  );
}
