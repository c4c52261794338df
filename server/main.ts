/**
 * Starts the health service: reads the environment, builds the app, listens, and closes cleanly on
 * SIGTERM/SIGINT. Everything else is in `app.ts`.
 */

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type AppOptions, buildApp } from './app.js';

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
const hasWebBuild = existsSync(`${webBuildDir}/index.html`);
const options: AppOptions = {
  corsOrigins: origins('CORS_ORIGINS'),
  trustProxy: flag('TRUST_PROXY'),
  rateLimit: { max: wholeNumber('RATE_LIMIT_PER_MINUTE', 600, 1), timeWindowMs: 60_000 },
  ...(hasWebBuild ? { staticDir: webBuildDir } : {}),
};

const app = await buildApp(options);
// Graceful shutdown: stop accepting connections, let in-flight requests finish (new requests on kept-alive
// connections get a 503), then exit once nothing is left. A second signal is the operator's "now".
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    app.log.info(`${signal}: closing after the requests in flight`);
    app.close().then(
      () => app.log.info('Closed'),
      (error: unknown) => {
        app.log.error({ err: error }, 'Closing failed');
        process.exitCode = 1;
      },
    );
  });
}

if (!hasWebBuild) app.log.warn(`No web app at ${webBuildDir}: serving the API only (run npm run build:web).`);
try {
  // Fastify logs this line with the address it actually bound.
  const serving = hasWebBuild ? 'app and API' : 'API';
  await app.listen({ port, host, listenTextResolver: (address) => `Sealed Vitals ${serving} on ${address}` });
} catch (error) {
  app.log.error({ err: error }, `Cannot listen on ${host}:${port}`);
  process.exit(1);
}
