/**
 * When there is no result: an unreachable service, a problem+json refusal, and answers that fail
 * verification. Each shows an alert, shows no result, and keeps what the patient typed.
 */

import { createServer } from 'node:net';
import type { Page, Route } from 'playwright-core';
import { expect, test } from 'vitest';
import { setUpBrowserTests } from './harness.js';
import {
  BMI_TITLE,
  type BmiEntry,
  computeExpectingAlert,
  computeResult,
  field,
  fillBmi,
  openComputation,
} from './pages.js';

const browserTests = setUpBrowserTests();

const EVALUATE = '**/api/v2/computations/*/evaluate';
const ENTRY: BmiEntry = { weight: '185.2', weightUnit: 'lb', height: '70.5', heightUnit: 'in' };

/** A local port nobody listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('No TCP port was assigned.');
  return address.port;
}

async function openBmiWithEntry(page: Page): Promise<void> {
  await openComputation(page, BMI_TITLE);
  await fillBmi(page, ENTRY);
}

async function expectEntryKept(page: Page): Promise<void> {
  expect({
    weight: await field(page, 'Weight').inputValue(),
    weightUnit: await field(page, 'Weight unit').inputValue(),
    height: await field(page, 'Height').inputValue(),
    heightUnit: await field(page, 'Height unit').inputValue(),
  }).toEqual(ENTRY);
  expect(await page.getByTestId('result-value').count()).toBe(0);
}

/** Answers the evaluate request with the real service's answer, changed by `tamper`. */
function tamperWithAnswer(tamper: (answer: { outputs: Record<string, unknown> }) => unknown) {
  return async (route: Route) => {
    const real = await route.fetch();
    const answer = (await real.json()) as { outputs: Record<string, unknown> };
    await route.fulfill({ response: real, json: tamper(answer) });
  };
}

test('an unreachable service gets an alert, the entries stay, and a retry works once it is back', async () => {
  const page = await browserTests.newPage();
  const port = await closedPort();
  await page.route(EVALUATE, (route) =>
    route.continue({
      url: route
        .request()
        .url()
        .replace(/^http:\/\/[^/]+/, `http://127.0.0.1:${port}`),
    }),
  );
  await openBmiWithEntry(page);
  expect(await computeExpectingAlert(page)).toContain('The health service could not be reached.');
  await expectEntryKept(page);

  await page.unroute(EVALUATE);
  await computeResult(page);
  expect(await page.getByRole('alert').count()).toBe(0);
});

test("the service's problem+json is shown: its title and detail", async () => {
  const page = await browserTests.newPage();
  // Drop one ciphertext on the way out: the real service refuses with a missing-input problem.
  await page.route(EVALUATE, (route) => {
    const body = route.request().postDataJSON() as { inputs: Record<string, unknown> };
    delete body.inputs.height;
    return route.continue({ postData: JSON.stringify(body) });
  });
  await openBmiWithEntry(page);
  const answer = page.waitForResponse((response) => response.request().method() === 'POST');
  const alert = await computeExpectingAlert(page);
  const response = await answer;
  expect(response.status()).toBe(400);
  expect(response.headers()['content-type']).toContain('application/problem+json');
  const problem = (await response.json()) as { title: string; detail: string; code: string };
  expect(problem.code).toBe('missing-input');
  expect(alert).toContain(problem.title);
  expect(alert).toContain(problem.detail);
  await expectEntryKept(page);
});

test('an error page that is not problem+json is reported by its status', async () => {
  const page = await browserTests.newPage();
  await page.route(EVALUATE, (route) =>
    route.fulfill({ status: 502, contentType: 'text/html', body: '<h1>Bad gateway</h1>' }),
  );
  await openBmiWithEntry(page);
  expect(await computeExpectingAlert(page)).toContain('HTTP status 502');
  await expectEntryKept(page);
});

test('an answer missing an output is rejected before anything is decrypted', async () => {
  const page = await browserTests.newPage();
  await page.route(
    EVALUATE,
    tamperWithAnswer((answer) => ({ ...answer, outputs: { numerator: answer.outputs.numerator } })),
  );
  await openBmiWithEntry(page);
  const alert = await computeExpectingAlert(page);
  expect(alert).toContain('failed verification; nothing was decrypted');
  await expectEntryKept(page);
});

test('swapped outputs fail verification and are never decrypted', async () => {
  const page = await browserTests.newPage();
  // E(height²) as the numerator and E(weight·100000) as the denominator: valid ciphertexts under
  // the right key, but not what the proof is about, so the answer is refused before decryption.
  await page.route(
    EVALUATE,
    tamperWithAnswer((answer) => ({
      ...answer,
      outputs: { numerator: answer.outputs.denominator, denominator: answer.outputs.numerator },
    })),
  );
  await openBmiWithEntry(page);
  const alert = await computeExpectingAlert(page);
  expect(alert).toContain('failed verification; nothing was decrypted');
  await expectEntryKept(page);
});
