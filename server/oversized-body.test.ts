/**
 * A body over the limit, sent by a client that writes all of it before it reads (Python's urllib does):
 * on a real socket, the service reads and drops the rest up to DISCARD_LIMIT, so the client finishes
 * writing and then reads the 413 problem; far beyond the bound the connection is closed unread.
 */

import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { DISCARD_LIMIT } from './plugins/problem-details.js';
import { buildTestApp, evaluatePath, expectProblem, parseRawResponse } from './test-support.js';

const MiB = 1024 * 1024;

let app: FastifyInstance;
let port: number;
beforeAll(async () => {
  app = await buildTestApp();
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = (app.server.address() as { port: number }).port;
});
afterAll(() => app.close());

interface Sent {
  /** The error writing the body met, if any (EPIPE or ECONNRESET once the service has closed). */
  readonly writeError: string | undefined;
  /** Everything the service wrote back, read only after the whole body was written. */
  readonly received: string;
}

/** Writes the head and the whole body, and only then reads the answer, until the service closes. */
async function writeWholeBodyThenRead(bytes: number): Promise<Sent> {
  const socket: Socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const chunks: Buffer[] = [];
  socket.pause();
  socket.on('error', () => undefined);
  socket.write(
    `POST ${evaluatePath('bmi')} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${bytes}\r\n\r\n`,
  );
  const writeError = await new Promise<string | undefined>((resolve) => {
    socket.write(Buffer.alloc(bytes, ' '), (error) => resolve((error as NodeJS.ErrnoException)?.code));
  });
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.resume();
  await once(socket, 'close');
  return { writeError, received: Buffer.concat(chunks).toString('utf8') };
}

test('6 MiB written whole before reading: the write completes and the 413 problem is read', async () => {
  // More than loopback's socket buffers hold: closed unread, this write failed with EPIPE.
  const { writeError, received } = await writeWholeBodyThenRead(6 * MiB);
  expect(writeError).toBeUndefined();
  const response = parseRawResponse(received);
  expect(expectProblem(response, 'payload-too-large', 413)).toContain(String(64 * 1024));
  expect(response.headers.connection).toBe('close');
});

test('far beyond the bound, the service stops reading and closes the connection', async () => {
  const { writeError } = await writeWholeBodyThenRead(8 * DISCARD_LIMIT.bytes);
  expect(['EPIPE', 'ECONNRESET']).toContain(writeError);
});
