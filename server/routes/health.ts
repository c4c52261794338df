/**
 * Liveness and readiness for load balancers and the web app's status line. `GET /api/v1/health` is the
 * spec's liveness probe and answers exactly `{"status":"ok"}` while the process runs, even under load;
 * `GET /api/v1/health/ready` says whether to send it work now: 503 while admission control refuses
 * evaluations. (While closing, the service answers 503 to any new request, readiness included.)
 * Neither is rate limited: a probe from behind the same address as a flooding client (a NAT, the load
 * balancer itself) must not see a healthy instance as failed. Neither is an evaluation, so neither is
 * ever refused by admission control.
 */

import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { HealthResponseSchema, ProblemSchema } from '../../shared/wire-schemas.js';
import { serviceUnavailable } from '../plugins/problem-details.js';

/** Probes answer whatever a client address did before. */
const PROBE = { rateLimit: false } as const;

export interface HealthOptions {
  /** True while the service sheds load. */
  readonly isOverloaded: () => boolean;
  readonly retryAfterSeconds: number;
}

const ReadyResponseSchema = Type.Object({ status: Type.Literal('ready') }, { additionalProperties: false });

export const healthRoutes: FastifyPluginAsync<HealthOptions> = async (
  app,
  { isOverloaded, retryAfterSeconds },
) => {
  app.get(
    '/health',
    { config: PROBE, schema: { response: { 200: HealthResponseSchema } } },
    async () => ({ status: 'ok' }) as const,
  );

  app.get(
    '/health/ready',
    { config: PROBE, schema: { response: { 200: ReadyResponseSchema, 503: ProblemSchema } } },
    async (_request, reply) =>
      isOverloaded()
        ? serviceUnavailable(reply, 'The service is shedding load.', retryAfterSeconds)
        : ({ status: 'ready' } as const),
  );
};
