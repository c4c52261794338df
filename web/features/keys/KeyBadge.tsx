import type { KeyringState } from './useKeyring.js';

/** The header's short fingerprint, so the patient can see the same keys come back after a reload. */
export function KeyBadge({ keys }: { keys: KeyringState }) {
  return (
    <p className="key-badge">
      <span className="key-badge-label">Your key</span>{' '}
      {keys.status === 'ready' ? (
        <code data-testid="key-fingerprint">{keys.keyring.current.fingerprint}</code>
      ) : (
        <span data-testid="key-locked">
          {keys.status === 'loading' ? 'preparing…' : keys.status === 'locked' ? 'locked' : 'unavailable'}
        </span>
      )}
    </p>
  );
}
