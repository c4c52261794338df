/**
 * What the SMART browser tests share: the loopback FHIR server, a build of the site whose one issuer
 * is that server (with write-back or without), the browser harness serving that build, and a reading
 * of everything the page's origin keeps (to show that no token is in it).
 */

import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll } from 'vitest';
import type { BrowserTests } from '../harness.js';
import { type SmartFhirServer, startSmartFhirServer } from './fhir-server.js';
import { buildSmartSite } from './site.js';

const BUNDLE = fileURLToPath(new URL('../../shared/fhir/fixtures/us-units.bundle.json', import.meta.url));
export const SMART_CLIENT_ID = 'sealed-vitals-e2e';

export interface SmartBrowserTests {
  readonly fhirServer: SmartFhirServer;
  readonly browserTests: BrowserTests;
  /** Registers the site's callback with the server's authorization endpoint (before each launch). */
  registerApp(): void;
}

/**
 * Call at a test file's top level. The server's port is only known once it listens, so it starts
 * first, the site is built for it, and only then is the harness loaded: it reads E2E_STATIC_DIR when
 * it is loaded, and this file's copy of it serves the SMART build.
 */
export async function setUpSmartBrowserTests(options: {
  readonly write: boolean;
}): Promise<SmartBrowserTests> {
  const fhirServer = await startSmartFhirServer(BUNDLE);
  const site = await buildSmartSite({
    VITE_SMART_CLIENT_ID: SMART_CLIENT_ID,
    VITE_SMART_ISSUERS: fhirServer.issuer,
    ...(options.write ? { VITE_SMART_WRITE: '1' as const } : {}),
  });
  const previousStaticDir = process.env.E2E_STATIC_DIR;
  process.env.E2E_STATIC_DIR = site.dir;
  const { setUpBrowserTests } = await import('../harness.js');
  if (previousStaticDir === undefined) delete process.env.E2E_STATIC_DIR;
  else process.env.E2E_STATIC_DIR = previousStaticDir;
  const browserTests = setUpBrowserTests();
  afterAll(async () => {
    await fhirServer.close();
    site.remove();
  });
  return {
    fhirServer,
    browserTests,
    registerApp: () =>
      fhirServer.register({
        clientId: SMART_CLIENT_ID,
        redirectUri: `${browserTests.baseUrl}/smart/callback`,
      }),
  };
}

/** Everything the page's origin keeps: both Web Storages, and IndexedDB as Playwright reads it. */
export async function storedText(page: Page): Promise<string> {
  const webStorage = await page.evaluate(() =>
    JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage } }),
  );
  const state = await page.context().storageState({ indexedDB: true });
  return `${webStorage}\n${JSON.stringify(state)}`;
}
