import { COMPUTATIONS } from '../../../shared/computations/catalog.js';
import type { GroupName } from '../../../shared/groups/group.js';
import type { KeyInfoState } from './useKeyInfo.js';

function usedBy(group: GroupName): string {
  return COMPUTATIONS.filter((computation) => computation.group === group)
    .map((computation) => computation.title)
    .join(', ');
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'long', timeStyle: 'short' });

export function KeysPage({ keys }: { keys: KeyInfoState }) {
  return (
    <>
      <p className="lead">
        This browser made its own ElGamal key pairs the first time you opened Sealed Vitals. The private keys
        stay in this browser’s storage for this site and are used only by the page’s encryption worker; they
        are never sent, shown or synced. Clearing the site’s data deletes them; the app then makes new ones.
      </p>
      {keys.status === 'loading' && <p role="status">Preparing your keys…</p>}
      {keys.status === 'failed' && (
        <div className="alert" role="alert">
          <p className="alert-title">Your keys could not be loaded.</p>
          <p>{keys.message}</p>
        </div>
      )}
      {keys.status === 'ready' && (
        <dl className="key-facts">
          <dt>Fingerprint</dt>
          <dd>
            <code>{keys.info.fingerprint}</code>
            <span className="field-help">First 16 hex digits of SHA-256 over your public keys.</span>
          </dd>
          <dt>Created</dt>
          <dd>
            <time dateTime={keys.info.createdAt}>{dateFormat.format(new Date(keys.info.createdAt))}</time>
          </dd>
          <dt>Groups</dt>
          <dd>
            <ul className="plain-list">
              {keys.info.groups.map((group) => (
                <li key={group}>
                  <code>{group}</code> — {usedBy(group)}
                </li>
              ))}
            </ul>
          </dd>
        </dl>
      )}
    </>
  );
}
