/**
 * The service's log on a terminal: short lines a person reads, saying no more than the JSON lines
 * (server/logging.test.ts) do; elsewhere JSON; and Fastify's own listening lines dropped (the
 * service announces its address once, server/main.ts).
 */

import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FASTIFY_LISTEN_TEXT, serviceLoggerOptions, terminalLine } from './service-log.js';
import { buildTestApp, evaluatePath, sampleRequest } from './test-support.js';

describe('terminalLine', () => {
  test('a completed request: time, level, message, request line, status and duration, then its id', () => {
    const time = new Date(2026, 11, 7, 21, 4, 5).getTime();
    const line = JSON.stringify({
      level: 30,
      time,
      pid: 4242,
      hostname: 'vitals-1',
      reqId: 'f0c1',
      req: { method: 'POST', url: '/api/v2/computations/bmi/evaluate' },
      res: { statusCode: 200 },
      responseTime: 3.125,
      msg: 'request completed',
    });
    expect(terminalLine(line)).toBe(
      '21:04:05 INFO  request completed POST /api/v2/computations/bmi/evaluate 200 3.1 ms (request f0c1)',
    );
  });

  test('fields it has no place for are kept as key=value; an error brings its stack, indented', () => {
    const line = JSON.stringify({
      level: 50,
      time: 0,
      msg: 'Closing failed',
      store: 'redis',
      err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at close' },
    });
    expect(terminalLine(line)).toMatch(
      /^\d\d:\d\d:\d\d ERROR Closing failed store="redis"\n {2}Error: boom\n {6}at close$/,
    );
  });

  test('a line that is not JSON is written as it is', () => {
    expect(terminalLine('not json')).toBe('not json');
  });
});

describe('the service on a terminal', () => {
  const MARKER = 'patient-7f3e';
  const written: string[] = [];
  const terminal = { isTTY: true, write: (text: string) => written.push(text) };
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await buildTestApp({ logger: { ...serviceLoggerOptions(terminal), level: 'trace' } });
  });
  afterAll(() => app.close());

  test('requests are human-readable lines that never carry a body, header, query or address', async () => {
    const { body } = sampleRequest('bmi');
    const invalid = { ...body, publicKey: { ...body.publicKey, y: `${MARKER}-y` } };
    for (const payload of [JSON.stringify(body), JSON.stringify(invalid), `{"unparsable":"${MARKER}`]) {
      await app.inject({
        method: 'POST',
        url: `${evaluatePath('bmi')}?note=${MARKER}-query`,
        remoteAddress: '203.0.113.77',
        headers: {
          'content-type': 'application/json',
          'user-agent': `${MARKER}-agent`,
          authorization: `Bearer ${MARKER}-token`,
        },
        payload,
      });
    }
    const log = written.join('');
    expect(log).toMatch(
      /^\d\d:\d\d:\d\d INFO {2}incoming request POST \/api\/v1\/computations\/bmi\/evaluate \(request /m,
    );
    expect(log).toMatch(/^\d\d:\d\d:\d\d INFO {2}request completed 200 [\d.]+ ms \(request /m);
    expect(log).toMatch(/ 400 [\d.]+ ms/);
    expect(log).not.toMatch(/^\{/m);
    expect(log).not.toContain(MARKER);
    expect(log).not.toContain('203.0.113.77');
    for (const text of [body.publicKey.y, body.inputs.weight?.a, body.inputs.height?.b]) {
      expect(text).toBeDefined();
      expect(log).not.toContain(text?.slice(0, 32));
    }
  });

  test('Fastify’s listening lines are dropped', async () => {
    await app.listen({ port: 0, host: '127.0.0.1', listenTextResolver: () => FASTIFY_LISTEN_TEXT });
    const log = written.join('');
    expect(log).not.toContain(FASTIFY_LISTEN_TEXT);
    expect(log).not.toContain('127.0.0.1');
  });
});

test('elsewhere than a terminal, pino writes its JSON lines to standard output as it is', () => {
  expect(serviceLoggerOptions({ isTTY: false, write: () => undefined })).not.toHaveProperty('stream');
  expect(serviceLoggerOptions({ write: () => undefined })).not.toHaveProperty('stream');
});
