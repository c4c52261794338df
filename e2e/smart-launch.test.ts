/**
 * SMART on FHIR in Chromium against a FHIR server on loopback (e2e/smart/fhir-server.ts, seeded with
 * the same synthetic record as the file import's test): the standalone launch (authorization code
 * with PKCE) brings the patient back to the calculator, and "Fill from your health record
 * (connected)" proposes and, once confirmed, fills the same values as the file does for Framingham
 * and BMI; each computes on ciphertexts only. After the launch the access token is in no storage,
 * address or console line. An EHR launch from the configured issuer connects; from another issuer
 * it is refused before anything is fetched.
 */

import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { ageOn, calendarDay } from '../shared/fhir/age.js';
import { evaluations, expectNoTypedValueSent, expectOnlyCiphertexts, recordExchanges } from './outgoing.js';
import { BMI_TITLE, computeResult, field, navigateToComputation } from './pages.js';
import { setUpSmartBrowserTests, storedText } from './smart/browser.js';

const FRAMINGHAM_TITLE = 'Framingham 10-year cardiovascular risk';
const CONNECTED = 'Fill from your health record (connected)';

// A build without write-back: read scopes only.
const { fhirServer, browserTests, registerApp } = await setUpSmartBrowserTests({ write: false });

function expectedAge(): string {
  const age = ageOn('1961-07-04', calendarDay(new Date()));
  if (!('years' in age)) throw new Error('the fixture gives an exact birth date');
  return String(age.years);
}

/** Reads the connected record, checks the review lists `rows` (label → shown value), confirms. */
async function fillFromConnectedRecord(page: Page, rows: Readonly<Record<string, string>>): Promise<void> {
  await page.getByRole('button', { name: CONNECTED }).click();
  const review = page.getByRole('region', { name: 'What your health record gives' });
  await review.waitFor();
  for (const [label, shown] of Object.entries(rows)) {
    const box = review.getByRole('checkbox', { name: `${label}: ${shown}`, exact: true });
    expect(await box.isChecked(), `${label}: ${shown}`).toBe(true);
  }
  await review.getByRole('button', { name: 'Fill the form' }).click();
  await page.getByRole('status').filter({ hasText: 'from the health record' }).waitFor();
}

