/** Says so, on every page, while the health service cannot be reached (connectivity.ts). */

import { useServiceReachability } from './connectivity.js';

export function ConnectionBanner() {
  const reachability = useServiceReachability();
  // A status region that is always there, so the message is announced when it appears.
  return (
    <div role="status" className="connection-status">
      {reachability === 'unreachable' && (
        <p className="connection-banner" data-testid="offline-banner">
          <strong>The health service cannot be reached right now.</strong> Your history and keys work offline;
          computing a result needs the service. This page checks again by itself.
        </p>
      )}
    </div>
  );
}
