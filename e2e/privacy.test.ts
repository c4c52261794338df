/**
 * What leaves the device: every request the browser makes is recorded, and no typed value may
 * appear in any URL or body; evaluate bodies must be exactly a public key and ciphertexts.
 */

import type { Request } from 'playwright-core';
import { expect, test } from 'vitest';
import { findComputation } from '../shared/computations/catalog.js';
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

interface SentRequest {
  readonly method: string;
  readonly url: string;
  readonly body: string | null;
}

/** Element sizes in bytes (spec, "Groups"). */
const ELEMENT_BYTES: Readonly<Record<string, number>> = { ffdhe3072: 384, ristretto255: 32 };

function element(group: string) {
  const bytes = ELEMENT_BYTES[group] ?? Number.NaN;
  return expect.stringMatching(new RegExp(`^[A-Za-z0-9_-]{${Math.ceil((bytes * 4) / 3)}}$`));
}

/** The evaluate body the spec allows: the public key and one ciphertext per declared input, nothing else. */
function expectedEvaluateBody(computationId: string) {
  const computation = findComputation(computationId);
  if (!computation) throw new Error(`No computation ${computationId} in the catalog.`);
  const ciphertext = { a: element(computation.group), b: element(computation.group) };
  return {
    publicKey: { group: computation.group, y: element(computation.group) },
    inputs: Object.fromEntries(computation.inputs.map((input) => [input.name, ciphertext])),
  };
}

/**
 * Whether `text` shows `value` in the clear. A value with a decimal point cannot hide in base64url,
 * so any occurrence counts; a bare digit string must stand as a token of its own, because a random
 * ciphertext contains any short digit string now and then.
 */
function showsValue(text: string, value: string): boolean {
  if (value.includes('.')) return text.includes(value);
  return new RegExp(`(?<![A-Za-z0-9_-])${value}(?![A-Za-z0-9_-])`).test(text);
}

/** Percent-decoded, so `%3A83.7` is read as `:83.7`. */
function decodedUrl(url: string): string {
  try {
    return decodeURIComponent(url);
  } catch {
    return url;
  }
}

test('no typed value is in any URL or body, and evaluate bodies are only ciphertexts', async () => {
  const context = await browserTests.newContext();
  const sent: SentRequest[] = [];
  context.on('request', (request: Request) =>
    sent.push({ method: request.method(), url: request.url(), body: request.postData() }),
  );
  const page = await context.newPage();

  // Distinctive values, and what bmi encodes them to on the device (0.1 kg and mm).
  await openComputation(page, BMI_TITLE);
  await fillBmi(page, { weight: '83.7', weightUnit: 'kg', height: '176.4', heightUnit: 'cm' });
  await computeResult(page);
  await navigateToComputation(page, CHA2DS2_VASC_TITLE);
  await fillCha2ds2Vasc(page, { age: 71, sex: 'Female', conditions: ['Hypertension'] });
  await computeResult(page);
  const typed = ['83.7', '176.4', '837', '1764', '71'];

  const posts = sent.filter((request) => request.method === 'POST');
  expect(posts.map((request) => new URL(request.url)).map((url) => url.pathname + url.search)).toEqual([
    '/api/v2/computations/bmi/evaluate',
    '/api/v2/computations/cha2ds2-vasc/evaluate',
  ]);
  expect(sent.filter((request) => request.method !== 'GET' && request.method !== 'POST')).toEqual([]);
  for (const [request, id] of posts.map(
    (request, i) => [request, i === 0 ? 'bmi' : 'cha2ds2-vasc'] as const,
  )) {
    expect(JSON.parse(request.body ?? 'null')).toEqual(expectedEvaluateBody(id));
  }
  for (const request of sent) {
    for (const value of typed) {
      expect(showsValue(decodedUrl(request.url), value), `${value} in ${request.url}`).toBe(false);
      expect(showsValue(request.body ?? '', value), `${value} in the body to ${request.url}`).toBe(false);
    }
  }
});

test('the same values encrypt to different ciphertexts each time, under a different public key', async () => {
  const page = await browserTests.newPage();
  const bodies: string[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST') bodies.push(request.postData() ?? '');
  });
  await openComputation(page, BMI_TITLE);
  await fillBmi(page, { weight: '83.7', weightUnit: 'kg', height: '176.4', heightUnit: 'cm' });
  const first = await computeResult(page);
  expect(await computeResult(page)).toEqual(first);

  const [one, two] = bodies.map((body) => JSON.parse(body) as ReturnType<typeof expectedEvaluateBody>);
  expect(bodies).toHaveLength(2);
  // Key blinding: each request carries a key of its own, so nothing in two bodies links them.
  expect(two?.publicKey.group).toBe(one?.publicKey.group);
  expect(two?.publicKey.y).not.toBe(one?.publicKey.y);
  const elements = (body: typeof one) =>
    Object.values(body?.inputs ?? {}).flatMap((ciphertext) => [ciphertext.a, ciphertext.b]);
  const reused = elements(one).filter((text) => elements(two).includes(text));
  expect(elements(one)).toHaveLength(4);
  expect(reused).toEqual([]);
});

test('the transcript shows exactly the bytes exchanged, their sizes and the group', async () => {
  const page = await browserTests.newPage();
  let requestBody = '';
  let responseBody = '';
  page.on('response', async (response) => {
    if (response.request().method() !== 'POST') return;
    requestBody = response.request().postData() ?? '';
    responseBody = await response.text();
  });
  await openComputation(page, BMI_TITLE);
  await fillBmi(page, { weight: '61.5', weightUnit: 'kg', height: '158', heightUnit: 'cm' });
  await computeResult(page);
  await expect.poll(() => responseBody).not.toBe('');

  const panel = page.locator('details', { hasText: 'What left this device' });
  await panel.locator('summary').click();
  expect(JSON.parse((await page.getByTestId('transcript-request').textContent()) ?? '')).toEqual(
    JSON.parse(requestBody),
  );
  expect(JSON.parse((await page.getByTestId('transcript-response').textContent()) ?? '')).toEqual(
    JSON.parse(responseBody),
  );
  const facts = (await panel.locator('dl').textContent()) ?? '';
  expect(facts).toContain('ffdhe3072');
  expect(facts).toContain(`${Buffer.byteLength(requestBody).toLocaleString('en')} bytes`);
  expect(facts).toContain(`${Buffer.byteLength(responseBody).toLocaleString('en')} bytes, HTTP 200`);
  // Encrypt, network, verification of the proof, decryption.
  expect(facts.match(/\d+\.\d ms/g)).toHaveLength(4);
  const { proof } = JSON.parse(responseBody) as { proof: { challenge: string; responses: string[] } };
  const proofBytes = [proof.challenge, ...proof.responses].reduce(
    (n, t) => n + Buffer.from(t, 'base64url').length,
    0,
  );
  expect(facts).toContain(`${proofBytes.toLocaleString('en')} bytes, verified in`);
  expect(await panel.textContent()).toContain('None of the values typed above is in it.');
});
