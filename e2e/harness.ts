/**
 * Browser tests against the real service: the built web app (`dist/web`, build it first — `npm run
 * test:e2e` does) served by `buildApp` on a free port, driven in Debian's headless Chromium with a
 * fresh browser context per test.
 */

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { buildApp } from '../server/app.js';
import { type LocalTransparency, openLocalTransparency } from '../server/log/test-support.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** E2E_STATIC_DIR: test another build (e.g. one made with `vite build --outDir`) without replacing dist/web. */
export const STATIC_DIR =
  process.env.E2E_STATIC_DIR ?? fileURLToPath(new URL('../dist/web', import.meta.url));

/** Headless, and quiet: no sandbox (containers), no GPU, and no calls home that would add requests. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface BrowserTests {
  /** e.g. `http://127.0.0.1:40123` */
  readonly baseUrl: string;
  /** The log the service serves, its keys and its local witnesses. */
  readonly transparency: LocalTransparency;
  /**
   * A new browser context (its own storage), closed after the test. By default it is a copy of the
   * test file's device: one set up once, through the first-use step, with "no protection on this
   * device", so a test that is not about protection at rest finds the app as it was before it had
   * one. `{ keys: 'own' }` sets up a device of its own the same way (its own keys), and
   * `{ protection: 'fresh' }` leaves the first-use step to the test.
   */
  newContext(options?: ContextOptions): Promise<BrowserContext>;
  /** A page in a new context. */
  newPage(): Promise<Page>;
  /** Stops the service: every request to it fails, as with the network off. */
  stopServer(): Promise<void>;
  /** Starts the service again, on the same address. */
  startServer(): Promise<void>;
}

export interface ContextOptions {
  readonly protection?: 'none' | 'fresh';
  /**
   * 'file' (default): a copy of the file's device, its IndexedDB as the first-use step left it
   * (the same keys in every such context of the file); 'own': keys made for this context alone.
   */
  readonly keys?: 'file' | 'own';
  /** The page's size (default: Playwright's, 1280 × 720). */
  readonly viewport?: { readonly width: number; readonly height: number };
}

/** The first-use step answered with "No protection on this device", in a page closed after. */
export async function setUpWithoutProtection(context: BrowserContext): Promise<void> {
  const page = await context.newPage();
  await page.goto('/keys');
  await page.getByRole('button', { name: 'No protection on this device' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Use no protection' }).click();
  await page.getByTestId('current-keys').waitFor();
  await page.close();
}

/** A browser on a profile directory of the test's choosing (to read its files after), same flags. */
export function launchPersistentChromium(userDataDir: string, baseURL: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    baseURL,
    acceptDownloads: true,
  });
}

/** Debian's Chromium, headless, with the flags every browser test uses. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export interface ServiceOptions {
  /** The service's MODELS_DIR (default: the built-in model files). */
  readonly modelsDir?: string;
}

/** The site's transparency log, as `npm start` keeps it: what the service serves, logged and cosigned. */
export type { LocalTransparency };

/** A page's address and visible text, for a failed test's report. */
async function describePage(page: Page): Promise<string> {
  const text = await page
    .locator('body')
    // biome-ignore lint/performance/useDomNodeTextContent: what the page shows is the point, not its DOM text.
    .innerText({ timeout: 2_000 })
    .catch((error: unknown) => `(its text could not be read: ${String(error)})`);
  return `--- page at ${page.url()}\n${text}\n---`;
}

/** Registers the hooks of one test file: one server and one browser for the file, contexts per test. */
export function setUpBrowserTests(service: ServiceOptions = {}): BrowserTests {
  let server: Awaited<ReturnType<typeof buildApp>> | undefined;
  let browser: Browser | undefined;
  let baseUrl: string | undefined;
  let transparency: LocalTransparency | undefined;
  /** The file's device, set up once: its storage is copied into each default context. */
  let deviceState: Awaited<ReturnType<BrowserContext['storageState']>> | undefined;
  const logDir = mkdtempSync(join(tmpdir(), 'sealed-vitals-e2e-log-'));
  const contexts: BrowserContext[] = [];

  async function startServer(port: number): Promise<void> {
    transparency ??= await openLocalTransparency({
      logDir,
      staticDir: STATIC_DIR,
      modelsDir: service.modelsDir,
    });
    // Load shedding off: a busy CI machine must not turn a browser test into a 503 (shedding has its own tests).
    server = await buildApp({
      staticDir: STATIC_DIR,
      ...service,
      logger: false,
      rateLimit: false,
      overload: false,
      log: transparency.log,
    });
    baseUrl = await server.listen({ host: '127.0.0.1', port });
  }

  beforeAll(async () => {
    if (!existsSync(`${STATIC_DIR}/index.html`)) {
      throw new Error(
        `${STATIC_DIR} has no build: run \`npm run build:web\` first (\`npm run test:e2e\` does).`,
      );
    }
    await startServer(0);
    browser = await launchChromium();
    // The first-use step costs a page load and a key generation: done once per file, not per test.
    const device = await browser.newContext({ baseURL: tests.baseUrl });
    await setUpWithoutProtection(device);
    deviceState = await device.storageState({ indexedDB: true });
    await device.close();
  });

  afterEach(async ({ task }) => {
    // A failed test says what each of its pages showed: on a CI log, that is often the whole story.
    if (task.result?.state === 'fail') {
      for (const page of contexts.flatMap((context) => context.pages()))
        console.error(await describePage(page));
    }
    // A route handler still running when its test ends must not fail the run as an unhandled rejection.
    // A context the test closed itself has no route left: unrouting it fails, and is not needed.
    await Promise.all(
      contexts.splice(0).map(async (context) => {
        await context.unrouteAll({ behavior: 'ignoreErrors' }).catch(() => undefined);
        await context.close();
      }),
    );
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await transparency?.close();
    rmSync(logDir, { recursive: true, force: true });
  });

  const tests: BrowserTests = {
    get transparency() {
      if (!transparency) throw new Error('The server is not started yet (use it inside a test).');
      return transparency;
    },
    get baseUrl() {
      if (baseUrl === undefined) throw new Error('The server is not started yet (use it inside a test).');
      return baseUrl;
    },
    async newContext(options = {}) {
      if (!browser) throw new Error('The browser is not started yet (use it inside a test).');
      const { viewport, protection = 'none', keys = 'file' } = options;
      const copyOfDevice = protection === 'none' && keys === 'file';
      const context = await browser.newContext({
        baseURL: tests.baseUrl,
        ...(viewport ? { viewport } : {}),
        ...(copyOfDevice && deviceState ? { storageState: deviceState } : {}),
      });
      contexts.push(context);
      if (protection === 'none' && !copyOfDevice) await setUpWithoutProtection(context);
      return context;
    },
    async newPage() {
      return (await tests.newContext()).newPage();
    },
    async stopServer() {
      await server?.close();
      server = undefined;
    },
    async startServer() {
      if (server) return;
      await startServer(Number(new URL(tests.baseUrl).port));
    },
  };
  return tests;
}