describe('SMART on FHIR', () => {
  test('a standalone launch fills Framingham and BMI as the file does; the token stays in the page’s memory', async () => {
    registerApp();
    const context = await browserTests.newContext();
    const exchanges = recordExchanges(context);
    const page = await context.newPage();
    const consoleLines: string[] = [];
    page.on('console', (message) => consoleLines.push(message.text()));
    const age = expectedAge();

    await page.goto('/computations/framingham-2008');
    await page.getByRole('heading', { level: 1, name: FRAMINGHAM_TITLE }).waitFor();
    // The page may fetch from the configured issuer's origin, and from no other.
    const policy = await page.evaluate(async () =>
      (await fetch(location.href)).headers.get('content-security-policy'),
    );
    expect(policy).toContain(`connect-src 'self' ${fhirServer.origin};`);

    await page.getByRole('button', { name: 'Connect your health record' }).click();
    // Back from the authorization server, on the calculator the launch began from, connected.
    await page.getByRole('button', { name: CONNECTED }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/computations/framingham-2008');
    expect(new URL(page.url()).search).toBe('');
    await fillFromConnectedRecord(page, {
      Sex: 'Male',
      Age: `${age} years`,
      'Total cholesterol': '5.4 mmol/L',
      'HDL cholesterol': '48 mg/dL',
      'Systolic blood pressure': '138 mmHg',
      'Current smoker': 'No',
      Diabetes: 'No',
    });
    expect(await page.getByRole('radio', { name: 'Male', exact: true }).isChecked()).toBe(true);
    expect(await field(page, 'Age').inputValue()).toBe(age);
    expect(await field(page, 'Total cholesterol').inputValue()).toBe('5.4');
    expect(await field(page, 'Total cholesterol unit').inputValue()).toBe('mmol/L');
    expect(await field(page, 'HDL cholesterol').inputValue()).toBe('48');
    expect(await field(page, 'Systolic blood pressure').inputValue()).toBe('138');
    expect((await computeResult(page)).value).toMatch(/%/);

    // In-app navigation keeps the page, and so the session.
    await navigateToComputation(page, BMI_TITLE);
    await fillFromConnectedRecord(page, { Weight: '185.0 lb', Height: '70.0 in' });
    expect(await field(page, 'Weight').inputValue()).toBe('185');
    expect(await field(page, 'Height').inputValue()).toBe('70');
    // 185 lb at 70 in: 83.91 kg / (1.778 m)² = 26.5 kg/m².
    expect((await computeResult(page)).value).toContain('26.5 kg/m²');

    for (const id of ['framingham-2008', 'bmi']) {
      const sent = evaluations(exchanges, id);
      expect(sent, id).toHaveLength(1);
      expectOnlyCiphertexts(sent[0]?.requestBody ?? null, id);
    }
    const toService = exchanges.filter((e) => new URL(e.url).origin === browserTests.baseUrl);
    expectNoTypedValueSent(toService, ['5.4', '185', '138', '1961-07-04', 'example-patient']);

    // One token was issued; it went to the FHIR server in the Authorization header only.
    expect(fhirServer.issuedTokens).toHaveLength(1);
    const token = fhirServer.issuedTokens[0] ?? '';
    const fhirReads = fhirServer.requests.filter(
      (r) => r.method === 'GET' && r.url.startsWith('/fhir/') && !r.url.includes('.well-known'),
    );
    expect(fhirReads.length).toBeGreaterThanOrEqual(6);
    for (const read of fhirReads) {
      expect(read.authorization).toBe(`Bearer ${token}`);
      expect(read.url).not.toContain(token);
    }
    expect(fhirServer.requests.some((r) => r.url.includes('other-patient'))).toBe(false);
    for (const exchange of exchanges) expect(exchange.url, exchange.url).not.toContain(token);
    expect(page.url()).not.toContain(token);
    const stored = await storedText(page);
    expect(stored).not.toContain(token);
    // Nor the redirect's state: sessionStorage is empty of fhirclient's keys once the launch completed.
    expect(await page.evaluate(() => Object.keys(sessionStorage))).toEqual([]);
    expect(consoleLines.filter((line) => line.includes(token))).toEqual([]);

    // A build without write-back asked for no write scope, and offers no saving to the record.
    const authorization = fhirServer.requests.find((r) => r.url.startsWith('/auth/authorize'));
    const asked = new URL(authorization?.url ?? '/', fhirServer.origin).searchParams.get('scope') ?? '';
    expect(asked.split(' ')).toContain('patient/Observation.rs');
    expect(asked.split(' ').filter((scope) => /\.(c|cruds|write)$/.test(scope))).toEqual([]);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'History' }).click();
    await page
      .getByRole('button', { name: /^FHIR file of the result of/ })
      .first()
      .waitFor();
    expect(await page.getByRole('button', { name: /^FHIR file of the result of/ }).count()).toBe(2);
    expect(await page.getByRole('button', { name: /^Save to your health record/ }).count()).toBe(0);
    expect(fhirServer.requests.filter((r) => r.method === 'POST' && r.url.startsWith('/fhir/'))).toEqual([]);
  }, 120_000);

  test('an EHR launch from the configured issuer connects; one from another issuer is refused before any request', async () => {
    registerApp();
    const page = await browserTests.newPage();
    const elsewhere: string[] = [];
    page.on('request', (request) => {
      const origin = new URL(request.url()).origin;
      if (origin !== browserTests.baseUrl && origin !== fhirServer.origin) elsewhere.push(request.url());
    });

    const issuer = 'https://ehr.example.org/fhir';
    await page.goto(`/smart/launch?iss=${encodeURIComponent(issuer)}&launch=xyz`);
    const alert = page.getByRole('alert').filter({ hasText: 'Your health record was not connected' });
    await alert.waitFor();
    expect(await alert.textContent()).toContain(
      `${issuer} is not a health record server this app may connect to. Nothing was connected.`,
    );
    expect(new URL(page.url()).search).toBe('');
    expect(elsewhere).toEqual([]);
    expect(fhirServer.requests.some((r) => r.url.includes('xyz'))).toBe(false);

    const tokensBefore = fhirServer.issuedTokens.length;
    const launch = fhirServer.newEhrLaunch();
    await page.goto(`/smart/launch?iss=${encodeURIComponent(fhirServer.issuer)}&launch=${launch}`);
    await page
      .getByRole('status')
      .filter({ hasText: `Connected to your health record at ${new URL(fhirServer.origin).host}` })
      .waitFor();
    expect(new URL(page.url()).pathname).toBe('/smart/callback');
    expect(new URL(page.url()).search).toBe('');
    expect(fhirServer.issuedTokens).toHaveLength(tokensBefore + 1);
    expect(await storedText(page)).not.toContain(fhirServer.issuedTokens.at(-1));
    expect(elsewhere).toEqual([]);
  }, 60_000);
});
