/**
 * Which release of the web app this page is, to find in the transparency log (shared/web-release.ts).
 *
 * The page does not carry its release id: the id is a hash over the page's own scripts, so no script
 * can contain it. The service worker does (/sw.js is the one file the id leaves out), and it is also
 * what checked every file it served against that release. So the page asks the worker controlling it,
 * by message, rather than reading a list from the network, which would vouch for nothing. Its answer
 * counts only if this very script is a file of that release: right after a deploy, a page loaded from
 * the network may run a newer release than the worker still controlling it.
 *
 * The files it gives are every file but /sw.js (the worker cannot hold its own hash); the log entry
 * lists /sw.js too. What this proves, and what it cannot (a browser installs a new service worker
 * without asking the old one): docs/TRANSPARENCY.md.
 */

import { isRecord } from '../../shared/records.js';
import { RELEASE_QUERY, type WebRelease } from '../../shared/web-release.js';

/** A worker from before releases were logged never answers. */
const ANSWER_TIMEOUT_MS = 5000;

/**
 * The release whose service worker serves this page, checked; undefined in `vite dev`, without a
 * service worker (the first visit, before it is installed and controls the page), or when this
 * page's code is not a file of that release.
 */
export async function currentRelease(): Promise<WebRelease | undefined> {
  const worker = import.meta.env.PROD ? navigator.serviceWorker?.controller : null;
  if (!worker) return undefined;
  const answer = await ask(worker);
  return answer && Object.hasOwn(answer.files, new URL(import.meta.url).pathname) ? answer : undefined;
}

function ask(worker: ServiceWorker): Promise<WebRelease | undefined> {
  const channel = new MessageChannel();
  return new Promise<WebRelease | undefined>((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ANSWER_TIMEOUT_MS);
    channel.port1.onmessage = ({ data }: MessageEvent<unknown>) => {
      clearTimeout(timer);
      resolve(isWebRelease(data) ? data : undefined);
    };
    worker.postMessage(RELEASE_QUERY, [channel.port2]);
  }).finally(() => channel.port1.close());
}

function isWebRelease(value: unknown): value is WebRelease {
  return (
    isRecord(value) &&
    typeof value.release === 'string' &&
    isRecord(value.files) &&
    Object.values(value.files).every((hash) => typeof hash === 'string')
  );
}
