/**
 * Starts the health service: reads the environment, builds the app, listens, and closes cleanly on
 * SIGTERM/SIGINT. Evaluation is CPU-bound, so by default one worker process per core shares the port
 * (node:cluster); `WORKERS=1` runs a single process. With `METRICS_PORT`, Prometheus metrics are served
 * on that port (by the primary, summed over the workers). Every setting is checked before anything
 * starts; a bad one stops the start with a message naming it. Everything else is in `app.ts`.
 */

import cluster from 'node:cluster';
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AppOptions, buildApp, DEFAULT_ADMISSION } from './app.js';
import { RISTRETTO255_BACKEND } from './groups.js';
import { ensureLocalLog, LOG_KEY_FILE, localLogDir, POLICY_FILE } from './log/local-log.js';
import { LogFileError, LogReader } from './log/log-files.js';
import { LogPublishError } from './log/publish.js';
import {
  LogSettingError,
  type LogSettings,
  type PublishingLog,
  readTrustPolicy,
  servedEntries,
  startPublishing,
  type TrustPolicy,
} from './log/transparency.js';
import {
  clusterMetrics,
  metricsUrl,
  type ServiceMetrics,
  serveMetrics,
  shareWithPrimary,
} from './metrics.js';
import { ModelFileError } from './private-model.js';
import { redisUrlProblem } from './rate-limit-store.js';
import { loadServedCatalog } from './served-catalog.js';
import { FASTIFY_LISTEN_TEXT, serviceLoggerOptions } from './service-log.js';

/**
 * The repository root: this file runs as `server/main.ts` (tsx) or compiled as
 * `dist/server/server/main.js` (tsc -p tsconfig.server.json).
 */
const repoRoot = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? '..' : '../../..', import.meta.url));
/** WEB_DIR: the built site to serve (default the build's dist/web); API only when it holds none. */
const webBuildDir = process.env.WEB_DIR || `${repoRoot}dist/web`;

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

/** The shared rate-limit store's URL, checked; the message never repeats it (it may hold a password). */
function redisUrl(name: string): string | undefined {
  const text = process.env[name];
  if (text === undefined || text === '') return undefined;
  const problem = redisUrlProblem(text);
  if (problem) fail(`${name} ${problem}`);
  return text;
}

/** Long enough not to be guessed; only characters that survive a header and a shell unquoted. */
const METRICS_TOKEN_PATTERN = /^[A-Za-z0-9._~+/=-]{32,}$/;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

interface MetricsSettings {
  readonly port: number;
  readonly host: string;
  readonly token?: string;
}

function metricsSettings(apiPort: number): MetricsSettings | undefined {
  const text = process.env.METRICS_PORT;
  if (text === undefined || text === '') {
    for (const name of ['METRICS_HOST', 'METRICS_TOKEN']) {
      if (process.env[name])
        fail(`${name} is set but METRICS_PORT is not: set METRICS_PORT to serve metrics.`);
    }
    return undefined;
  }
  const port = wholeNumber('METRICS_PORT', 0, 1, 65535);
  if (port === apiPort) fail('METRICS_PORT must differ from PORT: metrics are not served with the API.');
  const host = process.env.METRICS_HOST || '127.0.0.1';
  const token = process.env.METRICS_TOKEN || undefined;
  if (token !== undefined && !METRICS_TOKEN_PATTERN.test(token)) {
    fail(
      'METRICS_TOKEN must be at least 32 characters of A–Z, a–z, 0–9 and ._~+/=- (e.g. openssl rand -hex 32).',
    );
  }
  if (!LOOPBACK_HOSTS.has(host) && token === undefined) {
    fail(`METRICS_HOST is not a loopback address: set METRICS_TOKEN too, or metrics would be public.`);
  }
  return { port, host, ...(token === undefined ? {} : { token }) };
}

/** Where the private model files are; checked here, each file when the app is built. */
function modelsDir(name: string): string | undefined {
  const text = process.env[name];
  if (text === undefined || text === '') return undefined;
  if (!existsSync(text) || !statSync(text).isDirectory()) fail(`${name}: ${text} is not a directory.`);
  return text;
}

/** Witness URLs, each http(s) with no query; the message names the setting. */
function urls(name: string): string[] | undefined {
  const text = process.env[name];
  if (text === undefined || text === '') return undefined;
  const list = text.split(',').map((url) => url.trim());
  for (const url of list) {
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol) || new URL(url).search !== '')
      fail(`${name}: "${url}" is not an http(s) URL such as https://witness.example.org/.`);
  }
  return list;
}

