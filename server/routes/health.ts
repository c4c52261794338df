/**
 * Liveness and readiness for load balancers and the web app's status line. `GET /api/v1/health` is the
 * spec's liveness probe and answers exactly `{"status":"ok"}` while the process runs, even under load;
 * `GET /api/v1/health/ready` says whether to send it work now: 503 while it sheds load. (While closing,
 * Fastify itself answers 503 to any new request, readiness included.)
 */

import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { HealthResponseSchema, ProblemSchema } from '../../shared/wire.js';
import { NEVER_SHED } from '../plugins/load-shedding.js';
import { serviceUnavailable } from '../plugins/problem-details.js';

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
    { config: NEVER_SHED, schema: { response: { 200: HealthResponseSchema } } },
    async () => ({ status: 'ok' }) as const,
  );

  app.get(
    '/health/ready',
    { config: NEVER_SHED, schema: { response: { 200: ReadyResponseSchema, 503: ProblemSchema } } },
    async (_request, reply) =>
      isOverloaded()
        ? serviceUnavailable(reply, 'The service is shedding load.', retryAfterSeconds)
        : ({ status: 'ready' } as const),
  );
};
