/**
 * The health service as a configured Fastify instance: the API under /api (security headers, CORS,
 * rate limit, admission control for evaluations, strict schemas, its OpenAPI document) with version 1
 * under /api/v1, one problem+json error handler, request ids, timeouts, metrics, and in production the
 * built web app.
 * `main.ts` only reads the environment and listens; tests use `app.inject`.
 */

import { randomUUID } from 'node:crypto';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import Fastify, {
  type FastifyInstance,
  type FastifyPluginAsync,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { API_BASE_PATH, API_V2_BASE_PATH } from '../shared/api.js';
import { ProtocolError } from '../shared/errors.js';
import { loggedIndex } from './log/log-files.js';
import { ServiceMetrics } from './metrics.js';
import { type AdmissionOptions, admission, EvaluationLine } from './plugins/admission.js';
import { requestMetrics } from './plugins/metrics.js';
import {
  sendErrorAsProblem,
  sendNotFoundProblem,
  serviceUnavailable,
  writeClientErrorAsProblem,
} from './plugins/problem-details.js';
import { spa } from './plugins/spa.js';
import { type SharedRateLimitStore, sharedRateLimitStore } from './rate-limit-store.js';
import { computationRoutes } from './routes/computations.js';
import { healthRoutes } from './routes/health.js';
import { type LogRoutesOptions, logRoutes } from './routes/log.js';
import { loadServedCatalog, type ServedComputation } from './served-catalog.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The service's Prometheus metrics, absent with `metrics: false`. */
    metrics?: ServiceMetrics;
  }
}

export interface AppOptions {
  /** Origins allowed to call the API from another site (exact `scheme://host[:port]`); none by default. */
  corsOrigins?: readonly string[];
  /** Fastify's logger: `true` (default), `false`, or pino options. Request bodies are never logged. */
  logger?: boolean | object;
  /** The built web app to serve at `/`; API only when absent. */
  staticDir?: string;
  /** Where the private model files are (default models/); a bad one stops the start. */
  modelsDir?: string;
  /** Largest accepted request body in bytes (default 64 KiB). */
  bodyLimit?: number;
  /**
   * Requests per client address per window on the API (default 600 per minute), liveness and readiness
   * aside; `false` turns it off. Counted in this process, or with `redisUrl` in Redis/Valkey, shared by
   * every process and instance that uses it (fails open: server/rate-limit-store.ts).
   */
  rateLimit?: { max: number; timeWindowMs: number; redisUrl?: string } | false;
  /** Take the client address from X-Forwarded-For: only behind a reverse proxy that sets it. */
  trustProxy?: boolean;
  /**
   * Longest a client may take to send a whole request, headers and body, in ms (default 10 s): a
   * slow-drip body cannot hold a connection open for long. Node checks it once a second.
   */
  requestTimeoutMs?: number;
  /**
   * Admission control: at most `maxInFlight` evaluations admitted per process, the excess answered
   * at once with 503 and Retry-After (server/plugins/admission.ts); `false` turns it off.
   */
  overload?: AdmissionOptions | false;
  /** Count requests into Prometheus metrics (`app.metrics`; default true). */
  metrics?: boolean;
  /** The transparency log to serve under /api/v2/log, and to give each catalog entry its index. */
  log?: LogRoutesOptions;
}

/** A request is a public key and one ciphertext per input (two group elements each): room for far more inputs. */
const DEFAULT_BODY_LIMIT = 64 * 1024;
const DEFAULT_RATE_LIMIT = { max: 600, timeWindowMs: 60_000 };
/** Long enough for the largest request, a month of readings' ciphertexts, over a slow mobile link. */
const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
/** Retry-After for a request turned away while closing: a restarted or sibling worker takes it. */
const CLOSING_RETRY_AFTER_S = 1;
/**
 * Evaluations admitted per process. Refusing costs CPU too (the client comes straight back), so the
 * bound is above what one process gets of 64 connections: at 64 the service computes at full goodput
 * with a first-come-first-served line, and refuses beyond (docs/PERFORMANCE.md, §3).
 */
