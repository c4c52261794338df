/**
 * Counts every answered request into `ServiceMetrics`: by route pattern, method and status, with its
 * latency, and for evaluation routes also by computation and outcome. Serving the figures is not done
 * here but on a port of their own (`serveMetrics` in server/metrics.ts).
 */

import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { type EvaluationOutcome, type ServiceMetrics, UNMATCHED_ROUTE } from '../metrics.js';
import { isEvaluationRoute } from './admission.js';

export interface MetricsPluginOptions {
  readonly metrics: ServiceMetrics;
}

function outcomeOf(status: number): EvaluationOutcome {
  if (status < 400) return 'evaluated';
  if (status === 429) return 'rate-limited';
  if (status === 503) return 'unavailable';
  return status < 500 ? 'refused' : 'failed';
}

const metricsPlugin: FastifyPluginAsync<MetricsPluginOptions> = async (app, { metrics }) => {
  app.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    const { method, url } = request.routeOptions;
    // Fastify's not-found handler has no route pattern; every such path gets the one label.
    const route = url ?? UNMATCHED_ROUTE;
    metrics.observeRequest(route, request.method, reply.statusCode, reply.elapsedTime / 1000);
    if (url !== undefined && isEvaluationRoute({ method, url })) {
      const { id } = request.params as { id?: string };
      metrics.observeEvaluation(id, outcomeOf(reply.statusCode));
    }
  });
};

/** Not encapsulated: it counts every request of the application. */
export const requestMetrics = fp(metricsPlugin, { name: 'sealed-vitals-metrics' });
