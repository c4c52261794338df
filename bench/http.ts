/**
 * Over HTTP on loopback: autocannon against the real service (bench/http-server.ts) with one valid
 * request per computation, at 1, 16 and 64 connections. The client shares the machine's two cores
 * with the service, so these are lower bounds for a dedicated server.
 */

import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { evaluatePath } from '../shared/api.js';
import { encryptInputs, generateGroupKeyPair } from '../shared/client.js';
import { COMPUTATIONS } from '../shared/computations/catalog.js';
import { sampleForm } from './computations.js';

export interface HttpResult {
  readonly id: string;
  readonly workers: number;
  readonly connections: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Responses other than 200, and socket errors or timeouts: must be 0 for the row to count. */
  readonly failures: number;
}

export interface HttpOptions {
  readonly workers: number;
  readonly connections: readonly number[];
  readonly durationSeconds: number;
}

async function startServer(workers: number): Promise<{ url: string; server: ChildProcess }> {
  const server = fork(fileURLToPath(new URL('./http-server.ts', import.meta.url)), {
    env: { ...process.env, BENCH_WORKERS: String(workers) },
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    server.once('message', (message) => resolve((message as { url: string }).url));
    server.once('exit', (code) =>
      reject(new Error(`The benchmark server exited (${code}) before listening.`)),
    );
  });
  return { url, server };
}

export async function benchHttp({
  workers,
  connections,
  durationSeconds,
}: HttpOptions): Promise<HttpResult[]> {
  const { url, server } = await startServer(workers);
  const results: HttpResult[] = [];
  try {
    for (const computation of COMPUTATIONS) {
      const form = sampleForm(computation);
      const request = encryptInputs(
        computation,
        generateGroupKeyPair(computation.group),
        computation.encodeInputs(form),
      );
      for (const count of connections) {
        const run = await autocannon({
          url: `${url}${evaluatePath(computation.id)}`,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(request),
          connections: count,
          duration: durationSeconds,
        });
        results.push({
          id: computation.id,
          workers,
          connections: count,
          requestsPerSecond: run.requests.average,
          p50Ms: run.latency.p50,
          p99Ms: run.latency.p99,
          failures: run.non2xx + run.errors + run.timeouts,
        });
      }
    }
  } finally {
    server.kill('SIGTERM');
  }
  return results;
}
