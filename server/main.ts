/**
 * Starts the health service: reads the environment, builds the app, listens, and closes cleanly on
 * SIGTERM/SIGINT. Evaluation is CPU-bound, so by default one worker process per core shares the port
 * (node:cluster); `WORKERS=1` runs a single process. Everything else is in `app.ts`.
 */

import cluster from 'node:cluster';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { type AppOptions, buildApp } from './app.js';
import { RISTRETTO255_BACKEND } from './evaluation.js';

/**
 * The repository root: this file runs as `server/main.ts` (tsx) or compiled as
 * `dist/server/server/main.js` (tsc -p tsconfig.server.json).
 */
const repoRoot = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? '..' : '../../..', import.meta.url));
const webBuildDir = `${repoRoot}dist/web`;

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

function wholeNumber(name: string, fallback: number, min: number, max?: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min || (max !== undefined && value > max)) {
    fail(`${name} must be a whole number from ${min}${max === undefined ? ' up' : ` to ${max}`}.`);
  }
  return value;
}

function flag(name: string): boolean {
  const text = process.env[name] ?? '';
  if (!['', 'true', 'false', '1', '0'].includes(text)) fail(`${name} must be true or false.`);
  return text === 'true' || text === '1';
}

/** Exact origins; a typo such as a trailing slash would otherwise never match and fail silently. */
function origins(name: string): string[] {
  const list = (process.env[name] ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
  for (const origin of list) {
    if (!URL.canParse(origin) || new URL(origin).origin !== origin) {
      fail(`${name}: "${origin}" is not an origin like https://vitals.example.org (no path or slash).`);
    }
  }
  return list;
}

// 0 picks a free port (tests); the log line says which.
const port = wholeNumber('PORT', 5050, 0, 65535);
const host = process.env.HOST || 'localhost';
const workers = wholeNumber('WORKERS', availableParallelism(), 1, 256);

if (workers > 1 && cluster.isPrimary) {
  superviseWorkers(workers);
} else {
  await serve();
}

/**
 * The primary only forks, relays shutdown, and exits when every worker has finished its requests in
 * flight. A worker that dies after it was serving is replaced, so one crash does not halve capacity;
 * one that dies before it ever listened (a bad setting, a busy port) stops the service with its code.
 */
function superviseWorkers(count: number): void {
  let stopping = false;
  const serving = new Set<number>();
  cluster.on('listening', (worker) => serving.add(worker.id));
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
    } else if (!serving.has(worker.id)) {
      process.exit(code || 1);
    } else {
      console.error(`Worker ${worker.process.pid} stopped (${signal ?? code}); starting another.`);
      cluster.fork();
    }
  });
  for (let i = 0; i < count; i++) cluster.fork();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      stopping = true;
      // A message, not the signal: after Ctrl-C the workers get SIGINT from the terminal as well, and a
      // second signal means "stop now".
      for (const worker of Object.values(cluster.workers ?? {})) worker?.send(SHUTDOWN);
    });
  }
}

const SHUTDOWN = 'sealed-vitals:shutdown';

async function serve(): Promise<void> {
  const hasWebBuild = existsSync(`${webBuildDir}/index.html`);
  // Each worker counts its own share; connections are spread round-robin, so the whole service
  // allows about RATE_LIMIT_PER_MINUTE per client.
  const perMinute = Math.ceil(wholeNumber('RATE_LIMIT_PER_MINUTE', 600, 1) / workers);
  const options: AppOptions = {
    corsOrigins: origins('CORS_ORIGINS'),
    trustProxy: flag('TRUST_PROXY'),
    rateLimit: { max: perMinute, timeWindowMs: 60_000 },
    ...(hasWebBuild ? { staticDir: webBuildDir } : {}),
  };
  const app = await buildApp(options);
  app.log.info(`ristretto255 on ${RISTRETTO255_BACKEND}`);
  // Graceful shutdown: stop accepting connections, let in-flight requests finish (new requests on kept-alive
  // connections get a 503), then exit once nothing is left. A second signal is the operator's "now".
  let closing = false;
  const close = (reason: string) => {
    if (closing) return;
    closing = true;
    app.log.info(`${reason}: closing after the requests in flight`);
    app.close().then(
      // A cluster worker's channel to the primary would keep it alive: let go of it too.
      () => {
        app.log.info('Closed');
        cluster.worker?.disconnect();
      },
      (error: unknown) => {
        app.log.error({ err: error }, 'Closing failed');
        process.exit(1);
      },
    );
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => close(signal));
  process.on('message', (message) => {
    if (message === SHUTDOWN) close('SIGTERM');
  });

  if (!hasWebBuild)
    app.log.warn(`No web app at ${webBuildDir}: serving the API only (run npm run build:web).`);
  try {
    // Fastify logs this line with the address it actually bound.
    const serving = hasWebBuild ? 'app and API' : 'API';
    await app.listen({
      port,
      host,
      listenTextResolver: (address) => `Sealed Vitals ${serving} on ${address}`,
    });
  } catch (error) {
    app.log.error({ err: error }, `Cannot listen on ${host}:${port}`);
    process.exit(1);
  }
}
