/**
 * The computations this service serves, each with what it evaluates from: a public declaration's
 * matrices, or a private model loaded from its file in `MODELS_DIR` (default server/models/). A
 * private computation is served with its model file's version and commitment. A missing or bad
 * model file stops the start: nothing half-loaded is served.
 */

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMPUTATIONS } from '../shared/computations/catalog.js';
import { type Computation, declaredShape } from '../shared/computations/computation.js';
import { type DeclaredMatrix, declaredMatrix } from '../shared/declaration.js';
import { type DeclaredStatement, declaredStatement } from '../shared/proofs/answer-proof.js';
import { RISTRETTO255 } from './groups.js';
import { loadPrivateModel, type PrivateModel } from './models/private-model.js';

export interface ServedComputation {
  /** As the catalog publishes it (a private model's version and commitment from its file). */
  readonly computation: Computation;
  /** Public declarations: the weights or exponents. Private models: the secret weights. */
  readonly matrix: DeclaredMatrix;
  /** Present for a private model. */
  readonly model?: PrivateModel;
  /** What its proofs are about: the public matrices, or the model's commitment W. */
  readonly statement: DeclaredStatement;
}

const repoRoot = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? '..' : '../../..', import.meta.url));
export const DEFAULT_MODELS_DIR = join(repoRoot, 'server', 'models');

/** The model file of a private computation: `<id>.private.json`. */
export function privateModelFile(modelsDir: string, id: string): string {
  return join(modelsDir, `${id}.private.json`);
}

export function loadServedCatalog(
  modelsDir: string = DEFAULT_MODELS_DIR,
): ReadonlyMap<string, ServedComputation> {
  return new Map(COMPUTATIONS.map((computation) => [computation.id, serve(computation, modelsDir)]));
}

function serve(computation: Computation, modelsDir: string): ServedComputation {
  const { evaluation } = computation;
  if (evaluation.kind !== 'private-linear') {
    const matrix = declaredMatrix(evaluation, declaredShape(computation));
    return { computation, matrix, statement: declaredStatement(evaluation, matrix) };
  }
  const model = loadPrivateModel(privateModelFile(modelsDir, computation.id), computation, RISTRETTO255);
  const committed = { kind: 'private-linear', commitment: model.commitment } as const;
  return {
    computation: { ...computation, version: model.version, evaluation: committed },
    matrix: model.matrix,
    model,
    statement: declaredStatement(committed, undefined),
  };
}
