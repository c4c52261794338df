/**
 * Under sustained load (autocannon over loopback, for DURATION_SECONDS), valid requests of every
 * computation mixed with invalid ones: no connection errors, no timeouts, no 5xx, every status the
 * expected one, and every sampled valid response decrypts to the right result.
 */

import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { buildLoadMix, checkDecryptions, type LoadMix, runLoad } from '../scripts/load-traffic.js';
import { buildApp } from './app.js';

const DURATION_SECONDS = 20;
const RESPONSES_TO_CHECK = 4;

let mix: LoadMix;
let app: FastifyInstance;
let url: string;
beforeAll(async () => {
  // Built first: encrypting holds the event loop for seconds, which would hold up the service's first requests.
  mix = buildLoadMix({ formsPerComputation: 3, responsesToCheck: RESPONSES_TO_CHECK, seed: 5 });
  // The production configuration but for the per-client rate limit (all requests come from 127.0.0.1):
  // admission control stays on and must not refuse at this load.
  app = await buildApp({ logger: false, rateLimit: false });
  url = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(() => app.close());

test(
  'a mixed load gets no errors, timeouts or 5xx, and valid responses decrypt correctly',
  async () => {
    const { result, closingRefusalsSent } = await runLoad(mix, {
      url,
      durationSeconds: DURATION_SECONDS,
      connections: 4,
      timeoutSeconds: 10,
    });
    const decryptions = checkDecryptions(mix);
    console.info(
      `load: ${result.requests.total} requests in ${result.duration} s, ` +
        `${result.requests.average} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, ` +
        `max ${result.latency.max} ms; errors ${result.errors}, timeouts ${result.timeouts}, ` +
        `5xx ${result['5xx']}; ${closingRefusalsSent} refusals that close the connection sent alongside; ` +
        `${decryptions.checked} responses decrypted`,
    );
    expect(result.errors).toBe(0);
    expect(result.timeouts).toBe(0);
    expect(result['5xx']).toBe(0);
    expect(closingRefusalsSent).toBeGreaterThan(0);
    expect(mix.shed.count).toBe(0);
    expect([...new Set(mix.unexpected)]).toEqual([]);
    // Every computation answered and had its kept responses decrypted.
    expect(decryptions.checked).toBe(mix.patients.length * RESPONSES_TO_CHECK);
    expect(decryptions.wrong).toEqual([]);
  },
  (DURATION_SECONDS + 60) * 1000,
);
