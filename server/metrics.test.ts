/**
 * Prometheus metrics (server/metrics.ts, server/plugins/metrics.ts): requests by route pattern and
 * status, latency histograms, evaluations per computation, rate-limited requests, event-loop delay;
 * labels never carry what a client chose; the endpoint is on its own port and can require a token.
 */

import type { Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, test } from 'vitest';
import { metricsUrl, ServiceMetrics, serveMetrics } from './metrics.js';
import { buildTestApp, postEvaluate, sampleRequest } from './test-support.js';

let app: FastifyInstance | undefined;
let endpoint: Server | undefined;
afterEach(async () => {
  await app?.close();
  await new Promise((resolve) => (endpoint ? endpoint.close(resolve) : resolve(undefined)));
  app = undefined;
  endpoint = undefined;
});

async function scrape(service: FastifyInstance): Promise<string> {
  const metrics = service.metrics;
  if (!metrics) throw new Error('The app has no metrics.');
  return metrics.registry.metrics();
}

/** The value of the sample with exactly these labels, in the text format. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort()
    .join(',');
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const got = (match[2] ?? '').split(',').sort().join(',');
    if (got === wanted) return Number(match[3]);
  }
  return undefined;
}

test('requests are counted by route pattern, method and status, with their latency', async () => {
  app = await buildTestApp({ rateLimit: { max: 1, timeWindowMs: 60_000 } });
  const { body } = sampleRequest('cha2ds2-vasc');
  expect((await postEvaluate(app, 'cha2ds2-vasc', body)).statusCode).toBe(200);
  expect((await postEvaluate(app, 'no-such-computation', body)).statusCode).toBe(404);
  expect((await app.inject({ url: '/api/v1/computations' })).statusCode).toBe(429);
  await app.inject({ url: '/api/v1/health' });
  await app.inject({ url: '/api/v1/no/such/path?patient=alice' });

  const text = await scrape(app);
  const evaluate = '/api/v1/computations/:id/evaluate';
  expect(sample(text, 'http_requests_total', { route: evaluate, method: 'POST', status: '200' })).toBe(1);
  expect(sample(text, 'http_requests_total', { route: evaluate, method: 'POST', status: '404' })).toBe(1);
  expect(
    sample(text, 'http_requests_total', { route: '/api/v1/computations', method: 'GET', status: '429' }),
  ).toBe(1);
  expect(sample(text, 'http_requests_total', { route: '/api/v1/health', method: 'GET', status: '200' })).toBe(
    1,
  );
  expect(sample(text, 'http_requests_total', { route: 'unmatched', method: 'GET', status: '404' })).toBe(1);
  expect(sample(text, 'http_request_duration_seconds_count', { route: evaluate, method: 'POST' })).toBe(2);
  expect(
    sample(text, 'sealed_vitals_evaluations_total', { computation: 'cha2ds2-vasc', outcome: 'evaluated' }),
  ).toBe(1);
  // A path parameter that is not in the catalog is never a label value.
  expect(
    sample(text, 'sealed_vitals_evaluations_total', { computation: 'unknown', outcome: 'refused' }),
  ).toBe(1);
  expect(text).not.toContain('no-such-computation');
  expect(text).not.toContain('alice');
  expect(text).toMatch(/^sealed_vitals_rate_limited_total 1$/m);
  expect(text).toMatch(/^sealed_vitals_shed_total 0$/m);
  expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds /m);
});

test('metrics: false counts nothing', async () => {
  app = await buildTestApp({ metrics: false });
  expect(app.metrics).toBeUndefined();
  expect((await app.inject({ url: '/api/v1/health' })).statusCode).toBe(200);
});

describe('the endpoint', () => {
  const TOKEN = 'a'.repeat(40);

  async function endpointWith(token?: string): Promise<string> {
    const metrics = new ServiceMetrics();
    endpoint = await serveMetrics({
      port: 0,
      host: '127.0.0.1',
      ...(token === undefined ? {} : { token }),
      collect: () => metrics.registry.metrics(),
    });
    return metricsUrl(endpoint);
  }

  test('serves the text format at GET /metrics only', async () => {
    const url = await endpointWith();
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await response.text()).toMatch(/^# HELP http_requests_total /m);
    expect((await fetch(url.replace('/metrics', '/'))).status).toBe(404);
    expect((await fetch(url, { method: 'POST' })).status).toBe(404);
  });

  test('with a token, refuses a scrape without it or with a wrong one', async () => {
    const url = await endpointWith(TOKEN);
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: `Bearer ${'b'.repeat(40)}` } })).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: `Bearer ${TOKEN}x` } })).status).toBe(401);
    const allowed = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toMatch(/http_requests_total/);
  });
});
