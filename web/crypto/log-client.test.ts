/**
 * The log as the crypto worker fetches it: a check the network cuts short says so, so that its
 * incomplete record never replaces the one kept for offline use; a log that answers (even with a
 * refusal) is not cut short.
 */

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HttpLogClient } from './log-client.js';

beforeEach(() => {
  vi.stubGlobal('self', { location: { href: 'http://127.0.0.1:5050/' } });
});
afterEach(() => vi.unstubAllGlobals());

describe('HttpLogClient', () => {
  it('is cut short when a request to the log gets no answer', async () => {
    const log = new HttpLogClient();
    vi.stubGlobal('fetch', async () => new Response('checkpoint\n', { status: 200 }));
    await log.checkpoint();
    expect(log.cutShort).toBe(false);
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(log.inclusion(0, 1)).rejects.toThrow('Failed to fetch');
    expect(log.cutShort).toBe(true);
    expect(log.record.checkpoint).toBe('checkpoint\n');
  });

  it('is not cut short by a log that answers with a refusal', async () => {
    const log = new HttpLogClient();
    vi.stubGlobal('fetch', async () => new Response('no log here', { status: 404 }));
    await expect(log.checkpoint()).rejects.toThrow();
    expect(log.cutShort).toBe(false);
  });
});
