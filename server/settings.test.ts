/**
 * A bad setting stops the start (server/main.ts) with exit code 1 and a message naming the variable,
 * before anything listens; a secret in a bad value is never repeated.
 */

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { temporaryLogDir } from './log/test-support.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

function start(env: Record<string, string>): { status: number | null; output: string } {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: repoRoot,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', WORKERS: '1', LOG_DIR: temporaryLogDir(), ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

const BAD_SETTINGS: [Record<string, string>, RegExp][] = [
  [{ REDIS_URL: 'the cache' }, /^REDIS_URL is not a URL/m],
  [{ REDIS_URL: 'https://:hunter2-secret@cache.internal:6379' }, /^REDIS_URL must start with redis:\/\//m],
  [{ METRICS_PORT: '70000' }, /^METRICS_PORT must be a whole number from 1 to 65535/m],
  [{ METRICS_PORT: '9464', METRICS_TOKEN: 'short' }, /^METRICS_TOKEN must be at least 32 characters/m],
  [
    { METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0' },
    /^METRICS_HOST is not a loopback address: set METRICS_TOKEN/m,
  ],
  [{ METRICS_TOKEN: 'x'.repeat(40) }, /^METRICS_TOKEN is set but METRICS_PORT is not/m],
  [{ MAX_EVALUATIONS_IN_FLIGHT: '0' }, /^MAX_EVALUATIONS_IN_FLIGHT must be a whole number from 1/m],
];

test.each(BAD_SETTINGS)(
  '%o stops the start, naming what is wrong',
  (env, message) => {
    const { status, output } = start(env);
    expect(status).toBe(1);
    expect(output).toMatch(message);
    expect(output).not.toContain('hunter2-secret');
    expect(output).not.toMatch(/listening|Sealed Vitals (app and )?API on/);
  },
  40_000,
);
