/**
 * The computations this service serves: the ones written as code (shared/computations/catalog.ts),
 * and every model file in `MODELS_DIR` (default: the built-in models in models/), each with
 * what it evaluates from: a public declaration's matrices, or a private model's secret weights and
 * its commitment. A bad model file stops the start with an error naming the file, the field and what
 * is wrong: nothing half-loaded is served.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CODE_COMPUTATIONS } from '../shared/computations/catalog.js';
import { type Computation, declaredShape } from '../shared/computations/computation.js';
import { type DeclaredMatrix, declaredMatrix } from '../shared/declaration.js';
import { ModelError } from '../shared/models/features.js';
import { type ModelDescription, parseModel } from '../shared/models/model.js';
import { deriveBounds, modelComputation } from '../shared/models/model-computation.js';
import { type DeclaredStatement, declaredStatement } from '../shared/proofs/answer-proof.js';
import { RISTRETTO255 } from './groups.js';
import { ModelFileError, type PrivateModel, parsePrivateModel } from './private-model.js';

export interface ServedComputation {
  /** As the catalog publishes it (a private model's version and commitment from its file). */
  readonly computation: Computation;
  /** Public declarations: the weights or exponents. Private models: the secret weights. */
  readonly matrix: DeclaredMatrix;
  /** Present for a private model. */
  readonly model?: PrivateModel;
  /** What its proofs are about: the public matrices, or the model's commitment W. */
  readonly statement: DeclaredStatement;
  /** The model file it was loaded from, if any. */
  readonly file?: string;
}

const repoRoot = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? '..' : '../../..', import.meta.url));
export const DEFAULT_MODELS_DIR = join(repoRoot, 'models');

const PUBLIC_SUFFIX = '.model.json';
const PRIVATE_SUFFIX = '.private.json';

/** A model's public file: `<id>.model.json`. */
export function publicModelFile(modelsDir: string, id: string): string {
  return join(modelsDir, `${id}${PUBLIC_SUFFIX}`);
}

/** A private model's secret file: `<id>.private.json`. */
export function privateModelFile(modelsDir: string, id: string): string {
  return join(modelsDir, `${id}${PRIVATE_SUFFIX}`);
}

export function loadServedCatalog(
  modelsDir: string = DEFAULT_MODELS_DIR,
): ReadonlyMap<string, ServedComputation> {
  const served = new Map<string, ServedComputation>();
  for (const computation of CODE_COMPUTATIONS) served.set(computation.id, serveCode(computation));
  for (const model of loadModelFiles(modelsDir)) {
    const earlier = served.get(model.computation.id);
    if (earlier) {
      const other = earlier.file ?? 'a computation built into the service';
      throw new ModelFileError(
        model.file ?? modelsDir,
        'id',
        `${model.computation.id} is already served by ${other}`,
      );
    }
    served.set(model.computation.id, model);
  }
  return served;
}

function serveCode(computation: Computation): ServedComputation {
  const { evaluation } = computation;
  if (evaluation.kind === 'private-linear') {
    throw new TypeError(`${computation.id}: a private model is a model file, not code.`);
  }
  const matrix = declaredMatrix(evaluation, declaredShape(computation));
  return { computation, matrix, statement: declaredStatement(evaluation, matrix) };
}

/** Reads a JSON file; a file that is not JSON is a `ModelFileError`. */
function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ModelFileError(file, '(file)', `cannot be read as JSON (${(error as Error).message})`);
  }
}

/** What a model file holds, checked: its description, and a private model's secret part. */
export function readModelFile(file: string): { description: ModelDescription; privateModel?: PrivateModel } {
  const fail = (at: string, error: unknown): never => {
    if (error instanceof ModelError) throw new ModelFileError(at, error.field, error.why);
    throw error;
  };
  let description: ModelDescription;
  try {
    description = parseModel(readJson(file));
  } catch (error) {
    return fail(file, error);
  }
  const expected = `${description.id}${PUBLIC_SUFFIX}`;
  if (!file.endsWith(`/${expected}`) && file !== expected)
    throw new ModelFileError(file, 'id', `is ${description.id}: the file must be named ${expected}`);
  const secret = file.slice(0, -PUBLIC_SUFFIX.length) + PRIVATE_SUFFIX;
  if (!description.private) {
    if (existsQuietly(secret))
      throw new ModelFileError(
        secret,
        '(file)',
        'the model is public (private: false): delete its private file, or make it private',
      );
    return { description };
  }
  if (!existsQuietly(secret))
    throw new ModelFileError(secret, '(file)', 'is missing: a private model needs its weights and ρ here');
  try {
    return { description, privateModel: parsePrivateModel(readJson(secret), description, RISTRETTO255) };
  } catch (error) {
    return fail(secret, error);
  }
}

function existsQuietly(file: string): boolean {
  try {
    readFileSync(file);
    return true;
  } catch {
    return false;
  }
}

/** Every model file of a directory, in name order; anything else ending in .json is refused. */
function loadModelFiles(modelsDir: string): ServedComputation[] {
  const names = readdirSync(modelsDir).sort();
  for (const name of names) {
    if (name.endsWith(PRIVATE_SUFFIX)) {
      const publicName = name.slice(0, -PRIVATE_SUFFIX.length) + PUBLIC_SUFFIX;
      if (!names.includes(publicName))
        throw new ModelFileError(
          join(modelsDir, name),
          '(file)',
          `has no public file ${publicName} beside it`,
        );
    } else if (name.endsWith('.json') && !name.endsWith(PUBLIC_SUFFIX)) {
      throw new ModelFileError(
        join(modelsDir, name),
        '(file)',
        'is not a model file name (<id>.model.json or <id>.private.json)',
      );
    }
  }
  return names.filter((n) => n.endsWith(PUBLIC_SUFFIX)).map((name) => serveModel(join(modelsDir, name)));
}

function serveModel(file: string): ServedComputation {
  const { description, privateModel } = readModelFile(file);
  const where = privateModel ? file.slice(0, -PUBLIC_SUFFIX.length) + PRIVATE_SUFFIX : file;
  const coefficients = privateModel?.coefficients ?? description.coefficients;
  if (!coefficients) throw new ModelFileError(file, 'weights', 'are missing');
  let computation: Computation;
  try {
    const published = { ...description, derived: deriveBounds(description, coefficients) };
    computation = modelComputation(
      published,
      privateModel ? { kind: 'private-linear', commitment: privateModel.commitment } : undefined,
    );
  } catch (error) {
    if (error instanceof ModelError) throw new ModelFileError(where, error.field, error.why);
    throw error;
  }
  if (privateModel) {
    return {
      computation,
      matrix: privateModel.matrix,
      model: privateModel,
      statement: declaredStatement(computation.evaluation, undefined),
      file,
    };
  }
  const { evaluation } = computation;
  const matrix =
    evaluation.kind === 'private-linear' ? undefined : declaredMatrix(evaluation, declaredShape(computation));
  if (!matrix) throw new ModelFileError(file, 'private', 'a public model is declared public-linear');
  return { computation, matrix, statement: declaredStatement(evaluation, matrix), file };
}
