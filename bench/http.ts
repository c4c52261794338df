/**
 * Over HTTP on loopback: autocannon against the service as it ships (server/main.ts as `npm start`
 * runs it: 2 cluster workers, request logging to stdout, the rate limit counted, admission control,
 * metrics) and against the bare service and its layers one by one (bench/http-server.ts), with one
 * valid request per computation. Latency is kept apart for answered (200) and refused (503) requests:
 * a fast 503 must not hide a slow 200. The client shares the machine's two cores with the service, so
 * these are lower bounds for a dedicated server.
 */

import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { temporaryLogDir } from '../server/log/test-support.js';
import { evaluatePath, evaluatePathV2 } from '../shared/api.js';
import { encryptInputs, generateGroupKeyPair } from '../shared/client.js';
import { catalogSamples, type Sample } from './computations.js';

/** How the service under test is built. */
export interface ServiceVariant {
  readonly name: string;
  /** server/main.ts itself, with the environment of `npm start` (else bench/http-server.ts). */
  readonly shipped?: boolean;
  /** For bench/http-server.ts: the layers on top of the bare service. */
  readonly layers?: readonly ('logging' | 'rate-limit' | 'admission' | 'metrics')[];
  /** MAX_EVALUATIONS_IN_FLIGHT, when not the default. */
  readonly maxInFlight?: number;
}

export const BARE: ServiceVariant = { name: 'bare', layers: [] };
export const SHIPPED: ServiceVariant = { name: 'as shipped', shipped: true };
/** Each layer added to the bare service in turn, so that each one's cost shows. */
export const LAYERS: readonly ServiceVariant[] = [
  BARE,
  { name: '+ logging', layers: ['logging'] },
  { name: '+ rate limit', layers: ['logging', 'rate-limit'] },
  { name: '+ metrics', layers: ['logging', 'rate-limit', 'metrics'] },
  { name: '+ admission', layers: ['logging', 'rate-limit', 'metrics', 'admission'] },
  SHIPPED,
];

export interface HttpResult {
  readonly variant: string;
  readonly id: string;
  readonly connections: number;
  /** Answered (200) per second: the goodput. */
  readonly answeredPerSecond: number;
  /** Refused at once (503) per second. */
  readonly refusedPerSecond: number;
  /** Of answered requests only. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Of refused requests only (0 when none). */
  readonly refusedP99Ms: number;
  /** Statuses other than 200 and 503, socket errors, timeouts: must be 0 for the row to count. */
  readonly failures: number;
}

export interface HttpOptions {
  readonly variants: readonly ServiceVariant[];
  readonly connections: readonly number[];
  readonly durationSeconds: number;
  /** Only these computations (all by default). */
  readonly ids?: readonly string[];
  /** What to request instead of the catalog's computations (e.g. models of `modelsDir`). */
  readonly samples?: readonly Sample[];
  /** The service's MODELS_DIR (default: the built-in models). */
  readonly modelsDir?: string;
  /** v2 answers carry the proof (default: v1, as the issue 6 targets were set). */
  readonly protocol?: 1 | 2;
}

const serverScript = fileURLToPath(new URL('./http-server.ts', import.meta.url));
const mainScript = fileURLToPath(new URL('../server/main.ts', import.meta.url));

/** Resolves with the URL once the service listens; its stdout (the logs) is read and dropped. */
async function startService(
  variant: ServiceVariant,
  modelsDir: string | undefined,
): Promise<{ url: string; server: ChildProcess }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LOG_DIR: temporaryLogDir(),
    ...(modelsDir === undefined ? {} : { MODELS_DIR: modelsDir }),
    ...(variant.maxInFlight === undefined
      ? {}
      : {
          MAX_EVALUATIONS_IN_FLIGHT: String(variant.maxInFlight),
          BENCH_MAX_IN_FLIGHT: String(variant.maxInFlight),
        }),
  };
  if (variant.shipped) {
    const server = fork(mainScript, [], {
      // Counted, but one client must not reach it; the web app is not part of this measure.
      env: { ...env, WORKERS: '2', PORT: '0', HOST: '127.0.0.1', RATE_LIMIT_PER_MINUTE: '1000000000' },
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    const url = await new Promise<string>((resolve, reject) => {
      let pending = '';
      server.stdout?.setEncoding('utf8');
      server.stdout?.on('data', (chunk: string) => {
        pending += chunk;
        const found = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(pending);
        if (found?.[1]) resolve(found[1]);
        pending = pending.slice(-200);
      });
      server.once('exit', (code) => reject(new Error(`server/main.ts exited (${code}) before listening.`)));
    });
    return { url, server };
  }
  const server = fork(serverScript, {
    env: { ...env, BENCH_WORKERS: '2', BENCH_LAYERS: (variant.layers ?? []).join(',') },
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  server.stdout?.resume();
  const url = await new Promise<string>((resolve, reject) => {
    server.once('message', (message) => resolve((message as { url: string }).url));
    server.once('exit', (code) =>
      reject(new Error(`The benchmark server exited (${code}) before listening.`)),
    );
  });
  return { url, server };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

interface Timed {
  sentAt?: number;
}

/** One autocannon run, each response's latency taken per connection (one request in flight on each). */
async function run(url: string, path: string, body: string, connections: number, durationSeconds: number) {
  const answered: number[] = [];
  const refused: number[] = [];
  let other = 0;
  const result = await autocannon({
    url,
    connections,
    duration: durationSeconds,
    requests: [
      {
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json' },
        body,
        setupRequest: (request, context) => {
          (context as Timed).sentAt = performance.now();
          return request;
        },
        onResponse: (status, _body, context) => {
          const ms = performance.now() - ((context as Timed).sentAt ?? Number.NaN);
          if (status === 200) answered.push(ms);
          else if (status === 503) refused.push(ms);
          else other++;
        },
      },
    ],
  });
  answered.sort((a, b) => a - b);
  refused.sort((a, b) => a - b);
  const seconds = result.duration;
  return {
    answeredPerSecond: Math.round(answered.length / seconds),
    refusedPerSecond: Math.round(refused.length / seconds),
    p50Ms: Number(percentile(answered, 50).toFixed(1)),
    p99Ms: Number(percentile(answered, 99).toFixed(1)),
    refusedP99Ms: Number(percentile(refused, 99).toFixed(1)),
    failures: other + result.errors + result.timeouts,
  };
}

export async function benchHttp({
  variants,
  connections,
  durationSeconds,
  ids,
  samples = catalogSamples().filter(({ computation }) => ids === undefined || ids.includes(computation.id)),
  modelsDir,
  protocol = 1,
}: HttpOptions): Promise<HttpResult[]> {
  const requests = samples.map(({ computation, form }) => ({
    id: computation.id,
    path: (protocol === 2 ? evaluatePathV2 : evaluatePath)(computation.id),
    body: JSON.stringify(
      encryptInputs(computation, generateGroupKeyPair(computation.group), computation.encodeInputs(form)),
    ),
  }));
  const results: HttpResult[] = [];
  for (const variant of variants) {
    const { url, server } = await startService(variant, modelsDir);
    try {
      for (const { id, path, body } of requests) {
        // Warm-up: JIT, connection set-up and the workers' first requests are not part of the row.
        await run(url, path, body, 4, 1);
        for (const count of connections) {
          results.push({
            variant: variant.name,
            id,
            connections: count,
            ...(await run(url, path, body, count, durationSeconds)),
          });
        }
      }
    } finally {
      server.kill('SIGTERM');
      await new Promise((resolve) => server.once('exit', resolve));
    }
  }
  return results;
}
