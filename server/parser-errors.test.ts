/**
 * Requests Node's HTTP parser refuses before Fastify has a request to reply to: they get a
 * problem+json like every other refusal, and the connection is closed. Real sockets, since `inject`
 * bypasses the parser. (Slow-drip timeouts, answered the same way, are in timeouts.test.ts.)
 */

import { once } from 'node:events';
import { connect } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { buildTestApp, expectProblem, parseRawResponse } from './test-support.js';

let app: FastifyInstance;
let port: number;
beforeAll(async () => {
  app = await buildTestApp();
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  port = Number(new URL(address).port);
});
afterAll(() => app.close());

/** Writes `bytes` and returns everything the server answered before it closed the connection. */
async function sendRaw(bytes: string): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  socket.setEncoding('utf8');
  let answer = '';
  socket.on('data', (chunk: string) => {
    answer += chunk;
  });
  socket.on('error', () => {
    // A reset after the answer is part of being refused.
  });
  await once(socket, 'connect');
  socket.write(bytes);
  await once(socket, 'close');
  return answer;
}

test('a request head over the size limit gets 431 headers-too-large', async () => {
  // Node's default limit is 16 KiB for the whole head.
  const head = `GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ${'a'.repeat(20_000)}\r\n\r\n`;
  const answer = parseRawResponse(await sendRaw(head));
  expectProblem(answer, 'headers-too-large', 431);
  expect(answer.headers.connection).toBe('close');
});

test.each([
  ['bytes that are not HTTP', 'hello, service\r\n\r\n'],
  ['a header name with a space in it', 'GET /api/v1/health HTTP/1.1\r\nHost: x\r\nBad Name: 1\r\n\r\n'],
  [
    'both Content-Length and chunked (request smuggling)',
    'POST /api/v1/computations/bmi/evaluate HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
  ],
])('%s: 400 validation-failed, nothing echoed', async (_, bytes) => {
  const raw = await sendRaw(bytes);
  expectProblem(parseRawResponse(raw), 'validation-failed', 400);
  expect(raw).not.toContain('hello');
});