/**
 * Where the transparency log and its keys are. With no LOG_POLICY_FILE, the local log `npm start`
 * makes under DATA_DIR (its keys made on first use); otherwise the deployment's own files.
 */
function logSettings(): LogSettings {
  const dataDir = process.env.DATA_DIR || `${repoRoot}data`;
  const configured = process.env.LOG_POLICY_FILE;
  if (!configured) ensureLocalLog(dataDir);
  const publishText = process.env.LOG_PUBLISH ?? '';
  if (!['', 'true', 'false'].includes(publishText)) fail('LOG_PUBLISH must be true or false.');
  const witnesses = urls('WITNESSES');
  return {
    dataDir,
    logDir: process.env.LOG_DIR || join(dataDir, 'log'),
    policyFile: configured || join(localLogDir(dataDir), POLICY_FILE),
    logKeyFile: process.env.LOG_KEY_FILE || join(localLogDir(dataDir), LOG_KEY_FILE),
    publish: publishText !== 'false',
    ...(witnesses ? { witnesses } : {}),
  };
}

/** The policy, which must be the one the web app was built with (it checks the log against it). */
function trustPolicy(settings: LogSettings, hasWebBuild: boolean): TrustPolicy {
  const policy = logStep(() => readTrustPolicy(settings.policyFile));
  if (hasWebBuild) {
    const built = join(webBuildDir, 'log-policy.json');
    let same = false;
    try {
      const { origin, logKey, witnesses, quorum } = JSON.parse(readFileSync(built, 'utf8')) as TrustPolicy;
      same =
        JSON.stringify([origin, logKey, witnesses, quorum]) ===
        JSON.stringify([policy.origin, policy.logKey, policy.witnesses, policy.quorum]);
    } catch {
      same = false;
    }
    if (!same)
      fail(
        `Cannot start: the web app in ${webBuildDir} was built with another log policy than ${settings.policyFile}; rebuild it (npm run build).`,
      );
  }
  return policy;
}

/** A log setting, file or publish that is wrong stops the start with its message. */
function logStep<T>(step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof LogSettingError || error instanceof LogFileError || error instanceof LogPublishError)
      fail(`Cannot start: ${error.message}`);
    if (error instanceof ModelFileError) fail(`Cannot start: ${error.message}`);
    throw error;
  }
}

/**
 * Logs what is served now and gathers cosignatures, once, before any worker serves: the catalog's
 * entries carry their place in the log from the first request.
 */
async function publishServed(settings: LogSettings, policy: TrustPolicy, log: (message: string) => void) {
  const served = logStep(() => loadServedCatalog(privateModelsDir));
  const appVersion = (JSON.parse(readFileSync(`${repoRoot}package.json`, 'utf8')) as { version: string })
    .version;
  const site = existsSync(`${webBuildDir}/index.html`) ? { dir: webBuildDir, appVersion } : undefined;
  const entries = await servedEntries(served, site);
  return startPublishing(settings, policy, entries, log).catch((error: unknown) =>
    logStep(() => {
      throw error;
    }),
  );
}

// 0 picks a free port (tests); the log line says which.
const port = wholeNumber('PORT', 5050, 0, 65535);
const host = process.env.HOST || 'localhost';
const workers = wholeNumber('WORKERS', availableParallelism(), 1, 256);
const rateLimitPerMinute = wholeNumber('RATE_LIMIT_PER_MINUTE', 600, 1);
const maxEvaluationsInFlight = wholeNumber(
  'MAX_EVALUATIONS_IN_FLIGHT',
  DEFAULT_ADMISSION.maxInFlight,
  1,
  10_000,
);
const sharedStoreUrl = redisUrl('REDIS_URL');
const metricsSetting = metricsSettings(port);
const corsOrigins = origins('CORS_ORIGINS');
const privateModelsDir = modelsDir('MODELS_DIR');
const trustProxy = flag('TRUST_PROXY');
const transparency = logSettings();
const hasWebBuild = existsSync(`${webBuildDir}/index.html`);
const policy = trustPolicy(transparency, hasWebBuild);

if (workers > 1 && cluster.isPrimary) {
  const publishing = await publishServed(transparency, policy, console.info);
  superviseWorkers(workers, publishing);
  if (metricsSetting) await startMetrics(metricsSetting, clusterMetrics(), console.info);
} else {
  const publishing = cluster.isWorker ? undefined : await publishServed(transparency, policy, console.info);
  await serve(publishing);
}

