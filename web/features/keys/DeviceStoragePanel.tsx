import { useEffect, useState } from 'react';
import { type DeviceStorage, deviceStorage } from './storage.js';

const size = new Intl.NumberFormat('en', { style: 'unit', unit: 'kilobyte', maximumFractionDigits: 0 });

function kilobytes(bytes: number | undefined): string {
  return bytes === undefined ? 'unknown' : size.format(bytes / 1000);
}

/** Whether this browser will keep the keys: persistence, space used, offline readiness. */
export function DeviceStoragePanel() {
  const [storage, setStorage] = useState<DeviceStorage | undefined>(undefined);
  useEffect(() => {
    let current = true;
    void deviceStorage().then((found) => current && setStorage(found));
    return () => {
      current = false;
    };
  }, []);

  return (
    <section className="panel" aria-labelledby="storage-heading">
      <h2 id="storage-heading">This browser</h2>
      {storage === undefined ? (
        <p role="status">Checking storage…</p>
      ) : (
        <dl className="key-facts" data-testid="device-storage">
          <dt>Persistent storage</dt>
          <dd data-testid="storage-persistent">
            {storage.persistent
              ? 'Granted: the browser will not clear your keys and history to free space.'
              : 'Not granted: the browser may clear this site’s data when space runs low. Keep a backup.'}
          </dd>
          <dt>Space used by this site</dt>
          <dd data-testid="storage-usage">
            {kilobytes(storage.usageBytes)} of {kilobytes(storage.quotaBytes)} available
          </dd>
          <dt>Offline</dt>
          <dd>
            {storage.offlineReady
              ? 'Saved for offline use: your keys, key page and history open without a network.'
              : 'Not saved for offline use yet; it will be after this visit.'}
          </dd>
        </dl>
      )}
    </section>
  );
}
