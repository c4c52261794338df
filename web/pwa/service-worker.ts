/**
 * The offline app shell. Installing caches every file of the build (the list is written in at build
 * time by service-worker-plugin.ts); afterwards:
 * - page loads: network first, so a new deploy shows at once; offline, the cached index.html;
 * - files of the build: from the cache (their names carry a content hash, so they never go stale);
 * - the API and anything else: left to the browser and never cached, so no request or result
 *   ever lands in a cache, and offline a computation fails visibly instead of from a stale copy.
 */

/** Replaced at build time: every path of the build, e.g. `/assets/index-Bx7f3k2a.js`. */
declare const PRECACHE_PATHS: readonly string[];
/** Replaced at build time: a hash of every file's content, so each deploy gets a fresh cache. */
declare const BUILD_VERSION: string;

/** The parts of the service worker scope used here (the project compiles against the DOM lib only). */
interface ExtendableEvent extends Event {
  waitUntil(work: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  readonly request: Request;
  respondWith(response: Promise<Response>): void;
}
/** Service Worker Static Routing API (Chromium ≥ 123); other browsers keep the fetch handler. */
interface InstallEvent extends ExtendableEvent {
  addRoutes?(rules: readonly { condition: Record<string, unknown>; source: 'network' }[]): Promise<void>;
}
interface ServiceWorkerScope {
  readonly location: Location;
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void;
}
const scope = self as unknown as ServiceWorkerScope;

const CACHE_PREFIX = 'sealed-vitals-shell-';
const CACHE_NAME = `${CACHE_PREFIX}${BUILD_VERSION}`;
const SHELL_PATH = '/index.html';
const precached = new Set(PRECACHE_PATHS);

scope.addEventListener('install', (event) => {
  // `cache: 'reload'` so the HTTP cache cannot hand a previous deploy's index.html to this one.
  const requests = [...precached].map((path) => new Request(path, { cache: 'reload' }));
  const installed = caches.open(CACHE_NAME).then((cache) => cache.addAll(requests));
  // The fetch handler ignores everything but GET; telling the browser so up front spares each
  // computation's POST a trip through this worker, which must first be woken up.
  const routed = (event as InstallEvent).addRoutes?.([
    { condition: { not: { requestMethod: 'GET' } }, source: 'network' },
  ]);
  event.waitUntil(Promise.all([installed, routed?.catch(() => undefined)]));
});

scope.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names
            .filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE_NAME)
            .map((name) => caches.delete(name)),
        ),
      ),
  );
});

scope.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== scope.location.origin) return;
  if (request.mode === 'navigate' && !url.pathname.startsWith('/api/')) {
    event.respondWith(pageFromNetworkOrShell(request));
  } else if (precached.has(url.pathname)) {
    event.respondWith(fromCacheOrNetwork(request, url.pathname));
  }
});

async function pageFromNetworkOrShell(request: Request): Promise<Response> {
  try {
    return await fetch(request);
  } catch (offline) {
    const shell = await caches.match(SHELL_PATH, { cacheName: CACHE_NAME });
    if (shell) return shell;
    throw offline;
  }
}

async function fromCacheOrNetwork(request: Request, path: string): Promise<Response> {
  return (await caches.match(path, { cacheName: CACHE_NAME })) ?? fetch(request);
}
