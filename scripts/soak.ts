/**
 * Soak test (`npm run soak`, not in CI): the load test's traffic for minutes instead of seconds, on the
 * production configuration (admission control on; the per-client rate limit off, as every request comes
 * from 127.0.0.1). Reports memory before and after (after a full GC when run with --expose-gc, as the
 * npm script does), latency percentiles, event-loop delay, and checks every answer like the load test.
 *
 *   SOAK_SECONDS=600 SOAK_CONNECTIONS=8 npm run soak
 *
 * Exits non-zero on any error, timeout, 5xx other than admission control's 503, wrong answer or wrong
 * decryption; shed requests are counted and reported.
 */

import { monitorEventLoopDelay } from 'node:perf_hooks';
import { buildApp } from '../server/app.js';
import { buildLoadMix, checkDecryptions, runLoad } from './load-traffic.js';

function setting(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a whole number ≥ 1.`);
  return value;
}

const seconds = setting('SOAK_SECONDS', 180);
const connections = setting('SOAK_CONNECTIONS', 4);
const WARM_UP_SECONDS = 10;
const SAMPLE_EVERY_MS = 10_000;

const mebibytes = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const milliseconds = (nanoseconds: number) => `${(nanoseconds / 1e6).toFixed(1)} ms`;

/** Memory once garbage is collected, when the runtime allows forcing it. */
function settledMemory(): NodeJS.MemoryUsage {
  globalThis.gc?.();
  return process.memoryUsage();
}

const mix = buildLoadMix({ formsPerComputation: 5, responsesToCheck: 10, seed: Date.now() % 2 ** 31 });
const app = await buildApp({ logger: false, rateLimit: false });
const url = await app.listen({ port: 0, host: '127.0.0.1' });
const runOptions = { url, connections, timeoutSeconds: 10 };

console.log(
  `soak: ${connections} connections for ${seconds} s against ${url} (warm-up ${WARM_UP_SECONDS} s)`,
);
await runLoad(mix, { ...runOptions, durationSeconds: WARM_UP_SECONDS });
// Building the traffic held the event loop for seconds, so the first warm-up requests may have been
// shed: only the soak itself counts.
mix.unexpected.length = 0;
mix.shed.count = 0;
const before = settledMemory();

const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
const rssSamples: string[] = [];
const sampling = setInterval(() => rssSamples.push(mebibytes(process.memoryUsage().rss)), SAMPLE_EVERY_MS);
const { result, closingRefusalsSent } = await runLoad(mix, { ...runOptions, durationSeconds: seconds });
clearInterval(sampling);
loopDelay.disable();
const after = settledMemory();
await app.close();
const decryptions = checkDecryptions(mix);

// 503 service-unavailable is admission control's refusal, reported on its own; any other 5xx is a failure.
const otherServerErrors = Object.entries(result.statusCodeStats ?? {})
  .filter(([status]) => Number(status) >= 500 && status !== '503')
  .reduce((sum, [, { count }]) => sum + (count ?? 0), 0);
const problems = [
  ...(result.errors > 0 ? [`${result.errors} connection errors`] : []),
  ...(result.timeouts > 0 ? [`${result.timeouts} timeouts`] : []),
  ...(otherServerErrors > 0 ? [`${otherServerErrors} 5xx answers other than 503`] : []),
  ...new Set(mix.unexpected),
  ...decryptions.wrong,
];
console.log(
  [
    `requests:        ${result.requests.total} in ${result.duration} s (${result.requests.average} req/s), ` +
      `plus ${closingRefusalsSent} refusals that close the connection`,
    `shed (503):      ${mix.shed.count}`,
    `latency:         p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms`,
    `event-loop delay: p50 ${milliseconds(loopDelay.percentile(50))}, p99 ${milliseconds(loopDelay.percentile(99))}, ` +
      `max ${milliseconds(loopDelay.max)}`,
    `RSS:             ${mebibytes(before.rss)} before, ${mebibytes(after.rss)} after ` +
      `(${globalThis.gc ? 'after a full GC' : 'no --expose-gc: without a forced GC'})`,
    `heap used:       ${mebibytes(before.heapUsed)} before, ${mebibytes(after.heapUsed)} after`,
    `RSS every ${SAMPLE_EVERY_MS / 1000} s:  ${rssSamples.join(', ')}`,
    `decrypted:       ${decryptions.checked} kept responses`,
    `problems:        ${problems.length === 0 ? 'none' : problems.join('; ')}`,
  ].join('\n'),
);
process.exitCode = problems.length === 0 ? 0 : 1;
