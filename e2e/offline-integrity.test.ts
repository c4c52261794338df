/**
 * The offline cache serves only what the release logged (issue 17, finding 5): the service worker
 * checks each cached file's SHA-256 against the release written into /sw.js, so a file planted in
 * Cache Storage (by a script that ran on the origin, say) never runs, and the genuine one is fetched
 * again; a network copy that does not match is refused. And the build and the service name the same
 * release, file by file.
 */

import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { buildApp } from '../server/app.js';
import { readWebRelease } from '../server/log/web-release.js';
import { fileHash, RELEASE_QUERY, SERVICE_WORKER_PATH, type WebRelease } from '../shared/web-release.js';
import { STATIC_DIR, setUpBrowserTests } from './harness.js';
import { BMI_TITLE, computeResult, fillBmi, navigateToComputation } from './pages.js';

const browserTests = setUpBrowserTests();

const PLANTED_SCRIPT = 'globalThis.plantedRan = true;';
const PLANTED_PAGE = '<!doctype html><title>Planted</title><p id="planted">planted</p>';

/** The release /sw.js hands the worker's code (service-worker-plugin.ts writes it as one JSON line). */
async function releaseInServiceWorker(siteDir: string): Promise<WebRelease> {
  const script = await readFile(join(siteDir, 'sw.js'), 'utf8');
  const json = /^const SEALED_VITALS_RELEASE = (.*);$/m.exec(script)?.[1];
  if (!json) throw new Error('sw.js holds no release.');
  return JSON.parse(json) as WebRelease;
}

/** Loads `url` until the installed service worker controls the page. */
async function openControlled(page: Page, url = '/'): Promise<void> {
  await page.goto(url);
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await page.reload();
  expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
}

/**
 * Closes `page` and opens `url` in a new one: the next visit. (A reload may take the page's scripts from
 * what the tab still holds in memory, which no script on the origin can replace, and so never ask the
 * worker for them.)
 */
async function visitAgain(page: Page, url = '/'): Promise<Page> {
  const context = page.context();
  await page.close();
  const next = await context.newPage();
  await next.goto(url);
  return next;
}

/** What the controlling worker answers to the release query (as web/app/release.ts asks it). */
function askRelease(page: Page): Promise<WebRelease> {
  return page.evaluate(
    (query) =>
      new Promise<WebRelease>((resolve) => {
        const channel = new MessageChannel();
        channel.port1.onmessage = (event) => resolve(event.data as WebRelease);
        navigator.serviceWorker.controller?.postMessage(query, [channel.port2]);
      }),
    RELEASE_QUERY,
  );
}

/** The path of the page's own script, e.g. `/assets/index-Bx7f3k2a.js`. */
function mainScript(page: Page): Promise<string> {
  return page.evaluate(() => {
    const script = document.querySelector<HTMLScriptElement>('script[type="module"][src]');
    if (!script) throw new Error('The page loads no module script.');
    return new URL(script.src).pathname;
  });
}

/** The one shell cache, as the page sees it: the SHA-256 of the copy of `path` in it, or null. */
function cachedHash(page: Page, path: string): Promise<string | null> {
  return page.evaluate(async (path) => {
    const [name, ...others] = (await caches.keys()).filter((key) => key.startsWith('sealed-vitals-shell-'));
    if (!name || others.length > 0) throw new Error('Not exactly one shell cache.');
    const cached = await (await caches.open(name)).match(path);
    if (!cached) return null;
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await cached.arrayBuffer()));
    return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
  }, path);
}

/**
 * Replaces the cached copy of `path` from the page, as any script on the origin could: with `body`
 * (a Response built in the page) or with what this origin serves at `servedFrom` (a genuine response
 * of the origin, but another file's bytes).
 */
function plant(page: Page, path: string, planted: { body: string; type: string } | { servedFrom: string }) {
  return page.evaluate(
    async ({ path, planted }) => {
      const names = (await caches.keys()).filter((key) => key.startsWith('sealed-vitals-shell-'));
      const response =
        'body' in planted
          ? new Response(planted.body, { headers: { 'content-type': planted.type } })
          : await fetch(planted.servedFrom, { cache: 'reload' });
      for (const name of names) await (await caches.open(name)).put(path, response.clone());
    },
    { path, planted },
  );
}

