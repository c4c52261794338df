/**
 * The offline app shell, serving only the bytes its release logged. /sw.js loads this code after
 * handing it the release (service-worker-plugin.ts): its id and the SHA-256 of every file of the
 * build, the list the transparency log holds (shared/web-release.ts). Installing fetches every file,
 * checks its hash and caches it (a file that does not match fails the install); afterwards:
 * - page loads: network first, so a new deploy shows at once; offline, the cached index.html, checked
 *   as below (and while online, a cached index.html found altered is replaced);
 * - files of the release: from the cache if the copy there is one this origin served (not a Response
 *   built by a script, with headers of its choosing) with the logged SHA-256. Otherwise (a copy
 *   replaced in Cache Storage, say by a script that ran on the origin) the entry is dropped and the
 *   file fetched afresh, past the HTTP cache, and served and cached only if it matches; a network
 *   copy that does not is refused with a 502, never served;
 * - the API and anything else: left to the browser and never cached, so no request or result
 *   ever lands in a cache, and offline a computation fails visibly instead of from a stale copy;
 * - a page's release query: answered with the release, so the page learns it from the worker that
 *   checked its files rather than from the network (web/app/release.ts).
 */

import type { ReleaseQuery, WebRelease } from '../../shared/web-release.js';

/** Set by /sw.js before it loads this code. */
declare const SEALED_VITALS_RELEASE: WebRelease;

/** The parts of the service worker scope used here (the project compiles against the DOM lib only). */
interface ExtendableEvent extends Event {
  waitUntil(work: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  readonly request: Request;
  respondWith(response: Promise<Response>): void;
}
interface ExtendableMessageEvent extends ExtendableEvent {
  readonly data: unknown;
  readonly ports: readonly MessagePort[];
}
/** Service Worker Static Routing API (Chromium ≥ 123); other browsers keep the fetch handler. */
interface InstallEvent extends ExtendableEvent {
  addRoutes?(rules: readonly { condition: Record<string, unknown>; source: 'network' }[]): Promise<void>;
}
interface ServiceWorkerScope {
  readonly location: Location;
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void;
  addEventListener(type: 'message', listener: (event: ExtendableMessageEvent) => void): void;
}
const scope = self as unknown as ServiceWorkerScope;

const { release: RELEASE, files: LOGGED } = SEALED_VITALS_RELEASE;
/** Spelled out, type-checked against shared/web-release.ts: a classic worker script imports nothing at run time. */
const RELEASE_QUERY: ReleaseQuery = 'sealed-vitals-release';
const CACHE_PREFIX = 'sealed-vitals-shell-';
const CACHE_NAME = `${CACHE_PREFIX}${RELEASE}`;
const SHELL_PATH = '/index.html';

scope.addEventListener('install', (event) => {
  const installed = caches.open(CACHE_NAME).then((cache) =>
    Promise.all(
      Object.keys(LOGGED).map(async (path) => {
        const response = await fetchLogged(path);
        if (!response) throw new Error(`${path} is not the file release ${RELEASE} logged.`);
        await cache.put(path, response);
      }),
    ),
  );
  // The fetch handler ignores everything but GET; telling the browser so up front spares the page's
  // own non-GET requests a trip through this worker. Chromium does not apply the rule to a dedicated
  // worker's requests, so the crypto worker's POSTs still pass the fetch handler (measured, 7 Dec).
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
    // Online, a shell dropped as altered is fetched again, so the app opens offline again.
    event.waitUntil(loggedFile(SHELL_PATH).catch(() => undefined));
  } else if (Object.hasOwn(LOGGED, url.pathname)) {
    event.respondWith(loggedFile(url.pathname));
  }
});

scope.addEventListener('message', (event) => {
  if (event.data === RELEASE_QUERY) event.ports[0]?.postMessage(SEALED_VITALS_RELEASE);
});

async function pageFromNetworkOrShell(request: Request): Promise<Response> {
  try {
    return await fetch(request);
  } catch {
    return loggedFile(SHELL_PATH);
  }
}

/** A file of the release, from the cache if the copy there is the logged one, else from the network. */
async function loggedFile(path: string): Promise<Response> {
  const cache = await caches.open(CACHE_NAME);
  const cached = await cache.match(path);
  if (cached && (await isLogged(path, cached))) return cached;
  if (cached) await cache.delete(path);
  const fresh = await fetchLogged(path);
  if (!fresh) {
    return new Response(`Refused: ${path} is not the file Sealed Vitals release ${RELEASE} logged.\n`, {
      status: 502,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  }
  await cache.put(path, fresh.clone());
  return fresh;
}

/** The file from the network, past the HTTP cache (which may hold another deploy's), if it is the logged one. */
async function fetchLogged(path: string): Promise<Response | undefined> {
  const response = await fetch(new Request(path, { cache: 'reload' }));
  return (await isLogged(path, response)) ? response : undefined;
}

/** Whether a response is one this origin served, whole, with the bytes the release logged for `path`. */
async function isLogged(path: string, response: Response): Promise<boolean> {
  if (response.type !== 'basic' || response.status !== 200) return false;
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await response.clone().arrayBuffer()));
  const hex = Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return hex === LOGGED[path];
}
