import type { GroupName } from '../../../shared/groups/group.js';
import { useCatalog } from '../../app/catalog.js';
import { formatDateTime } from '../../app/format.js';
import type { KeySetInfo } from '../../crypto/protocol.js';

/** What each kind of key is for, in words (the group's name and math are on the How it works page). */
const PURPOSE: Readonly<Record<GroupName, string>> = {
  ffdhe2048: 'For calculators that multiply',
  ffdhe3072: 'For calculators that multiply',
  ffdhe4096: 'For calculators that multiply',
  ristretto255: 'For calculators that add up',
};

/** Fingerprint, dates and groups of one key set; what each group is used for follows the catalog. */
export function KeySetFacts({ set, testId }: { set: KeySetInfo; testId?: string }) {
  const { computations } = useCatalog();
  const usedBy = (group: GroupName) =>
    computations
      .filter((computation) => computation.group === group)
      .map((computation) => computation.title)
      .join(', ');
  return (
    <dl className="key-facts" data-testid={testId}>
      <dt>Fingerprint</dt>
      <dd>
        <code>{set.fingerprint}</code>
        <span className="field-help">
          A short name for these keys. It is shown at the top of every page: the same name after a reload
          means the same keys.
        </span>
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
      <dt>Used for</dt>
      <dd>
        <ul className="plain-list">
          {set.groups.map((group) => (
            <li key={group}>
              {PURPOSE[group]}: {usedBy(group) || 'none in this version of the app'}
            </li>
          ))}
        </ul>
      </dd>
    </dl>
  );
}
