/**
 * Overload protection: evaluation is CPU-bound on the one event loop, so when requests arrive faster
 * than it can compute, every request would wait behind all the others and the queue would grow without
 * bound. Instead, while the event loop lags, new API requests get an immediate 503 problem with
 * Retry-After (@fastify/under-pressure samples the lag), which costs next to nothing to send.
 */

import underPressure from '@fastify/under-pressure';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { serviceUnavailable } from './problem-details.js';

export interface LoadSheddingOptions {
  /** Mean event-loop delay over one sample interval above which requests are shed. */
  readonly maxEventLoopDelayMs: number;
  /** How often the delay is sampled: a shorter interval sheds (and recovers) sooner. */
  readonly sampleIntervalMs: number;
  /** Sent as Retry-After on every shed request. */
  readonly retryAfterSeconds: number;
}

/** Mark a route with this config to keep it answering under load (liveness must not flap). */
export const NEVER_SHED = { pressureHandler: () => undefined } as const;

const loadSheddingPlugin: FastifyPluginAsync<LoadSheddingOptions> = async (
  app,
  { maxEventLoopDelayMs, sampleIntervalMs, retryAfterSeconds },
) => {
  await app.register(underPressure, {
    maxEventLoopDelay: maxEventLoopDelayMs,
    sampleInterval: sampleIntervalMs,
    retryAfter: retryAfterSeconds,
    // Without a send here the request would be handled normally.
    pressureHandler: (_request, reply) => {
      const detail = `The service is busy; try again in ${retryAfterSeconds} s.`;
      reply.send(serviceUnavailable(reply, detail, retryAfterSeconds));
    },
  });
};

/** Not encapsulated: it sheds the requests of the scope that registers it (the API). */
export const loadShedding = fp(loadSheddingPlugin, { name: 'sealed-vitals-load-shedding' });
