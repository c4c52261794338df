import { useEffect, useState } from 'react';
import { type DeviceStorage, deviceStorage } from './storage.js';

const megabytes = new Intl.NumberFormat('en', { style: 'unit', unit: 'megabyte', maximumFractionDigits: 1 });
const gigabytes = new Intl.NumberFormat('en', { style: 'unit', unit: 'gigabyte', maximumFractionDigits: 0 });

/** "0.4 MB", "3.8 MB", "11 GB": the sizes a phone's own settings show. */
export function readableSize(bytes: number): string {
  if (bytes >= 1e9) return gigabytes.format(bytes / 1e9);
  return bytes < 1e5 ? 'less than 0.1 MB' : megabytes.format(bytes / 1e6);
}

function spaceUsed(storage: DeviceStorage): string {
  if (storage.usageBytes === undefined) return 'This browser does not say.';
  const used = readableSize(storage.usageBytes);
  if (storage.quotaBytes === undefined) return used;
  const free = storage.quotaBytes - storage.usageBytes;
  return free > 100 * storage.usageBytes
    ? `${used}, with plenty of room left (this browser allows about ${readableSize(storage.quotaBytes)})`
    : `${used} of the ${readableSize(storage.quotaBytes)} this browser allows: ${readableSize(free)} left`;
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
          <dd data-testid="storage-usage">{spaceUsed(storage)}</dd>
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
