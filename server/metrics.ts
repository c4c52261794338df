/**
 * What an operator watches, in the Prometheus text format: requests by route and status, their latency,
 * evaluations per computation, evaluations shed by admission control, requests over the rate limit,
 * the rate-limit store's health, and Node's own (event-loop delay, heap, GC).
 *
 * Labels are route patterns (`/api/v1/computations/:id/evaluate`), status codes and catalog ids only,
 * never a URL, a header or anything a client chose: a label is kept forever by Prometheus, and an
 * unbounded one (a raw path) would let any client grow it without end.
 *
 * Not served on the API's port: `serveMetrics` listens on its own (loopback by default), and with
 * several cluster workers the primary serves the sum of the workers' figures (prom-client's
 * AggregatorRegistry asks each over IPC).
 */

import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AggregatorRegistry, Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { findComputation } from '../shared/computations/catalog.js';

/** From a catalog read, the cheapest request, to a queue's worth of ffdhe3072 evaluations, the slowest. */
const LATENCY_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The route label of a request that matched no route: one value for every unknown path. */
export const UNMATCHED_ROUTE = 'unmatched';

const STORE_UP = 'sealed_vitals_rate_limit_store_up';

/** What an evaluation came to, for `sealed_vitals_evaluations_total`. */
export type EvaluationOutcome = 'evaluated' | 'refused' | 'unavailable' | 'rate-limited' | 'failed';

export class ServiceMetrics {
  readonly registry = new Registry();
  readonly #requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by route pattern, method and status code.',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });
  readonly #duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from a request’s arrival to its response, by route pattern and method.',
    labelNames: ['route', 'method'] as const,
    buckets: LATENCY_BUCKETS_S,
    registers: [this.registry],
  });
  readonly #evaluations = new Counter({
    name: 'sealed_vitals_evaluations_total',
    help: 'Evaluation requests by computation (catalog id, or "unknown") and outcome.',
    labelNames: ['computation', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly #shed = new Counter({
    name: 'sealed_vitals_shed_total',
    help: 'Evaluations answered 503 at once because the line of evaluations in flight was full.',
    registers: [this.registry],
  });
  readonly #rateLimited = new Counter({
    name: 'sealed_vitals_rate_limited_total',
    help: 'Requests answered 429 because their client address was over the rate limit.',
    registers: [this.registry],
  });
  readonly #storeErrors = new Counter({
    name: 'sealed_vitals_rate_limit_store_errors_total',
    help: 'Rate-limit counts that failed in the shared store (Redis/Valkey); each such request was let through.',
    registers: [this.registry],
  });
  readonly #storeUp = new Gauge({
    name: STORE_UP,
    help: '1 while the shared rate-limit store is connected, 0 while it is not (absent without REDIS_URL).',
    // With several workers, the fleet view is the least connected one.
    aggregator: 'min',
    registers: [],
  });

  /** `inFlight` reads the evaluations admitted now (admission control), when it is on. */
  constructor(inFlight?: () => number) {
    collectDefaultMetrics({ register: this.registry });
    if (inFlight) {
      new Gauge({
        name: 'sealed_vitals_evaluations_in_flight',
        help: 'Evaluations admitted and not yet answered (computing or waiting their turn).',
        registers: [this.registry],
        collect() {
          this.set(inFlight());
        },
      });
    }
  }

  observeRequest(route: string, method: string, status: number, seconds: number): void {
    this.#requests.inc({ route, method, status: String(status) });
    this.#duration.observe({ route, method }, seconds);
  }

  /** `id` is the path parameter as sent: anything not in the catalog is counted as "unknown". */
  observeEvaluation(id: string | undefined, outcome: EvaluationOutcome): void {
    const computation = id !== undefined && findComputation(id) ? id : 'unknown';
    this.#evaluations.inc({ computation, outcome });
  }

  countShed(): void {
    this.#shed.inc();
  }

  countRateLimited(): void {
    this.#rateLimited.inc();
  }

  countStoreError(): void {
    this.#storeErrors.inc();
  }

  /** Called once a shared store is configured, then on every change of its connection. */
  setStoreUp(up: boolean): void {
    if (!this.registry.getSingleMetric(STORE_UP)) this.registry.registerMetric(this.#storeUp);
    this.#storeUp.set(up ? 1 : 0);
  }
}

export interface MetricsEndpointOptions {
  readonly port: number;
  readonly host: string;
  /** When set, a scrape must send `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** The text to serve: one registry's, or the cluster's sum. */
  readonly collect: () => Promise<string>;
}

/** GET /metrics on its own port; everything else 404, a missing or wrong token 401. */
export async function serveMetrics({ port, host, token, collect }: MetricsEndpointOptions): Promise<Server> {
  const expected = token === undefined ? undefined : Buffer.from(`Bearer ${token}`);
  const server = createServer((request, response) => {
    const path = (request.url ?? '').split('?', 1)[0];
    if (request.method !== 'GET' || path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: GET /metrics\n');
      return;
    }
    if (expected && !sameSecret(request.headers.authorization, expected)) {
      response
        .writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' })
        .end('Send Authorization: Bearer <METRICS_TOKEN>.\n');
      return;
    }
    collect().then(
      (text) => response.writeHead(200, { 'content-type': Registry.PROMETHEUS_CONTENT_TYPE }).end(text),
      () => response.writeHead(503, { 'content-type': 'text/plain' }).end('Metrics unavailable.\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}

/** Compares without leaking, through timing, how much of the token a guess got right. */
function sameSecret(received: string | undefined, expected: Buffer): boolean {
  const got = Buffer.from(received ?? '');
  return got.length === expected.length && timingSafeEqual(got, expected);
}

export function metricsUrl(server: Server): string {
  const { address, port } = server.address() as AddressInfo;
  return `http://${address.includes(':') ? `[${address}]` : address}:${port}/metrics`;
}

/** For the cluster's primary: the workers' registries summed (gauges by their own aggregator). */
export function clusterMetrics(): () => Promise<string> {
  const aggregator = new AggregatorRegistry();
  return () => aggregator.clusterMetrics();
}

/** For a cluster worker: answer the primary's requests with this registry. */
export function shareWithPrimary(metrics: ServiceMetrics): void {
  AggregatorRegistry.setRegistries([metrics.registry]);
}
