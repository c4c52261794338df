/**
 * A private model file: the secret weights of a `private-linear` computation and the commitment's ρ,
 * which live together and only here (never in the catalog, an answer or the web bundle). Both are
 * fixed in the file, never drawn at start-up, so every worker and every restart publishes the same
 * commitment W; a new ρ is a new model version (`npm run model -- new-version FILE`).
 *
 * { "id": "framingham-2008", "version": 1,
 *   "outputs": { "<output>": { "weights": { "<input>": w, … }, "constant": t } },
 *   "rho": "<32-byte scalar, little-endian hex>" }
 */

import { readFileSync } from 'node:fs';
import { hexToBytes } from '@noble/curves/utils.js';
import { type Computation, declaredShape } from '../../shared/computations/computation.js';
import {
  DeclarationError,
  type DeclaredMatrix,
  declaredMatrix,
  parseDeclaration,
} from '../../shared/declaration.js';
import type { Group } from '../../shared/groups/group.js';
import { commitToModel } from '../../shared/proofs/commitment.js';
import { scalarFromBytes } from '../../shared/proofs/scalar.js';
import { isRecord } from '../../shared/records.js';
import { bytesToBase64Url } from '../../shared/wire.js';

export interface PrivateModel {
  readonly id: string;
  readonly version: number;
  /** Secret: weights (row per output, catalog order) and constants. */
  readonly matrix: DeclaredMatrix;
  /** Secret: the commitment's blinding scalar. */
  readonly rho: bigint;
  /** W in unpadded base64url, as the catalog publishes it. */
  readonly commitment: string;
}

/** A model file that cannot be served; the message names the file, the field and what is wrong. */
export class ModelFileError extends Error {
  override readonly name = 'ModelFileError';
  constructor(file: string, field: string, why: string) {
    super(`${file}: ${field}: ${why}`);
  }
}

/** Reads and checks a private model file against the computation it is for. */
export function loadPrivateModel<E>(file: string, computation: Computation, group: Group<E>): PrivateModel {
  const fail = (field: string, why: string) => new ModelFileError(file, field, why);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw fail('(file)', `cannot be read as JSON (${(error as Error).message})`);
  }
  if (!isRecord(value)) throw fail('(file)', 'is not a JSON object');
  const extra = Object.keys(value).filter((k) => !['id', 'version', 'outputs', 'rho'].includes(k));
  if (extra.length > 0) throw fail(extra.join(', '), 'unknown field');
  if (value.id !== computation.id) throw fail('id', `must be ${computation.id}`);
  const { version } = value;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1 || version >= 2 ** 32) {
    throw fail('version', 'must be an integer in [1, 2³²)');
  }
  const shape = declaredShape(computation);
  let matrix: DeclaredMatrix;
  try {
    const declaration = parseDeclaration({ kind: 'public-linear', outputs: value.outputs }, shape);
    if (declaration.kind !== 'public-linear') throw new DeclarationError('not linear');
    matrix = declaredMatrix(declaration, shape);
  } catch (error) {
    throw fail('outputs', (error as Error).message.replace(/^public-linear declaration: /, ''));
  }
  const rho =
    typeof value.rho === 'string' && /^[0-9a-f]{64}$/.test(value.rho)
      ? scalarFromBytes(hexToBytes(value.rho))
      : undefined;
  if (rho === undefined || rho === 0n)
    throw fail('rho', 'must be 64 lowercase hex digits of a nonzero scalar < ℓ');
  const w = commitToModel(group, [...matrix.coefficients.flat(), ...matrix.constants], rho);
  return { id: computation.id, version, matrix, rho, commitment: bytesToBase64Url(group.toBytes(w)) };
}
