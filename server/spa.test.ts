/**
 * The built web app served next to the API: hashed assets cached for good, the page revalidated,
 * client-side routes answered with index.html, and nothing else (API, missing assets) swallowed by it.
 */

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildTestApp, expectProblem } from './test-support.js';

const INDEX_HTML =
  '<!doctype html><title>Sealed Vitals</title><script src="/assets/index-Bx7f3k2a.js"></script>';
const SCRIPT = 'console.log("app");';
const OUTSIDE = 'must never be served';

let workDir: string;
let app: FastifyInstance;
beforeAll(async () => {
  // <workDir>/web is the build; <workDir>/outside.txt and web/.env must stay private.
  workDir = await mkdtemp(join(tmpdir(), 'sealed-vitals-spa-'));
  const web = join(workDir, 'web');
  await mkdir(join(web, 'assets'), { recursive: true });
  await writeFile(join(web, 'index.html'), INDEX_HTML);
  await writeFile(join(web, 'assets', 'index-Bx7f3k2a.js'), SCRIPT);
  await writeFile(join(web, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  await writeFile(join(web, '.env'), OUTSIDE);
  await writeFile(join(workDir, 'outside.txt'), OUTSIDE);
  app = await buildTestApp({ staticDir: web });
});
afterAll(async () => {
  await app.close();
  await rm(workDir, { recursive: true, force: true });
});

const get = (url: string) => app.inject({ method: 'GET', url });

describe('files of the build', () => {
  test.each(['/', '/index.html'])('%s is the page, revalidated on every load', async (url) => {
    const response = await get(url);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.body).toBe(INDEX_HTML);
  });

  test('the page is served under a strict Content-Security-Policy', async () => {
    const response = await get('/computations/bmi');
    const policy = String(response.headers['content-security-policy']);
    for (const directive of [
      "default-src 'none'",
      "script-src 'self'",
      "connect-src 'self'",
      "frame-ancestors 'none'",
    ]) {
      expect(policy).toContain(directive);
    }
    expect(policy).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });

  test('a script carries its own policy, for when it runs as a worker (which does not inherit the page’s)', async () => {
    const policy = String((await get('/assets/index-Bx7f3k2a.js')).headers['content-security-policy']);
    expect(policy.split('; ')).toEqual([
      "default-src 'none'",
      "script-src 'self' 'wasm-unsafe-eval'",
      "connect-src 'self'",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ]);
    expect((await get('/favicon.svg')).headers['content-security-policy']).toBeUndefined();
  });

  test('a hashed asset is cached for a year and never revalidated', async () => {
    const response = await get('/assets/index-Bx7f3k2a.js');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/javascript/);
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(response.body).toBe(SCRIPT);
  });

  test('an unhashed file is revalidated', async () => {
    const response = await get('/favicon.svg');
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-cache');
  });

  test('HEAD works like GET without a body', async () => {
    const response = await app.inject({ method: 'HEAD', url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('');
  });
});

describe('single-page fallback', () => {
  test.each(['/computations/bmi', '/settings/keys', '/deep/nested/route?tab=2', '/apiary'])(
    'GET %s is the page',
    async (url) => {
      const response = await get(url);
      expect(response.statusCode).toBe(200);
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.body).toBe(INDEX_HTML);
    },
  );

  test('a missing asset is a 404, not the page (a stale script must fail loudly)', async () => {
    expectProblem(await get('/assets/index-0ld0ld00.js'), 'not-found', 404);
  });

  test.each(['/api', '/api/', '/api/v1/nothing', '/api/v2/health'])('GET %s is an API 404', async (url) => {
    expectProblem(await get(url), 'not-found', 404);
  });

  test('a POST to a page path is a 404', async () => {
    expectProblem(await app.inject({ method: 'POST', url: '/computations/bmi' }), 'not-found', 404);
  });

  test('the API still answers', async () => {
    expect((await get('/api/v1/health')).json()).toEqual({ status: 'ok' });
  });
});

describe('nothing outside the build, and no dotfiles', () => {
  test.each(['/../outside.txt', '/%2e%2e/outside.txt', '/assets/..%2f..%2foutside.txt', '/.env'])(
    '%s does not serve the file',
    async (url) => {
      const response = await get(url);
      expect(response.statusCode).toBeLessThan(500);
      expect(response.body).not.toContain(OUTSIDE);
    },
  );
});
