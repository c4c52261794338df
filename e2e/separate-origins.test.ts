/**
 * The site and the API hosted apart, as README's "Hosting the static site apart from the API" says:
 * the web app built with VITE_API_BASE_URL, served by Debian's nginx with the shipped site settings
 * (deploy/nginx/sealed-vitals-static-site.conf, only its root and API origin changed) on one origin,
 * the service (server/main.ts, as the systemd unit runs it) on another with CORS_ORIGINS naming the
 * site. Two ports of 127.0.0.1 are two origins of one site, as vitals.example.org and
 * api.vitals.example.org are. In Chromium the app computes, verifies and opens offline under the
 * site's policy; the same build served from an origin the API does not list is refused by the browser.
 * Needs nginx (`.ci/run` installs it).
 */

import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Page, Worker } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import {
  freePort,
  runNginx,
  scrapeCounter,
  startInstance,
  stopProcess,
  type Watched,
} from '../server/fleet/test-support.js';
import { buildTestApp } from '../server/test-support.js';
import { evaluatePathV2 } from '../shared/api.js';
import { shownFingerprint } from './custody.js';
import { launchChromium, setUpWithoutProtection } from './harness.js';
import {
  BMI_TITLE,
  CHA2DS2_VASC_TITLE,
  computeExpectingAlert,
  computeResult,
  fillBmi,
  fillCha2ds2Vasc,
  navigateToComputation,
  openComputation,
} from './pages.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const SHIPPED_SITE = `${repoRoot}deploy/nginx/sealed-vitals-static-site.conf`;
/** What an operator replaces in the shipped site settings. */
const SHIPPED_ROOT = '/opt/sealed-vitals/dist/web';
const SHIPPED_API_ORIGIN = 'https://api.vitals.example.org';

let workDir: string;
let siteDir: string;
let siteConfig: string;
let sitePorts: { listed: number; unlisted: number };
let siteOrigin: string;
let unlistedOrigin: string;
let apiOrigin: string;
let metricsPort: number;
/** The policy nginx must send: the built-in server's, with the API's origin and 'wasm-unsafe-eval'. */
let sitePolicy: string;
let api: Watched;
let nginx: Awaited<ReturnType<typeof runNginx>> | undefined;
let browser: Browser;
const contexts: BrowserContext[] = [];

/** The shipped site settings with the test's build and API origin, each replaced where it is. */
function siteSettings(): string {
  const shipped = readFileSync(SHIPPED_SITE, 'utf8');
  for (const placeholder of [SHIPPED_ROOT, SHIPPED_API_ORIGIN]) {
    if (!shipped.includes(placeholder)) throw new Error(`${SHIPPED_SITE} no longer names ${placeholder}.`);
  }
  return shipped.replaceAll(SHIPPED_ROOT, siteDir).replaceAll(SHIPPED_API_ORIGIN, apiOrigin);
}

/** One nginx, two sites with the same settings and build: the one CORS_ORIGINS lists, and another. */
function startSites() {
  const server = (port: number) =>
    `  server {\n    listen 127.0.0.1:${port};\n    include ${siteConfig};\n  }`;
  return runNginx(
    [
      '  include /etc/nginx/mime.types;',
      '  default_type application/octet-stream;',
      server(sitePorts.listed),
      server(sitePorts.unlisted),
    ].join('\n'),
    `${siteOrigin}/`,
  );
}

/** The policy the built-in server gives its pages (server/plugins/spa.ts), for the same build. */
async function builtInPagePolicy(): Promise<string> {
  const app = await buildTestApp({ staticDir: siteDir, metrics: false });
  try {
    return String((await app.inject({ method: 'GET', url: '/' })).headers['content-security-policy']);
  } finally {
    await app.close();
  }
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'sealed-vitals-site-'));
  // Run as root (CI), nginx's workers read the site as nobody.
  chmodSync(workDir, 0o755);
  siteDir = join(workDir, 'web');
  siteConfig = join(workDir, 'sealed-vitals-static-site.conf');
  sitePorts = { listed: await freePort(), unlisted: await freePort() };
  const apiPort = await freePort();
  metricsPort = await freePort();
  siteOrigin = `http://127.0.0.1:${sitePorts.listed}`;
  unlistedOrigin = `http://127.0.0.1:${sitePorts.unlisted}`;
  apiOrigin = `http://127.0.0.1:${apiPort}`;

  // A build of its own: dist/web, which the other browser tests serve, is left as it is.
  await promisify(execFile)(
    process.execPath,
    [
      `${repoRoot}node_modules/vite/bin/vite.js`,
      'build',
      '--outDir',
      siteDir,
      '--emptyOutDir',
      '--logLevel',
      'warn',
    ],
    // NODE_ENV as `npm run build` has it: vitest's 'test' would make a build without the service worker.
    { cwd: repoRoot, env: { ...process.env, NODE_ENV: 'production', VITE_API_BASE_URL: apiOrigin } },
  );
  writeFileSync(siteConfig, siteSettings());
  sitePolicy = (await builtInPagePolicy())
    .replace("script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'")
    .replace("connect-src 'self'", `connect-src 'self' ${apiOrigin}`);

  [api, nginx, browser] = await Promise.all([
    startInstance(apiPort, { WORKERS: '1', CORS_ORIGINS: siteOrigin, METRICS_PORT: String(metricsPort) }),
    startSites(),
    launchChromium(),
  ]);
}, 180_000);