test('the build and the service name the same release, with the same hash for every file', async () => {
  const { version } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  const served = await readWebRelease(STATIC_DIR, version);
  const built = await releaseInServiceWorker(STATIC_DIR);
  expect(built.release).toBe(served.release);
  const { [SERVICE_WORKER_PATH]: serviceWorkerHash, ...others } = served.files;
  expect(built.files).toEqual(others);
  const serviceWorker = await readFile(join(STATIC_DIR, 'sw.js'));
  expect(serviceWorkerHash).toBe(fileHash(serviceWorker));
  // The worker's code is a file of the release, so a change to it changes the release.
  const code = /^importScripts\("(\/assets\/service-worker-[\w-]+\.js)"\);$/m.exec(serviceWorker.toString());
  expect(Object.keys(built.files)).toContain(code?.[1]);
});

test('a script planted in the offline cache never runs: the worker fetches the logged one and the app works', async () => {
  const context = await browserTests.newContext();
  let page = await context.newPage();
  await openControlled(page);
  const release = await askRelease(page);
  expect(release).toEqual(await releaseInServiceWorker(STATIC_DIR));
  const script = await mainScript(page);
  expect(await cachedHash(page, script)).toBe(release.files[script]);

  for (const planted of [
    { body: PLANTED_SCRIPT, type: 'text/javascript' },
    { servedFrom: '/manifest.webmanifest' },
  ]) {
    await plant(page, script, planted);
    expect(await cachedHash(page, script)).not.toBe(release.files[script]);
    page = await visitAgain(page);
    await navigateToComputation(page, BMI_TITLE);
    expect(await page.evaluate(() => 'plantedRan' in globalThis)).toBe(false);
    expect(await cachedHash(page, script)).toBe(release.files[script]);
  }
  await fillBmi(page, { weight: '70', weightUnit: 'kg', height: '175', heightUnit: 'cm' });
  expect((await computeResult(page)).value).toBe('22.9 kg/m²');
});

test('offline, a planted index.html is not served; back online the genuine one is cached again', async () => {
  const context = await browserTests.newContext();
  const page = await context.newPage();
  await openControlled(page);
  const { files } = await askRelease(page);
  await plant(page, '/index.html', { body: PLANTED_PAGE, type: 'text/html' });

  await page.close();

  await browserTests.stopServer();
  await context.setOffline(true);
  const offline = await context.newPage();
  try {
    // The worker drops the planted copy and cannot fetch the genuine one: the load fails, and the
    // tab shows the browser's error page, not the planted one.
    await expect(offline.goto('/')).rejects.toThrow(/net::ERR_FAILED/);
    expect(await offline.locator('#planted').count()).toBe(0);
  } finally {
    await context.setOffline(false);
    await browserTests.startServer();
  }
  // Online, in a new tab (the failed one may never finish loading its error page), the page comes
  // from the network and the worker puts the logged index.html back, in the background.
  const online = await context.newPage();
  await online.goto('/');
  await online.getByRole('navigation', { name: 'Main' }).waitFor();
  await expect.poll(() => cachedHash(online, '/index.html'), { timeout: 30_000 }).toBe(files['/index.html']);
});

test('a network copy that is not the logged file is refused, never served', async () => {
  // The service serves a copy of the build whose main script is then altered on disk.
  const siteDir = await mkdtemp(join(tmpdir(), 'offline-integrity-'));
  await cp(STATIC_DIR, siteDir, { recursive: true });
  const server = await buildApp({ staticDir: siteDir, logger: false, rateLimit: false, overload: false });
  try {
    const origin = await server.listen({ host: '127.0.0.1', port: 0 });
    const page = await (await browserTests.newContext({ protection: 'fresh' })).newPage();
    await openControlled(page, `${origin}/`);
    const script = await mainScript(page);
    await writeFile(join(siteDir, script), PLANTED_SCRIPT);
    await plant(page, script, { body: PLANTED_SCRIPT, type: 'text/javascript' });

    const answer = await page.evaluate(async (path) => {
      const response = await fetch(path);
      return { status: response.status, text: await response.text() };
    }, script);
    expect(answer).toEqual({
      status: 502,
      text: expect.stringMatching(new RegExp(`^Refused: ${script} is not the file Sealed Vitals release `)),
    });
    expect(await cachedHash(page, script)).toBeNull();
    const next = await visitAgain(page, `${origin}/`);
    expect(await next.evaluate(() => 'plantedRan' in globalThis)).toBe(false);
  } finally {
    await server.close();
    await rm(siteDir, { recursive: true, force: true });
  }
});
