/**
 * While the service closes, a request that still arrives on an open connection (pipelined behind one
 * in flight, or on a kept-alive connection) is turned away with a 503 problem and Connection: close;
 * the request in flight still finishes. Real sockets: `inject` has no connections.
 */

import { once } from 'node:events';
import { connect } from 'node:net';
import { expect, test } from 'vitest';
import { decryptOutputs } from '../shared/client.js';
import {
  buildTestApp,
  evaluatePath,
  expectProblem,
  parseRawResponse,
  sampleRequest,
} from './test-support.js';

test('a request pipelined behind one in flight gets 503 service-unavailable while closing', async () => {
  const app = await buildTestApp();
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  const socket = connect(Number(new URL(address).port), '127.0.0.1');
  socket.setEncoding('utf8');
  let received = '';
  socket.on('data', (chunk: string) => {
    received += chunk;
  });
  await once(socket, 'connect');

  // The evaluation is held in flight by its body's second half, sent only once closing has begun.
  const { computation, key, body } = sampleRequest('cha2ds2-vasc');
  const text = JSON.stringify(body);
  const half = Math.floor(text.length / 2);
  const inFlight = once(app.server, 'request');
  socket.write(
    `POST ${evaluatePath('cha2ds2-vasc')} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text.slice(0, half)}`,
  );
  await inFlight;
  const closed = app.close();
  socket.write(`${text.slice(half)}GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  await once(socket, 'close');
  await closed;

  const second = received.indexOf('HTTP/1.1', 1);
  const evaluated = parseRawResponse(received.slice(0, second));
  expect(evaluated.statusCode).toBe(200);
  expect(decryptOutputs(computation, key, evaluated.json())).toEqual({ score: 6n });
  const late = parseRawResponse(received.slice(second));
  expectProblem(late, 'service-unavailable', 503);
  expect(late.headers['retry-after']).toBe('1');
  expect(late.headers.connection).toBe('close');
});
