/** Liveness for load balancers and the web app's status line (spec: `GET /api/v1/health`). */

import type { FastifyPluginAsync } from 'fastify';
import { HealthResponseSchema } from '../../shared/wire.js';

export const healthRoutes: FastifyPluginAsync = async (app) => {
  app.get(
    '/health',
    { schema: { response: { 200: HealthResponseSchema } } },
    async () => ({ status: 'ok' }) as const,
  );
};