afterEach(async () => {
  await Promise.all(contexts.splice(0).map((context) => context.close()));
});

afterAll(async () => {
  await browser?.close();
  await nginx?.stop();
  if (api) await stopProcess(api.child);
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

async function newPage(origin: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: origin });
  contexts.push(context);
  await setUpWithoutProtection(context);
  return context.newPage();
}

/** Console errors of the page (a CSP violation is one) and uncaught exceptions. */
function problemsOf(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  return problems;
}

const evaluations = (labels = '') => scrapeCounter(metricsPort, 'sealed_vitals_evaluations_total', labels);
/** Requests the API answered, by route pattern (`/api*` for every CORS preflight) and method. */
const requests = (route: string, method: string) =>
  scrapeCounter(metricsPort, 'http_requests_total', `route="${route}",method="${method}"`);

/**
 * Records the Content-Security-Policy violations a worker reports from now on (directive and blocked
 * URL); the function returned reads them. What Playwright evaluates runs through DevTools, which lifts
 * the policy's ban on eval: eval is no probe of the policy, a request is.
 */
async function recordViolations(worker: Worker): Promise<() => Promise<string[]>> {
  await worker.evaluate(() => {
    const seen: string[] = [];
    Object.assign(self, { cspViolations: seen });
    self.addEventListener('securitypolicyviolation', (event) =>
      seen.push(`${event.effectiveDirective} ${event.blockedURI}`),
    );
  });
  return () => worker.evaluate(() => (self as unknown as { cspViolations: string[] }).cspViolations);
}

/** A CORS preflight for an evaluation, as Chromium sends it from `origin`. */
function preflight(origin: string): Promise<Response> {
  return fetch(`${apiOrigin}${evaluatePathV2('bmi')}`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type',
    },
  });
}

test('nginx serves the build as a single-page app: assets cached for good, the rest revalidated, each with the policy', async () => {
  const indexHtml = readFileSync(join(siteDir, 'index.html'), 'utf8');
  const worker = readdirSync(join(siteDir, 'assets')).find((name) => /^worker-[\w-]+\.js$/.test(name));
  const answers = async (path: string) => {
    const response = await fetch(`${siteOrigin}${path}`);
    expect(response.headers.get('content-security-policy')).toBe(sitePolicy);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    return { status: response.status, cache: response.headers.get('cache-control'), response };
  };
  for (const path of ['/', '/index.html', '/computations/bmi', '/history']) {
    const { status, cache, response } = await answers(path);
    expect({ path, status, cache }).toEqual({ path, status: 200, cache: 'no-cache' });
    expect(await response.text()).toBe(indexHtml);
  }
  expect(await answers('/sw.js')).toMatchObject({ status: 200, cache: 'no-cache' });
  expect(await answers(`/assets/${worker}`)).toMatchObject({
    status: 200,
    cache: 'public, max-age=31536000, immutable',
  });
  // A missing asset is not the page, and its 404 is not kept.
  expect(await answers('/assets/worker-missing.js')).toMatchObject({ status: 404, cache: null });
  const manifest = await answers('/manifest.webmanifest');
  expect(manifest).toMatchObject({ status: 200, cache: 'no-cache' });
  expect(manifest.response.headers.get('content-type')).toBe('application/manifest+json');
});

