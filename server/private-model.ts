/**
 * A private model file, `<id>.private.json`: the secret coefficients of a private model and the
 * commitment's ρ, which live together and only here (never in the catalog, an answer or the web
 * bundle). Both are fixed in the file, never drawn at start-up, so every worker and every restart
 * publishes the same commitment W; a new ρ is a new model version (`npm run model -- new-version FILE`).
 *
 * { "id": "framingham-2008", "version": 1,
 *   "weights": { "<feature>": β, … } or { "<stratum>": { "<feature>": β, … }, … },
 *   "intercept": t or { "<stratum>": t, … },
 *   "rho": "<32-byte scalar, little-endian hex>" }
 */

import { hexToBytes } from '@noble/curves/utils.js';
import type { DeclaredMatrix } from '../shared/declaration.js';
import type { Group } from '../shared/groups/group.js';
import { ModelError } from '../shared/models/features.js';
import { type ModelCoefficients, type ModelDescription, parseCoefficients } from '../shared/models/model.js';
import { modelMatrix } from '../shared/models/model-computation.js';
import { commitToModel } from '../shared/proofs/commitment.js';
import { scalarFromBytes } from '../shared/proofs/scalar.js';
import { isRecord } from '../shared/records.js';
import { bytesToBase64Url } from '../shared/wire.js';

export interface PrivateModel {
  readonly id: string;
  readonly version: number;
  /** Secret: the coefficients as the file gives them. */
  readonly coefficients: ModelCoefficients;
  /** Secret: the weights (row per output, catalog order) and constants, as integers. */
  readonly matrix: DeclaredMatrix;
  /** Secret: the commitment's blinding scalar. */
  readonly rho: bigint;
  /** W in unpadded base64url, as the catalog publishes it. */
  readonly commitment: string;
}

/** A model file that cannot be served; the message names the file, the field and what is wrong. */
export class ModelFileError extends Error {
  override readonly name = 'ModelFileError';
  constructor(
    readonly file: string,
    readonly field: string,
    readonly why: string,
  ) {
    super(`${file}: ${field}: ${why}`);
  }
}

const PRIVATE_KEYS = ['id', 'version', 'weights', 'intercept', 'rho'];

/** Checks a parsed private file against its model's public description; throws `ModelError`. */
export function parsePrivateModel<E>(value: unknown, model: ModelDescription, group: Group<E>): PrivateModel {
  if (!isRecord(value)) throw new ModelError('(file)', 'is not a JSON object');
  const extra = Object.keys(value).filter((k) => !PRIVATE_KEYS.includes(k));
  if (extra.length > 0) throw new ModelError(extra[0] as string, 'unknown field');
  if (value.id !== model.id) throw new ModelError('id', `must be ${model.id}, as in the public file`);
  if (value.version !== model.version)
    throw new ModelError(
      'version',
      `must be ${model.version}, as in the public file (ρ belongs to one version)`,
    );
  const coefficients = parseCoefficients(value, model, '');
  if (!Object.hasOwn(value, 'rho'))
    throw new ModelError('rho', 'is missing: run `npm run model -- new-version FILE` to draw it');
  const rho =
    typeof value.rho === 'string' && /^[0-9a-f]{64}$/.test(value.rho)
      ? scalarFromBytes(hexToBytes(value.rho))
      : undefined;
  if (rho === undefined || rho === 0n)
    throw new ModelError('rho', 'must be 64 lowercase hex digits of a nonzero scalar < ℓ');
  const matrix = modelMatrix(model, coefficients);
  const w = commitToModel(group, [...matrix.coefficients.flat(), ...matrix.constants], rho);
  return {
    id: model.id,
    version: model.version,
    coefficients,
    matrix,
    rho,
    commitment: bytesToBase64Url(group.toBytes(w)),
  };
}
