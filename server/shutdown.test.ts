/**
 * Graceful shutdown: on SIGTERM the service (server/main.ts, run as in production) stops taking
 * connections but finishes the requests in flight, then exits 0. A request is held in flight by
 * sending its body in two parts, the second only after the signal.
 */

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from 'vitest';
import { decryptOutputs } from '../shared/client.js';
import { temporaryLogDir } from './log/test-support.js';
import { evaluatePath, sampleRequest } from './test-support.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
let service: ChildProcess | undefined;
afterAll(() => {
  service?.kill('SIGKILL');
});

/** Resolves with the first line of the service's output that matches. */
function lineMatching(output: string[], waiters: ((line: string) => boolean)[], pattern: RegExp) {
  return new Promise<string>((resolve) => {
    const seen = output.find((line) => pattern.test(line));
    if (seen) return resolve(seen);
    waiters.push((line) => {
      if (!pattern.test(line)) return false;
      resolve(line);
      return true;
    });
  });
}

function startService(env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      NODE_ENV: 'production',
      LOG_DIR: temporaryLogDir(),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  let waiters: ((line: string) => boolean)[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) {
        output.push(line);
        waiters = waiters.filter((waiter) => !waiter(line));
      }
    });
  }
  return { child, output, waitFor: (pattern: RegExp) => lineMatching(output, waiters, pattern) };
}

/** Sends a request head and the first half of its body; returns the socket and the rest to send. */
function startRequest(port: number, path: string, body: string): { socket: Socket; rest: string } {
  const half = Math.floor(body.length / 2);
  const socket = connect(port, '127.0.0.1');
  socket.setEncoding('utf8');
  socket.write(
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body.slice(0, half)}`,
  );
  return { socket, rest: body.slice(half) };
}

async function responseOf(socket: Socket): Promise<{ status: number; body: string }> {
  let text = '';
  socket.on('data', (chunk: string) => {
    text += chunk;
  });
  await once(socket, 'close');
  const [head = '', body = ''] = text.split('\r\n\r\n');
  return { status: Number(head.split(' ')[1]), body };
}

test('SIGTERM lets the request in flight finish, refuses new connections, and exits 0', async () => {
  const { child, waitFor } = startService();
  service = child;
  const listening = await waitFor(/Sealed Vitals .* on http:\/\/127\.0\.0\.1:\d+/);
  const port = Number(/127\.0\.0\.1:(\d+)/.exec(listening)?.[1]);

  const { computation, key, body } = sampleRequest('cha2ds2-vasc');
  const { socket, rest } = startRequest(port, evaluatePath('cha2ds2-vasc'), JSON.stringify(body));
  const response = responseOf(socket);
  await waitFor(/incoming request/);

  child.kill('SIGTERM');
  await waitFor(/SIGTERM: closing/);
  // A new client is turned away at once: refused or reset, or a 503 if it slipped in before the
  // listener closed.
  const newcomer = await fetch(`http://127.0.0.1:${port}/api/v1/health`).then(
    (late) => late.status,
    () => 'turned away',
  );
  expect(['turned away', 503]).toContain(newcomer);

  socket.write(rest);
  const { status, body: answer } = await response;
  expect(status).toBe(200);
  expect(decryptOutputs(computation, key, JSON.parse(answer))).toEqual({ score: 6n });
  const [code] = await once(child, 'exit');
  expect(code).toBe(0);
}, 30_000);

/** The workers the service's primary has forked so far (tsx may run an esbuild child beside them). */
function workerCount(pid: number): number {
  try {
    return execFileSync('pgrep', ['-P', String(pid), '-f', 'server/main[.]ts'], { encoding: 'utf8' })
      .trim()
      .split('\n').length;
  } catch {
    return 0; // pgrep exits 1 when there is none
  }
}

test('SIGTERM while the workers are still starting stops them, and the service exits 0', async () => {
  const { child } = startService({ WORKERS: '2' });
  service = child;
  const pid = child.pid as number;
  // The primary handles signals once it has forked both, in one synchronous loop; its workers take
  // seconds to load, so a signal a moment later still finds them starting.
  await expect.poll(() => workerCount(pid), { timeout: 20_000, interval: 20 }).toBe(2);
  await new Promise((resolve) => setTimeout(resolve, 100));
  child.kill('SIGTERM');
  const [code] = await once(child, 'exit');
  expect(code).toBe(0);
  expect(workerCount(pid)).toBe(0);
}, 30_000);
