/**
 * The service as a fleet: two instances (server/main.ts with the shipped systemd unit's settings)
 * behind Debian's nginx (the shipped deploy/nginx/sealed-vitals-proxy.conf), sharing one Redis. The
 * rate limit holds across both; with one instance killed mid-load the other answers everything; a
 * rolling restart loses no request. Needs nginx and redis-server (`.ci/run` installs them).
 */

import { request } from 'node:http';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  freePort,
  type RedisProcess,
  scrapeCounter,
  startInstance,
  startNginx,
  startRedis,
  stopProcess,
  type Watched,
} from './fleet/test-support.js';
import { evaluatePath, sampleRequest } from './test-support.js';

const LIMIT_PER_MINUTE = 20;

let redis: RedisProcess;
let nginx: Awaited<ReturnType<typeof startNginx>>;
const ports: number[] = [];
const metricsPorts: number[] = [];
const instances: Watched[] = [];

function instanceEnv(i: number): Record<string, string> {
  return {
    WORKERS: '1',
    REDIS_URL: redis.url,
    RATE_LIMIT_PER_MINUTE: String(LIMIT_PER_MINUTE),
    METRICS_PORT: String(metricsPorts[i]),
  };
}

async function startAt(i: number): Promise<void> {
  instances[i] = await startInstance(ports[i] as number, instanceEnv(i));
}

beforeAll(async () => {
  redis = await startRedis();
  for (let i = 0; i < 2; i++) {
    ports.push(await freePort());
    metricsPorts.push(await freePort());
  }
  await Promise.all([startAt(0), startAt(1)]);
  await Promise.all(instances.map((instance) => instance.waitFor(/Rate-limit store connected/)));
  nginx = await startNginx(ports);
}, 120_000);

afterAll(async () => {
  await nginx?.stop();
  await Promise.all(instances.map((instance) => stopProcess(instance.child, 'SIGKILL')));
  await redis?.stop();
});

interface Answer {
  readonly status: number;
  readonly body: string;
}

/** One request through nginx from a chosen loopback source address: the client nginx sees. */
function send(path: string, from: string, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, nginx.url);
    const outgoing = request(
      url,
      {
        method: body === undefined ? 'GET' : 'POST',
        localAddress: from,
        agent: false,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        timeout: 20_000,
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
      },
    );
    outgoing.on('error', reject);
    outgoing.on('timeout', () => outgoing.destroy(new Error('no answer in 20 s')));
    outgoing.end(body);
  });
}

/** The sum of one counter's samples with these label values, scraped from an instance's metrics port. */
function counter(i: number, name: string, labels: string): Promise<number> {
  return scrapeCounter(metricsPorts[i] as number, name, labels);
}

/**
 * Evaluations through nginx from `loops` concurrent clients until `stop` is called, each request from
 * another loopback address so that the rate limit is never what answers. Resolves with every status
 * and every error.
 */
function evaluateUntilStopped(loops: number) {
  const { body } = sampleRequest('cha2ds2-vasc');
  const payload = JSON.stringify(body);
  const statuses: number[] = [];
  const errors: string[] = [];
  let running = true;
  let sent = 0;
  const done = Promise.all(
    Array.from({ length: loops }, async (_, loop) => {
      while (running) {
        sent++;
        const from = `127.${1 + loop}.${1 + (Math.floor(sent / 250) % 250)}.${1 + (sent % 250)}`;
        try {
          const answer = await send(evaluatePath('cha2ds2-vasc'), from, payload);
          statuses.push(answer.status);
          if (answer.status === 200 && JSON.parse(answer.body).computation !== 'cha2ds2-vasc') {
            errors.push(`a 200 that is not a cha2ds2-vasc answer: ${answer.body.slice(0, 80)}`);
          }
        } catch (error) {
          errors.push(error instanceof Error ? error.message : String(error));
        }
      }
    }),
  );
  return {
    async stop() {
      running = false;
      await done;
      return { statuses, errors };
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once instance `i` (restarted) has evaluated requests that came through nginx. */
async function answeringThroughNginx(i: number): Promise<void> {
  for (let tries = 0; tries < 300; tries++) {
    if ((await counter(i, 'sealed_vitals_evaluations_total', 'outcome="evaluated"')) > 0) return;
    await sleep(100);
  }
  throw new Error(`Instance ${i} got no evaluation through nginx in 30 s.`);
}

test('the rate limit holds across both instances; probes answer a limited client', async () => {
  const client = '127.0.0.2';
  const statuses: number[] = [];
  for (let i = 0; i < LIMIT_PER_MINUTE + 4; i++)
    statuses.push((await send('/api/v1/computations', client)).status);
  expect(statuses.filter((s) => s === 200)).toHaveLength(LIMIT_PER_MINUTE);
  expect(statuses.slice(LIMIT_PER_MINUTE)).toEqual([429, 429, 429, 429]);
  // nginx spread them over both, and each counted into the one shared window.
  const served = await Promise.all(
    [0, 1].map((i) =>
      counter(i, 'http_requests_total', 'route="/api/v1/computations",method="GET",status="200"'),
    ),
  );
  expect(served.every((n) => n > 0)).toBe(true);
  expect((served[0] ?? 0) + (served[1] ?? 0)).toBe(LIMIT_PER_MINUTE);
  expect((await send('/api/v1/health', client)).status).toBe(200);
  expect((await send('/api/v1/health/ready', client)).status).toBe(200);
}, 60_000);

test('with one instance killed mid-load, the other answers every request', async () => {
  const load = evaluateUntilStopped(4);
  await sleep(1500);
  await stopProcess((instances[0] as Watched).child, 'SIGKILL');
  await sleep(2500);
  const { statuses, errors } = await load.stop();
  expect(errors).toEqual([]);
  expect(statuses.length).toBeGreaterThan(0);
  expect(statuses.filter((s) => s !== 200)).toEqual([]);
  await startAt(0);
}, 120_000);

test('a rolling restart loses no request', async () => {
  const load = evaluateUntilStopped(4);
  await sleep(1000);
  for (const i of [0, 1]) {
    await stopProcess((instances[i] as Watched).child, 'SIGTERM');
    await startAt(i);
    // As an operator does: the next one only once nginx sends this one work again (it leaves a
    // failed instance alone for the upstream's fail_timeout).
    await answeringThroughNginx(i);
  }
  const { statuses, errors } = await load.stop();
  expect(errors).toEqual([]);
  expect(statuses.length).toBeGreaterThan(0);
  expect(statuses.filter((s) => s !== 200)).toEqual([]);
}, 120_000);