export const DEFAULT_ADMISSION: AdmissionOptions = { maxInFlight: 64, retryAfterSeconds: 1 };
/** Node's default is 30 s, which would let a slow request overrun its timeout by that much. */
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;

/**
 * What a log line may say about a request: method and path, never headers (which may carry
 * credentials or identify the patient), the query string, the client address or the body.
 */
const logSerializers = {
  req: (request: FastifyRequest) => ({ method: request.method, url: request.url.split('?', 1)[0] }),
  res: (reply: FastifyReply) => ({ statusCode: reply.statusCode }),
};

function loggerOptions(logger: boolean | object): false | object {
  if (logger === false) return false;
  return { ...(logger === true ? {} : logger), serializers: logSerializers };
}

export async function buildApp(options: AppOptions = {}): Promise<FastifyInstance> {
  const requestTimeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const app = Fastify({
    logger: loggerOptions(options.logger ?? true),
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    trustProxy: options.trustProxy ?? false,
    requestTimeout,
    // Node enforces requestTimeout on a trickling body only when headersTimeout is no longer (its
    // default is 60 s); measured in server/timeouts.test.ts.
    http: { connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS, headersTimeout: requestTimeout },
    // A random id per request, in every log line and the X-Request-Id header, so a patient can quote
    // it in a report. A client-sent id is ignored: it could be used to forge or collide log entries.
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    // Refuse rather than repair: extra fields are errors, not silently stripped; a number is never
    // turned into the string a schema wants; no defaults are invented.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false } },
    frameworkErrors: sendErrorAsProblem,
    clientErrorHandler: writeClientErrorAsProblem,
    // Requests that still arrive while closing get our 503 problem below instead of Fastify's plain JSON.
    return503OnClosing: false,
  });
  // The API speaks JSON only; without this a text/plain body would reach validation.
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler(sendErrorAsProblem);
  // Closing stops new connections, but a request can still come on a kept-alive or pipelined one: it is
  // turned away, and its connection closed (Fastify adds Connection: close while closing).
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    if (closing) {
      const detail = 'The service is shutting down; try again in a moment.';
      return reply.send(serviceUnavailable(reply, detail, CLOSING_RETRY_AFTER_S));
    }
  });
  // Before any route: it builds the OpenAPI document from the schemas the routes validate with.
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Sealed Vitals health service',
        version: '1',
        description: 'Health computations on ElGamal ciphertexts (docs/PROTOCOL.md).',
      },
    },
  });

  const overload = options.overload ?? DEFAULT_ADMISSION;
  const line = overload === false ? undefined : new EvaluationLine(overload);
  let metrics: ServiceMetrics | undefined;
  if (options.metrics ?? true) {
    metrics = new ServiceMetrics(line && (() => line.inFlight));
    app.decorate('metrics', metrics);
    await app.register(requestMetrics, { metrics });
  }

  await app.register(
    api({
      corsOrigins: options.corsOrigins ?? [],
      rateLimit: options.rateLimit ?? DEFAULT_RATE_LIMIT,
      overload,
      line,
      metrics,
      served: loadServedCatalog(options.modelsDir),
      log: options.log,
    }),
    { prefix: API_PREFIX },
  );
  if (options.staticDir !== undefined) {
    await app.register(spa, { root: options.staticDir });
  } else {
    app.setNotFoundHandler(sendNotFoundProblem);
  }
  return app;
}

interface ApiOptions {
  corsOrigins: readonly string[];
  rateLimit: NonNullable<AppOptions['rateLimit']>;
  overload: NonNullable<AppOptions['overload']>;
  line: EvaluationLine | undefined;
  metrics: ServiceMetrics | undefined;
  served: ReadonlyMap<string, ServedComputation>;
  log: LogRoutesOptions | undefined;
}

