/**
 * Registers the offline app shell (web/pwa/service-worker.ts, built to /sw.js). Production builds
 * only: the dev server has no build to cache. Without it the app still works, only not offline.
 */
export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  // `updateViaCache: 'none'`: look for a new deploy's service worker on every load, past the HTTP cache.
  navigator.serviceWorker.register('/sw.js', { scope: '/', updateViaCache: 'none' }).catch(() => undefined);
}
