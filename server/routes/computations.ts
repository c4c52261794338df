/**
 * The catalog and the evaluation endpoint, in either protocol version (spec: "HTTP API"; v2: the
 * entry's `evaluation` and the answer's `proof`). The service only ever sees a public key and
 * ciphertexts; the evaluators validate every element before computing on it.
 */

import type { FastifyPluginAsync } from 'fastify';
import { computationToWire, computationToWireV2 } from '../../shared/computations/catalog.js';
import { ProtocolError } from '../../shared/errors.js';
import {
  CatalogResponseSchema,
  CatalogResponseV2Schema,
  type ComputationV2Wire,
  type EvaluateRequest,
  EvaluateRequestSchema,
  EvaluateResponseSchema,
  EvaluateResponseV2Schema,
} from '../../shared/wire-schemas.js';
import { evaluateAndProve, evaluateRequest } from '../evaluation.js';
import type { ServedComputation } from '../served-catalog.js';

export interface ComputationRoutesOptions {
  readonly protocol: 1 | 2;
  readonly served: ReadonlyMap<string, ServedComputation>;
  /** v2: where each entry is in the transparency log, once logged (`log: {index}`). */
  readonly logIndex?: (entry: ComputationV2Wire) => number | undefined;
}

interface EvaluateRoute {
  Params: { id: string };
  Body: EvaluateRequest;
}

export const computationRoutes: FastifyPluginAsync<ComputationRoutesOptions> = async (
  app,
  { protocol, served, logIndex },
) => {
  const entries = [...served.values()].map(({ computation }) =>
    protocol === 1 ? computationToWire(computation) : computationToWireV2(computation),
  );
  const catalog = () => {
    if (protocol === 1 || !logIndex) return { computations: entries };
    return {
      computations: entries.map((entry) => {
        const index = logIndex(entry as ComputationV2Wire);
        return index === undefined ? entry : { ...entry, log: { index } };
      }),
    };
  };
  const evaluate = protocol === 1 ? evaluateRequest : evaluateAndProve;

  const requireComputation = (id: string): ServedComputation => {
    const computation = served.get(id);
    // The id is not echoed: a detail never repeats what the client sent.
    if (!computation) {
      throw new ProtocolError(
        'unknown-computation',
        `No such computation; GET /api/v${protocol}/computations lists them.`,
      );
    }
    return computation;
  };

  app.get(
    '/computations',
    { schema: { response: { 200: protocol === 1 ? CatalogResponseSchema : CatalogResponseV2Schema } } },
    async () => catalog(),
  );

  app.post<EvaluateRoute>(
    '/computations/:id/evaluate',
    {
      schema: {
        body: EvaluateRequestSchema,
        response: { 200: protocol === 1 ? EvaluateResponseSchema : EvaluateResponseV2Schema },
      },
      // Before the body is read: an unknown computation is a 404 whatever the body holds.
      onRequest: async (request) => {
        requireComputation(request.params.id);
      },
    },
    async (request) => evaluate(requireComputation(request.params.id), request.body),
  );
};