async function startMetrics(
  settings: MetricsSettings,
  collect: () => Promise<string>,
  log: (message: string) => void,
): Promise<Server> {
  try {
    const server = await serveMetrics({ ...settings, collect });
    log(`Metrics on ${metricsUrl(server)}${settings.token ? ' (bearer token required)' : ''}`);
    return server;
  } catch (error) {
    fail(`Cannot serve metrics on ${settings.host}:${settings.port}: ${(error as Error).message}`);
  }
}

interface Announcer {
  info(message: string): void;
  warn(message: string): void;
}

/**
 * What a person starting the service reads, once: by the single process, or by the primary when the
 * first worker listens (each worker would otherwise say it again), with the port actually bound.
 */
function announce(log: Announcer, boundPort: number): void {
  log.info(`ristretto255 on ${RISTRETTO255_BACKEND}`);
  if (!sharedStoreUrl && workers > 1) {
    log.info('Rate limit counted per worker (set REDIS_URL to share it across processes and instances)');
  }
  if (!hasWebBuild) log.warn(`No web app at ${webBuildDir}: serving the API only (run npm run build:web).`);
  const address = `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`;
  const processes = workers > 1 ? ` (${workers} worker processes)` : '';
  log.info(`Sealed Vitals ${hasWebBuild ? 'app and API' : 'API'} on ${address}${processes}`);
}

/**
 * The primary only forks, relays shutdown, and exits when every worker has finished its requests in
 * flight. A worker that dies after it was serving is replaced, so one crash does not halve capacity;
 * one that dies before it ever listened (a bad setting, a busy port) stops the service with its code.
 */
function superviseWorkers(count: number, publishing: PublishingLog): void {
  let stopping = false;
  const serving = new Set<number>();
  let announced = false;
  cluster.on('listening', (worker, address) => {
    serving.add(worker.id);
    if (!announced) announce(console, address.port);
    announced = true;
  });
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0)
        void publishing.close().then(() => process.exit(0));
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
      // second signal means "stop now". A worker still starting has no request to finish and may not
      // listen for the message yet (it would start serving, and the primary never exit): it is stopped.
      for (const worker of Object.values(cluster.workers ?? {})) {
        if (worker && serving.has(worker.id)) worker.send(SHUTDOWN);
        else worker?.kill();
      }
    });
  }
}

const SHUTDOWN = 'sealed-vitals:shutdown';

async function serve(publishing: PublishingLog | undefined): Promise<void> {
  // In Redis every worker of every instance counts into the same window. Without it each worker counts
  // its own share; connections are spread round-robin, so the whole process allows about
  // RATE_LIMIT_PER_MINUTE per client (and each instance as much again).
  const rateLimit: AppOptions['rateLimit'] = sharedStoreUrl
    ? { max: rateLimitPerMinute, timeWindowMs: 60_000, redisUrl: sharedStoreUrl }
    : { max: Math.ceil(rateLimitPerMinute / workers), timeWindowMs: 60_000 };
  const options: AppOptions = {
    corsOrigins,
    trustProxy,
    rateLimit,
    overload: { ...DEFAULT_ADMISSION, maxInFlight: maxEvaluationsInFlight },
    ...(hasWebBuild ? { staticDir: webBuildDir } : {}),
    ...(privateModelsDir === undefined ? {} : { modelsDir: privateModelsDir }),
    log: { reader: new LogReader(transparency.logDir), policy },
    logger: serviceLoggerOptions(process.stdout),
  };
  // A bad model file stops the start, naming the file, the field and what is wrong; nothing is served.
  const app = await buildApp(options).catch((error: unknown) =>
    error instanceof ModelFileError ? fail(`Cannot start: ${error.message}`) : Promise.reject(error),
  );
  if (publishing) app.addHook('onClose', () => publishing.close());
  const metrics: ServiceMetrics | undefined = app.metrics;
  if (metrics && cluster.isWorker) shareWithPrimary(metrics);
  else if (metrics && metricsSetting) {
    const server = await startMetrics(
      metricsSetting,
      () => metrics.registry.metrics(),
      (message) => app.log.info(message),
    );
    app.addHook('onClose', (_app, done) => server.close(() => done()));
  }
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

  try {
    await app.listen({ port, host, listenTextResolver: () => FASTIFY_LISTEN_TEXT });
  } catch (error) {
    app.log.error({ err: error }, `Cannot listen on ${host}:${port}`);
    process.exit(1);
  }
  if (!cluster.isWorker) announce(app.log, (app.server.address() as AddressInfo).port);
}
