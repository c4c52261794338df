/**
 * The 500 path exists only for the service's own bugs (fuzz.test.ts shows no request reaches it):
 * generic to the caller, logged with its stack but never with the body.
 */

import { Writable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { buildTestApp, expectProblem, sampleRequest } from './test-support.js';

describe('a bug of the service itself', () => {
  test('is a generic 500 internal-error, logged with the stack and without the body', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const faulty = await buildTestApp({ logger: { level: 'info', stream } });
    faulty.post('/api/v1/faulty', async () => {
      throw new Error('invariant broken in faulty handler');
    });
    try {
      const body = JSON.stringify(sampleRequest('cha2ds2-vasc').body);
      const response = await faulty.inject({
        method: 'POST',
        url: '/api/v1/faulty',
        headers: { 'content-type': 'application/json' },
        payload: body,
      });
      const detail = expectProblem(response, 'internal-error', 500);
      expect(detail).not.toContain('invariant');
      const log = lines.join('');
      expect(log).toContain('invariant broken in faulty handler');
      expect(log).not.toContain(sampleRequest('cha2ds2-vasc').body.publicKey.y);
    } finally {
      await faulty.close();
    }
  });
});
