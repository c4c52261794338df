/**
 * What the service writes to its log: method, path, status and timing per request; never a body,
 * a ciphertext, a header value, the query string or the client's address.
 */

import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { buildTestApp, evaluatePath, sampleRequest } from './test-support.js';

const lines: string[] = [];
let app: FastifyInstance;
beforeAll(async () => {
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).trim().split('\n'));
      done();
    },
  });
  app = await buildTestApp({ logger: { level: 'trace', stream } });
});
afterAll(() => app.close());

const MARKER = 'patient-7f3e';

test('requests are logged by method, path and status only', async () => {
  const { body } = sampleRequest('bmi');
  const invalid = { ...body, publicKey: { ...body.publicKey, y: `${MARKER}-y` } };
  for (const payload of [body, invalid, `{"unparsable":"${MARKER}`]) {
    await app.inject({
      method: 'POST',
      url: `${evaluatePath('bmi')}?note=${MARKER}-query`,
      remoteAddress: '203.0.113.77',
      headers: {
        'content-type': 'application/json',
        'user-agent': `${MARKER}-agent`,
        authorization: `Bearer ${MARKER}-token`,
        'x-forwarded-for': '198.51.100.99',
      },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });
  }
  const log = lines.join('\n');
  const entries = lines.map((line) => JSON.parse(line));

  expect(entries).toContainEqual(
    expect.objectContaining({ req: { method: 'POST', url: evaluatePath('bmi') } }),
  );
  expect(entries).toContainEqual(expect.objectContaining({ res: { statusCode: 200 } }));
  expect(entries).toContainEqual(expect.objectContaining({ res: { statusCode: 400 } }));
  expect(log).not.toContain(MARKER);
  expect(log).not.toContain('203.0.113.77');
  expect(log).not.toContain('198.51.100.99');
  for (const text of [body.publicKey.y, body.inputs.weight?.a, body.inputs.height?.b]) {
    expect(text).toBeDefined();
    expect(log).not.toContain(text?.slice(0, 32));
  }
});
