/**
 * The app must run under the strict Content-Security-Policy planned for production: no inline
 * script or style, no eval, the worker and every request from this origin only.
 */

import { expect, test } from 'vitest';
import { setUpBrowserTests } from './harness.js';
import { BMI_TITLE, computeResult, fillBmi, openComputation } from './pages.js';

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
