/**
 * The product proof: given X = Enc(x; r), any ciphertext Y and Z = x·Y + Enc(0; t), the prover knows
 * (x, r, t). Four equations over three secrets, a linear relation:
 *   X.A = r·G,   X.B = x·G + r·K,   Z.A = x·Y.A + t·G,   Z.B = x·Y.B + t·K.
 * With Y = X, Z encrypts x² (a sum of squares); with x a stratum's bit and Y the value, Z encrypts the
 * value in its stratum's slot and 0 elsewhere. Layout: T₁ ‖ T₂ ‖ T₃ ‖ T₄ ‖ z_x ‖ z_r ‖ z_t (224 bytes).
 */

import type { Group } from '../../groups/group.js';
import type { Equation } from './batch.js';
import { type Ciphertext, ciphertextItems, type Opening } from './ciphertext.js';
import {
  type LinearStatement,
  linearEquations,
  linearProofBytes,
  linearProofFromBytes,
  linearProofToBytes,
  proveLinear,
} from './linear-proof.js';
import { mod, type ScalarSource, systemScalars } from './scalars.js';
import { challenge } from './transcript.js';

export const PRODUCT_PROOF_BYTES = linearProofBytes(4, 3);

export interface ProductStatement<E> {
  readonly x: Ciphertext<E>;
  readonly y: Ciphertext<E>;
  readonly z: Ciphertext<E>;
}

/** Z = x·Y + Enc(0; t), constant-time in x and t, and the t the proof needs. */
export function multiplyCiphertext<E>(
  group: Group<E>,
  key: E,
  x: bigint,
  y: Ciphertext<E>,
  scalars: ScalarSource = systemScalars,
): { z: Ciphertext<E>; t: bigint } {
  const t = scalars.scalar();
  return {
    z: {
      a: group.multiply(group.pow(y.a, x), group.powGenerator(t)),
      b: group.multiply(group.pow(y.b, x), group.pow(key, t)),
    },
    t,
  };
}

export function proveProduct<E>(
  group: Group<E>,
  key: E,
  statement: ProductStatement<E>,
  secrets: { readonly x: Opening; readonly t: bigint },
  context: Uint8Array,
  scalars: ScalarSource = systemScalars,
): Uint8Array {
  const proof = proveLinear(
    group,
    relation(group, key, statement),
    [mod(secrets.x.value), secrets.x.randomness, secrets.t],
    (t) => productChallenge(group, key, statement, context, t),
    scalars,
  );
  return linearProofToBytes(group, proof);
}

export function productProofEquations<E>(
  group: Group<E>,
  key: E,
  statement: ProductStatement<E>,
  proof: Uint8Array,
  context: Uint8Array,
): Equation<E>[] {
  const parsed = linearProofFromBytes(group, proof, 4, 3, 'product proof');
  const c = productChallenge(
    group,
    key,
    statement,
    context,
    parsed.commitments.map((t) => group.toBytes(t)),
  );
  return linearEquations(relation(group, key, statement), parsed, c);
}

/** Scalars: 0 = x, 1 = r, 2 = t. */
function relation<E>(group: Group<E>, key: E, { x, y, z }: ProductStatement<E>): LinearStatement<E> {
  const G = group.generator;
  return {
    terms: [
      [{ scalar: 1, base: G }],
      [
        { scalar: 0, base: G },
        { scalar: 1, base: key },
      ],
      [
        { scalar: 0, base: y.a },
        { scalar: 2, base: G },
      ],
      [
        { scalar: 0, base: y.b },
        { scalar: 2, base: key },
      ],
    ],
    images: [x.a, x.b, z.a, z.b],
  };
}

function productChallenge<E>(
  group: Group<E>,
  key: E,
  { x, y, z }: ProductStatement<E>,
  context: Uint8Array,
  commitments: readonly Uint8Array[],
): bigint {
  return challenge('product', [
    context,
    group.toBytes(key),
    ...ciphertextItems(group, x),
    ...ciphertextItems(group, y),
    ...ciphertextItems(group, z),
    ...commitments,
  ]);
}