/** Every version of the API lives under it and shares its headers, CORS, rate limit and admission. */
const API_PREFIX = '/api';
/** Version 1 within it: `API_BASE_PATH` of shared/api.ts. */
const API_V1_PREFIX = API_BASE_PATH.slice(API_PREFIX.length);
const API_V2_PREFIX = API_V2_BASE_PATH.slice(API_PREFIX.length);

/**
 * Headers for JSON that is never a page: nothing may run, load or frame it (helmet's other defaults
 * stay: nosniff, no-referrer, HSTS, same-origin resource policy, which CORS requests are exempt from).
 */
const API_HELMET = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  },
  frameguard: { action: 'deny' },
} as const;

/**
 * The API's own scope, so its headers, CORS, rate limit and admission control apply to its routes and
 * not to the web app. Each version registers its routes inside it under its own prefix.
 */
function api({
  corsOrigins,
  rateLimit: limit,
  overload,
  line,
  metrics,
  served,
  log,
}: ApiOptions): FastifyPluginAsync {
  return async (api) => {
    await api.register(helmet, API_HELMET);
    // Responses are ciphertexts for one patient: no shared or browser cache should keep them.
    api.addHook('onRequest', async (_request, reply) => {
      reply.header('cache-control', 'no-store');
    });
    if (corsOrigins.length > 0) {
      await api.register(cors, {
        origin: [...corsOrigins],
        methods: ['GET', 'POST'],
        allowedHeaders: ['Content-Type'],
        // Lets a cross-origin web app read how long to wait after a 429 or 503, and the id to quote.
        exposedHeaders: ['Retry-After', 'X-Request-Id'],
        maxAge: 600,
      });
    }
    if (limit !== false) {
      const shared = limit.redisUrl === undefined ? undefined : sharedStore(api, limit.redisUrl, metrics);
      await api.register(rateLimit, {
        max: limit.max,
        timeWindow: limit.timeWindowMs,
        // Only a shared store can fail; then the request is let through (rate-limit-store.ts says why).
        ...(shared ? { store: shared.store, skipOnError: true } : {}),
        onExceeded: () => metrics?.countRateLimited(),
        errorResponseBuilder: (_request, context) =>
          new ProtocolError('rate-limited', `Too many requests; try again in ${context.after}.`),
      });
    }
    // In the rate limit's wake: a flooding client is answered 429 before it can take a place in line.
    if (line && overload !== false) {
      await api.register(admission, { line, ...overload, onShed: () => metrics?.countShed() });
    }
    await api.register(
      async (v1) => {
        await v1.register(healthRoutes, {
          isOverloaded: () => line?.shedding ?? false,
          retryAfterSeconds: overload === false ? 0 : overload.retryAfterSeconds,
        });
        await v1.register(computationRoutes, { protocol: 1, served });
        v1.get('/openapi.json', { schema: { hide: true } }, async () => api.swagger());
      },
      { prefix: API_V1_PREFIX },
    );
    // v2: the same computations, each answer with its proof (protocol-v2.md). Health stays under v1.
    await api.register(
      async (v2) => {
        const logIndex = log && ((entry: object) => loggedIndex(log.reader.current(), entry));
        await v2.register(computationRoutes, { protocol: 2, served, ...(logIndex ? { logIndex } : {}) });
        if (log) await v2.register(logRoutes, log);
        v2.get('/openapi.json', { schema: { hide: true } }, async () => api.swagger());
      },
      { prefix: API_V2_PREFIX },
    );
    // API paths that match no route still get the API's headers.
    api.setNotFoundHandler(sendNotFoundProblem);
  };
}

function sharedStore(
  api: FastifyInstance,
  redisUrl: string,
  metrics: ServiceMetrics | undefined,
): SharedRateLimitStore {
  const shared = sharedRateLimitStore(redisUrl, api.log, {
    onUp: () => metrics?.setStoreUp(true),
    onDown: () => metrics?.setStoreUp(false),
    onError: () => metrics?.countStoreError(),
  });
  metrics?.setStoreUp(false);
  api.addHook('onClose', () => shared.close());
  return shared;
}
