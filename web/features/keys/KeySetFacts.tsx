import { COMPUTATIONS } from '../../../shared/computations/catalog.js';
import type { GroupName } from '../../../shared/groups/group.js';
import { formatDateTime } from '../../app/format.js';
import type { KeySetInfo } from '../../crypto/protocol.js';

function usedBy(group: GroupName): string {
  return COMPUTATIONS.filter((computation) => computation.group === group)
    .map((computation) => computation.title)
    .join(', ');
}

/** Fingerprint, dates and groups of one key set. */
export function KeySetFacts({ set, testId }: { set: KeySetInfo; testId?: string }) {
  return (
    <dl className="key-facts" data-testid={testId}>
      <dt>Fingerprint</dt>
      <dd>
        <code>{set.fingerprint}</code>
        <span className="field-help">First 16 hex digits of SHA-256 over these public keys.</span>
      </dd>
      <dt>Created</dt>
      <dd>
        <time dateTime={set.createdAt}>{formatDateTime(set.createdAt)}</time>
      </dd>
      {set.retiredAt !== undefined && (
        <>
          <dt>Replaced</dt>
          <dd>
            <time dateTime={set.retiredAt}>{formatDateTime(set.retiredAt)}</time>
          </dd>
        </>
      )}
      <dt>Groups</dt>
      <dd>
        <ul className="plain-list">
          {set.groups.map((group) => (
            <li key={group}>
              <code>{group}</code> — {usedBy(group) || 'no computation of this version'}
            </li>
          ))}
        </ul>
      </dd>
    </dl>
  );
}
