/**
 * The worker owns a computation's run (issue 13): the page sends it the form's values in one
 * `compute` request and gets back the decrypted result and the transcript. Every message between
 * the page and the worker is recorded from the page's side; no ciphertext crosses, either way,
 * except as the transcript's bodies (text, for display). The answer is fetched once, the result is
 * kept in the history, and the steps are User Timing measures on the page's timeline.
 */

import type { BrowserContext, Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { setUpBrowserTests } from './harness.js';
import { BMI_TITLE, computeResult, fillBmi, openComputation } from './pages.js';

const browserTests = setUpBrowserTests();

interface WorkerMessage {
  readonly direction: 'to-worker' | 'from-worker';
  readonly data: unknown;
}

/** Records every message the page posts to a worker and receives from one, as JSON-safe copies. */
async function recordWorkerMessages(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const log: { direction: string; data: unknown }[] = [];
    Object.assign(window, { workerMessages: log });
    const copy = (data: unknown): unknown =>
      JSON.parse(
        JSON.stringify(data, (_key, value: unknown) =>
          typeof value === 'bigint' ? `${value}n` : value instanceof Uint8Array ? '(bytes)' : value,
        ) ?? 'null',
      );
    const post = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (
      this: Worker,
      message: unknown,
      options?: Transferable[] | StructuredSerializeOptions,
    ) {
      log.push({ direction: 'to-worker', data: copy(message) });
      post.call(this, message, options as StructuredSerializeOptions);
    };
    const Native = window.Worker;
    window.Worker = class extends Native {
      constructor(url: string | URL, options?: WorkerOptions) {
        super(url, options);
        // Added before the app's own listener, so it sees every answer first.
        this.addEventListener('message', (event) =>
          log.push({ direction: 'from-worker', data: copy(event.data) }),
        );
      }
    };
  });
}

function workerMessages(page: Page): Promise<WorkerMessage[]> {
  return page.evaluate(() => (window as unknown as { workerMessages: WorkerMessage[] }).workerMessages);
}

/** Where in a message an ElGamal ciphertext ({ a, b } of group elements) sits as data, if anywhere. */
function ciphertextPath(value: unknown, path = ''): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if ('a' in value && 'b' in value && typeof value.a === 'string' && typeof value.b === 'string') return path;
  for (const [key, inner] of Object.entries(value)) {
    const found = ciphertextPath(inner, `${path}.${key}`);
    if (found !== undefined) return found;
  }
  return undefined;
}

function requestKind(message: WorkerMessage): unknown {
  const { request } = message.data as { request?: { kind?: unknown } };
  return request?.kind;
}

test('one compute request; no ciphertext crosses between page and worker but as the transcript’s text', async () => {
  const context = await browserTests.newContext();
  await recordWorkerMessages(context);
  const page = await context.newPage();
  const evaluations: string[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && request.url().endsWith('/evaluate')) evaluations.push(request.url());
  });
  await openComputation(page, BMI_TITLE);
  await fillBmi(page, { weight: '64.2', weightUnit: 'kg', height: '171', heightUnit: 'cm' });
  // The encryption made ahead while the form was filled in is in the worker before Compute.
  await expect
    .poll(async () => (await workerMessages(page)).filter((m) => requestKind(m) === 'encrypt-ahead').length)
    .toBeGreaterThan(0);
  const before = await page.evaluate(() => performance.now());
  const result = await computeResult(page);
  const after = await page.evaluate(() => performance.now());

  const messages = await workerMessages(page);
  expect(messages.length).toBeGreaterThan(0);
  for (const message of messages) {
    expect(
      ciphertextPath(message.data),
      `${message.direction} ${JSON.stringify(message.data)}`,
    ).toBeUndefined();
  }
  const computes = messages.filter((m) => requestKind(m) === 'compute');
  expect(computes).toHaveLength(1);
  const { id } = (computes[0] as WorkerMessage).data as { id: number };
  const answer = messages.find((m) => m.direction === 'from-worker' && (m.data as { id?: number }).id === id)
    ?.data as {
    ok: boolean;
    result: { outcome: string; transcript: { requestBody: string; timings: { encryptedAhead: boolean } } };
  };
  expect(answer.ok).toBe(true);
  expect(answer.result.outcome).toBe('decrypted');
  expect(answer.result.transcript.timings.encryptedAhead).toBe(true);
  // The ciphertexts are in the transcript, as the text that was sent.
  expect(ciphertextPath(JSON.parse(answer.result.transcript.requestBody))).toBe('.inputs.weight');
  expect(evaluations).toHaveLength(1);

  // Each step is a measure on the page's timeline, between the click and the result.
  const measures = await page.evaluate(() =>
    performance
      .getEntriesByType('measure')
      // The catalog's check is measured too, once per page, before any Compute: not a step of a run.
      .filter(
        (entry) => entry.name.startsWith('sealed-vitals:') && entry.name !== 'sealed-vitals:catalog-check',
      )
      .map(({ name, startTime, duration }) => ({ name, startTime, duration })),
  );
  expect(measures.map(({ name }) => name).sort()).toEqual([
    'sealed-vitals:decrypt',
    'sealed-vitals:encrypt',
    'sealed-vitals:history',
    'sealed-vitals:network',
  ]);
  // The worker's clock and the page's differ in origin only; allow for its coarsening.
  for (const { startTime, duration } of measures) {
    expect(startTime).toBeGreaterThanOrEqual(before - 1);
    expect(startTime + duration).toBeLessThanOrEqual(after + 1);
  }

  // Recorded through the page's recorder: the result is in the history.
  await page.goto('/history');
  const entry = page.getByTestId('history-entry');
  await entry.waitFor();
  expect(await entry.getByTestId('history-value').textContent()).toBe(result.value);
});
