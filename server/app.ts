/**
 * The health service as a configured Fastify instance: the API under /api/v1 (CORS, rate limit,
 * strict schemas), one problem+json error handler, and in production the built web app.
 * `main.ts` only reads the environment and listens; tests use `app.inject`.
 */

import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import Fastify, {
  type FastifyInstance,
  type FastifyPluginAsync,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { API_BASE_PATH } from '../shared/api.js';
import { ProtocolError } from '../shared/errors.js';
import { sendErrorAsProblem, sendNotFoundProblem } from './plugins/problem-details.js';
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
}

/** A bmi request is about 2.6 kB and a cha2ds2-vasc one about 1 kB: room for far larger computations. */
const DEFAULT_BODY_LIMIT = 64 * 1024;
const DEFAULT_RATE_LIMIT = { max: 600, timeWindowMs: 60_000 };

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
  const app = Fastify({
    logger: loggerOptions(options.logger ?? true),
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    trustProxy: options.trustProxy ?? false,
    // Refuse rather than repair: extra fields are errors, not silently stripped; a number is never
    // turned into the string a schema wants; no defaults are invented.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false } },
    frameworkErrors: sendErrorAsProblem,
  });
  // The API speaks JSON only; without this a text/plain body would reach validation.
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler(sendErrorAsProblem);

  await app.register(
    apiV1({ corsOrigins: options.corsOrigins ?? [], rateLimit: options.rateLimit ?? DEFAULT_RATE_LIMIT }),
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
}

/** The API's own scope, so CORS and the rate limit apply to its routes and not to the web app. */
function apiV1({ corsOrigins, rateLimit: limit }: ApiOptions): FastifyPluginAsync {
  return async (api) => {
    if (corsOrigins.length > 0) {
      await api.register(cors, {
        origin: [...corsOrigins],
        methods: ['GET', 'POST'],
        allowedHeaders: ['Content-Type'],
        // Lets a cross-origin web app read how long to wait after a 429.
        exposedHeaders: ['Retry-After'],
        maxAge: 600,
      });
    }
    if (limit !== false) {
      await api.register(rateLimit, {
        max: limit.max,
        timeWindow: limit.timeWindowMs,
        errorResponseBuilder: (_request, context) =>
          new ProtocolError('rate-limited', `Too many requests; try again in ${context.after}.`),
      });
    }
    await api.register(healthRoutes);
    await api.register(computationRoutes);
  };
}
