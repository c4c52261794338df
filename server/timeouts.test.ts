/**
 * Slow-drip clients (slowloris): a request whose head or body trickles in cannot hold a connection
 * open past the request timeout. Real sockets, since `inject` has no notion of time on the wire.
 */

import { once } from 'node:events';
import { connect } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { buildTestApp, evaluatePath, expectProblem, parseRawResponse } from './test-support.js';

const REQUEST_TIMEOUT_MS = 1_000;
/** Node checks request timeouts once a second (the app sets it; Node's default is every 30 s). */
const CHECK_INTERVAL_MS = 1_000;

let app: FastifyInstance;
let port: number;
beforeAll(async () => {
  app = await buildTestApp({ requestTimeoutMs: REQUEST_TIMEOUT_MS });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  port = Number(new URL(address).port);
});
afterAll(() => app.close());

/**
 * Writes `head`, then one byte of `drip` every 100 ms until the server answers or hangs up; returns
 * what it answered and after how long.
 */
async function dripRequest(head: string, drip: string): Promise<{ answer: string; elapsedMs: number }> {
  const socket = connect(port, '127.0.0.1');
  socket.setEncoding('utf8');
  await once(socket, 'connect');
  const started = performance.now();
  let answer = '';
  socket.on('data', (chunk: string) => {
    answer += chunk;
  });
  socket.on('error', () => {
    // A reset after the answer is part of being cut off.
  });
  socket.write(head);
  let sent = 0;
  const dripping = setInterval(() => {
    if (!socket.writable || sent >= drip.length) return;
    socket.write(drip[sent++] ?? '');
  }, 100);
  await once(socket, 'close');
  clearInterval(dripping);
  return { answer, elapsedMs: performance.now() - started };
}

/** Slack for a busy machine (tests run in parallel). */
const LIMIT_MS = REQUEST_TIMEOUT_MS + CHECK_INTERVAL_MS + 2_000;

test('a body that trickles in is cut off with 408 after the request timeout', async () => {
  const body = JSON.stringify({ publicKey: { group: 'ristretto255', y: 'A'.repeat(43) }, inputs: {} });
  const head =
    `POST ${evaluatePath('cha2ds2-vasc')} HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
  const { answer, elapsedMs } = await dripRequest(head, body);
  expectProblem(parseRawResponse(answer), 'request-timeout', 408);
  expect(elapsedMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 50);
  expect(elapsedMs).toBeLessThan(LIMIT_MS);
}, 10_000);

test('a request head that trickles in is cut off too', async () => {
  const head = `GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n${'X-Padding: slowly\r\n'.repeat(20)}\r\n`;
  const { answer, elapsedMs } = await dripRequest('', head);
  expectProblem(parseRawResponse(answer), 'request-timeout', 408);
  expect(elapsedMs).toBeLessThan(LIMIT_MS);
}, 10_000);

test('an idle connection that never sends anything is closed too', async () => {
  const { elapsedMs } = await dripRequest('', '');
  expect(elapsedMs).toBeLessThan(LIMIT_MS);
}, 10_000);
