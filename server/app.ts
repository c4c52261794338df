/**
 * The health service as a configured Fastify instance: the API under /api/v1 (security headers, CORS,
 * load shedding, rate limit, strict schemas, its OpenAPI document), one problem+json error handler,
 * request ids, timeouts, and in production the built web app.
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
import { API_BASE_PATH } from '../shared/api.js';
import { ProtocolError } from '../shared/errors.js';
import { type LoadSheddingOptions, loadShedding } from './plugins/load-shedding.js';
import {
  sendErrorAsProblem,
  sendNotFoundProblem,
  serviceUnavailable,
  writeClientErrorAsProblem,
} from './plugins/problem-details.js';
import { spa } from './plugins/spa.js';
import { computationRoutes } from './routes/computations.js';
import { healthRoutes } from './routes/health.js';

export interface AppOptions {
  /** Origins allowed to call the API from another site (exact `scheme://host[:port]`); none by default. */
  corsOrigins?: readonly string[];
  /** Fastify's logger: `true` (default), `false`, or pino options. Request bodies are never logged. */
  logger?: boolean | object;
  /** The built web app to serve at `/`; API only when absent. */
  staticDir?: string;
  /** Largest accepted request body in bytes (default 64 KiB). */
  bodyLimit?: number;
  /** Requests per client address per window on the API (default 600 per minute); `false` turns it off. */
  rateLimit?: { max: number; timeWindowMs: number } | false;
  /** Take the client address from X-Forwarded-For: only behind a reverse proxy that sets it. */
  trustProxy?: boolean;
  /**
   * Longest a client may take to send a whole request, headers and body, in ms (default 10 s): a
   * slow-drip body cannot hold a connection open for long. Node checks it once a second.
   */
  requestTimeoutMs?: number;
  /** Shed API requests with 503 while the event loop lags (default: above 1 s); `false` turns it off. */
  overload?: LoadSheddingOptions | false;
}

/** A bmi request is about 2.6 kB and a cha2ds2-vasc one about 1 kB: room for far larger computations. */
const DEFAULT_BODY_LIMIT = 64 * 1024;
const DEFAULT_RATE_LIMIT = { max: 600, timeWindowMs: 60_000 };
/** A full readings-summary request is about 11 kB: even a slow mobile link sends it in well under 10 s. */
const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
/** Retry-After for a request turned away while closing: a restarted or sibling worker takes it. */
const CLOSING_RETRY_AFTER_S = 1;
/**
 * The heaviest evaluation (readings summary, 93 inputs) holds the event loop for tens of ms: a mean lag
 * above 1 s means many requests are queued behind each other, so shed until it drains. The interval is
 * no shorter than the threshold because under-pressure counts an interval without a single lag sample
 * (one block longer than the interval) as infinite lag: a shorter one would shed after any such block.
 */
const DEFAULT_OVERLOAD: LoadSheddingOptions = {
  maxEventLoopDelayMs: 1_000,
  sampleIntervalMs: 1_000,
  retryAfterSeconds: 2,
};
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

  await app.register(
    apiV1({
      corsOrigins: options.corsOrigins ?? [],
      rateLimit: options.rateLimit ?? DEFAULT_RATE_LIMIT,
      overload: options.overload ?? DEFAULT_OVERLOAD,
    }),
    { prefix: API_BASE_PATH },
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
}

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
 * The API's own scope, so its headers, CORS, load shedding and the rate limit apply to its routes and
 * not to the web app.
 */
function apiV1({ corsOrigins, rateLimit: limit, overload }: ApiOptions): FastifyPluginAsync {
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
    // Shed before the rate limit, parsing and routes run: a shed request must cost next to nothing.
    if (overload !== false) await api.register(loadShedding, overload);
    if (limit !== false) {
      await api.register(rateLimit, {
        max: limit.max,
        timeWindow: limit.timeWindowMs,
        errorResponseBuilder: (_request, context) =>
          new ProtocolError('rate-limited', `Too many requests; try again in ${context.after}.`),
      });
    }
    await api.register(healthRoutes, {
      isOverloaded: () => overload !== false && api.isUnderPressure(),
      retryAfterSeconds: overload === false ? 0 : overload.retryAfterSeconds,
    });
    await api.register(computationRoutes);
    api.get('/openapi.json', { schema: { hide: true } }, async () => api.swagger());
    // API paths that match no route still get the API's headers.
    api.setNotFoundHandler(sendNotFoundProblem);
  };
}