test('on its own origin the site computes and verifies under its policy, and after one visit opens offline', async () => {
  const page = await newPage(siteOrigin);
  const problems = problemsOf(page);
  const evaluatedBefore = await evaluations('outcome="evaluated"');
  const postsBefore = await requests('/api/v2/computations/:id/evaluate', 'POST');

  const served = await page.goto('/');
  expect(served?.headers()['content-security-policy']).toBe(sitePolicy);
  await navigateToComputation(page, BMI_TITLE);
  await fillBmi(page, { weight: '70', weightUnit: 'kg', height: '175', heightUnit: 'cm' });
  expect(await computeResult(page)).toEqual({ value: '22.9 kg/m²', category: expect.any(String) });
  expect(await page.getByTestId('result-verified').textContent()).toMatch(/^Verified: /);

  // The crypto worker runs under the policy of its own script, served with it.
  const worker = page.workers().find((candidate) => /\/assets\/worker-[\w-]+\.js$/.test(candidate.url()));
  if (!worker) throw new Error('The page started no crypto worker.');
  for (const script of [worker.url(), `${siteOrigin}/sw.js`]) {
    const response = await fetch(script);
    expect(response.headers.get('content-type')).toMatch(/^application\/javascript/);
    expect(response.headers.get('content-security-policy')).toBe(sitePolicy);
  }
  const violations = await recordViolations(worker);

  // A ristretto255 computation: the worker compiles libsodium's WebAssembly for it.
  await navigateToComputation(page, CHA2DS2_VASC_TITLE);
  await fillCha2ds2Vasc(page, { age: 70, sex: 'Female', conditions: ['Hypertension'] });
  expect((await computeResult(page)).value).toBe('3 of 9');
  expect(await page.getByTestId('result-verified').textContent()).toMatch(/^Verified: /);
  expect(await violations()).toEqual([]);
  // Both were answered by the API's origin, with proofs (v2).
  expect(await evaluations('outcome="evaluated"')).toBe(evaluatedBefore + 2);
  expect(await requests('/api/v2/computations/:id/evaluate', 'POST')).toBe(postsBefore + 2);

  // The worker's policy is enforced: a request to any origin but the API's is refused (no-cors, so
  // that only the policy can refuse it).
  const elsewhere = await worker.evaluate(
    (url) =>
      fetch(url, { mode: 'no-cors' }).then(
        () => 'sent',
        () => 'refused',
      ),
    `${unlistedOrigin}/`,
  );
  expect(elsewhere).toBe('refused');
  expect(await violations()).toEqual([`connect-src ${unlistedOrigin}/`]);

  // The app needed nothing the page's policy refuses, and the policy is enforced.
  expect(problems).toEqual([]);
  const inlineRan = await page.evaluate(() => {
    const script = document.createElement('script');
    script.textContent = 'document.body.dataset.inlineRan = "yes";';
    document.body.append(script);
    return document.body.dataset.inlineRan;
  });
  expect(inlineRan).toBeUndefined();

  const fingerprint = await shownFingerprint(page);
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await page.reload();
  expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);

  await nginx?.stop();
  nginx = undefined;
  await page.context().setOffline(true);
  try {
    const offline = await page.reload();
    expect(offline?.fromServiceWorker()).toBe(true);
    // The cached page keeps the policy it was served with.
    expect(offline?.headers()['content-security-policy']).toBe(sitePolicy);
    await page.getByRole('heading', { level: 1, name: CHA2DS2_VASC_TITLE }).waitFor();
    expect(await shownFingerprint(page)).toBe(fingerprint);
    await page.goto('/history');
    const values = page.getByTestId('history-entry').getByTestId('history-value');
    await values.first().waitFor();
    expect((await values.allTextContents()).sort()).toEqual(['22.9 kg/m²', '3 of 9']);
  } finally {
    await page.context().setOffline(false);
    nginx = await startSites();
  }
});

test('a site on an origin CORS_ORIGINS does not list is refused by the browser; nothing is evaluated', async () => {
  // The service answers the listed site's preflight, and not this one's.
  expect((await preflight(siteOrigin)).headers.get('access-control-allow-origin')).toBe(siteOrigin);
  expect((await preflight(unlistedOrigin)).headers.get('access-control-allow-origin')).toBeNull();

  const evaluatedBefore = await evaluations();
  const preflightsBefore = await requests('/api*', 'OPTIONS');
  const page = await newPage(unlistedOrigin);
  await openComputation(page, BMI_TITLE);
  await fillBmi(page, { weight: '70', weightUnit: 'kg', height: '175', heightUnit: 'cm' });
  expect(await computeExpectingAlert(page)).toContain('The health service could not be reached.');
  await expect.poll(() => requests('/api*', 'OPTIONS')).toBeGreaterThan(preflightsBefore);
  expect(await evaluations()).toBe(evaluatedBefore);
  expect(await page.getByTestId('result-value').count()).toBe(0);
});
