/**
 * This browser's side of keeping the keys: persistent storage (so the browser does not evict them
 * when space runs low), how much this site stores, and whether the app is saved for offline use.
 */

let persistence: Promise<boolean> | undefined;

/**
 * Asks once per page load; the answer does not change within it. Chromium decides silently (site
 * engagement, installed app); Firefox asks the patient.
 */
export function requestPersistentStorage(): Promise<boolean> {
  persistence ??= navigator.storage?.persist
    ? navigator.storage.persist().catch(() => false)
    : Promise.resolve(false);
  return persistence;
}

export interface DeviceStorage {
  readonly persistent: boolean;
  /** Bytes this site uses and may use, as the browser estimates them; undefined when it will not say. */
  readonly usageBytes: number | undefined;
  readonly quotaBytes: number | undefined;
  /** A service worker holds the app shell, so the app opens without a network. */
  readonly offlineReady: boolean;
}

export async function deviceStorage(): Promise<DeviceStorage> {
  const [persistent, estimate, registration] = await Promise.all([
    requestPersistentStorage(),
    navigator.storage?.estimate().catch(() => undefined),
    navigator.serviceWorker?.getRegistration().catch(() => undefined),
  ]);
  return {
    persistent,
    usageBytes: estimate?.usage,
    quotaBytes: estimate?.quota,
    offlineReady: registration?.active !== undefined && registration.active !== null,
  };
}
