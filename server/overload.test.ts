/**
 * Overload: evaluation is CPU-bound on the one event loop. When it lags, the API sheds new requests
 * with an immediate 503 problem+json and Retry-After instead of queueing them, liveness keeps answering,
 * readiness says "not now", and the service recovers on its own once the lag is gone.
 */

import autocannon from 'autocannon';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, test } from 'vitest';
import type { LoadSheddingOptions } from './plugins/load-shedding.js';
import { buildTestApp, evaluatePath, expectProblem, postEvaluate, sampleRequest } from './test-support.js';

const RETRY_AFTER_SECONDS = 3;

let app: FastifyInstance | undefined;
afterEach(() => app?.close());

/** Holds the event loop for `ms`, as a long evaluation does. */
function blockEventLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // Busy on purpose: this is the lag under test.
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns true, giving the lag sampler time to run between tries. */
async function eventually(probe: () => Promise<boolean>, tries: number): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (await probe()) return true;
    await sleep(5);
  }
  return false;
}

describe('while the event loop lags', () => {
  test('evaluations are shed with 503, liveness still answers, readiness says not now; then it recovers', async () => {
    app = await buildTestApp({
      overload: { maxEventLoopDelayMs: 100, sampleIntervalMs: 100, retryAfterSeconds: RETRY_AFTER_SECONDS },
    });
    const service = app;
    const { body } = sampleRequest('cha2ds2-vasc');
    expect((await postEvaluate(service, 'cha2ds2-vasc', body)).statusCode).toBe(200);

    blockEventLoop(600);
    let shed: Awaited<ReturnType<typeof postEvaluate>> | undefined;
    const wasShed = await eventually(async () => {
      shed = await postEvaluate(service, 'cha2ds2-vasc', body);
      return shed.statusCode === 503;
    }, 20);
    expect(wasShed).toBe(true);
    if (!shed) throw new Error('No response.');
    const detail = expectProblem(shed, 'service-unavailable', 503);
    expect(detail).toContain(String(RETRY_AFTER_SECONDS));
    expect(shed.headers['retry-after']).toBe(String(RETRY_AFTER_SECONDS));
    // Within the same sample interval: liveness answers, readiness does not.
    const [live, ready] = [
      await service.inject({ url: '/api/v1/health' }),
      await service.inject({ url: '/api/v1/health/ready' }),
    ];
    expect(live.statusCode).toBe(200);
    expect(live.json()).toEqual({ status: 'ok' });
    expectProblem(ready, 'service-unavailable', 503);

    const recovered = await eventually(
      async () => (await postEvaluate(service, 'cha2ds2-vasc', body)).statusCode === 200,
      500,
    );
    expect(recovered).toBe(true);
    expect((await service.inject({ url: '/api/v1/health/ready' })).statusCode).toBe(200);
  });
});

/** Offered load as a multiple of what the service can evaluate. */
const OVERLOAD_FACTOR = 4;

/**
 * Requests offered at OVERLOAD_FACTOR times the rate the service can evaluate them, over 64
 * connections, from autocannon on its own thread (on this one it would be held up by the very
 * evaluations it is meant to overload).
 */
/**
 * BMI: its evaluation (~5 ms of ffdhe3072 exponentiations) costs far more than answering 503, as a
 * costly evaluation must for shedding to pay; CHA₂DS₂-VASc on native libsodium costs about as much
 * as the HTTP work around it.
 */
const OVERLOADED = 'bmi';

async function overloadRun(overload: LoadSheddingOptions | false) {
  const service = await buildTestApp({ overload });
  app = service;
  const url = await service.listen({ port: 0, host: '127.0.0.1' });
  const { body } = sampleRequest(OVERLOADED);
  // Warm (JIT-compiled) evaluation time, so the rate below really is a multiple of the capacity.
  for (let i = 0; i < 30; i++) await postEvaluate(service, OVERLOADED, body);
  const started = performance.now();
  for (let i = 0; i < 20; i++) await postEvaluate(service, OVERLOADED, body);
  const evaluationMs = (performance.now() - started) / 20;
  const result = await autocannon({
    url,
    workers: 1,
    connections: 64,
    overallRate: Math.ceil((OVERLOAD_FACTOR * 1000) / evaluationMs),
    duration: 3,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        path: evaluatePath(OVERLOADED),
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      },
    ],
  });
  await service.close();
  const statuses = Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([status, { count }]) => [status, count ?? 0]),
  );
  console.info(
    `overload ${overload === false ? 'without' : 'with'} shedding: ${JSON.stringify(statuses)}, ` +
      `${result.requests.average} req/s, latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms`,
  );
  return { result, statuses };
}

test('under sustained overload the excess is answered at once with 503 instead of waiting in line', async () => {
  const queueing = await overloadRun(false);
  const shedding = await overloadRun({ maxEventLoopDelayMs: 50, sampleIntervalMs: 50, retryAfterSeconds: 1 });
  expect(Object.keys(queueing.statuses)).toEqual(['200']);
  expect(Object.keys(shedding.statuses).sort()).toEqual(['200', '503']);
  for (const { result } of [queueing, shedding]) {
    expect(result.errors).toBe(0);
    expect(result.timeouts).toBe(0);
  }
  // Shed requests cost next to nothing, so the service answers far more of the offered load; latency
  // percentiles are logged above but not asserted: on a shared CPU they measure the neighbours too.
  expect(shedding.result.requests.average).toBeGreaterThan(2 * queueing.result.requests.average);
}, 60_000);
