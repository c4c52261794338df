/**
 * The catalog and the evaluation endpoint (spec: "HTTP API"). The service only ever sees a public key
 * and ciphertexts; `evaluateRequest` validates every element before computing on it.
 */

import type { FastifyPluginAsync } from 'fastify';
import { COMPUTATIONS, computationToWire, findComputation } from '../../shared/computations/catalog.js';
import type { Computation } from '../../shared/computations/computation.js';
import { ProtocolError } from '../../shared/errors.js';
import {
  type CatalogResponse,
  CatalogResponseSchema,
  type EvaluateRequest,
  EvaluateRequestSchema,
  type EvaluateResponse,
  EvaluateResponseSchema,
} from '../../shared/wire.js';
import { evaluateRequest } from '../evaluation.js';

interface EvaluateRoute {
  Params: { id: string };
  Body: EvaluateRequest;
  Reply: EvaluateResponse;
}

function requireComputation(id: string): Computation {
  const computation = findComputation(id);
  // The id is not echoed: a detail never repeats what the client sent.
  if (!computation) {
    throw new ProtocolError(
      'unknown-computation',
      'No such computation; GET /api/v1/computations lists them.',
    );
  }
  return computation;
}

export const computationRoutes: FastifyPluginAsync = async (app) => {
  const catalog: CatalogResponse = { computations: COMPUTATIONS.map(computationToWire) };

  app.get('/computations', { schema: { response: { 200: CatalogResponseSchema } } }, async () => catalog);

  app.post<EvaluateRoute>(
    '/computations/:id/evaluate',
    {
      schema: { body: EvaluateRequestSchema, response: { 200: EvaluateResponseSchema } },
      // Before the body is read: an unknown computation is a 404 whatever the body holds.
      onRequest: async (request) => {
        requireComputation(request.params.id);
      },
    },
    async (request) => evaluateRequest(requireComputation(request.params.id), request.body),
  );
};
