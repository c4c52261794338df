/**
 * The proof on one answer (spec v2: "Proofs"): the statement of its declaration, bound to the
 * request's own public key and ciphertexts and to the outputs, proved by the service and verified
 * by the patient's client before anything is decrypted.
 */

import type { Declaration, DeclaredMatrix, DeclaredShape } from '../declaration.js';
import type { Ciphertext } from '../elgamal.js';
import type { Group } from '../groups/group.js';
import type { PlaintextScheme } from '../scheme.js';
import { base64UrlToBytes } from '../wire.js';
import { concatBytes, u32be } from './bytes.js';
import { blindingGenerator, commitmentGenerators } from './generators.js';
import type { MultiScalarMultiply, RelationTerms } from './linear-relation.js';
import { proofScalars } from './proof-scalars.js';
import {
  committedVectorLength,
  privateLinearNegatedImages,
  privateLinearTerms,
  rerandomizationNegatedImages,
  rerandomizationTerms,
} from './relations.js';
import { scalarToBytes } from './scalar.js';
import { type ProofBytes, prove, type Respond, verify } from './sigma.js';
import type { ProofHeader } from './transcript.js';

/** One answer: the request it answers and the outputs, all in catalog order. */
export interface Answer<E> {
  readonly scheme: PlaintextScheme<E>;
  readonly id: string;
  readonly version: number;
  readonly shape: DeclaredShape;
  readonly publicKey: E;
  readonly inputs: readonly Ciphertext<E>[];
  readonly outputs: readonly Ciphertext<E>[];
}

/** What the declaration is in the statement: public matrices in full, a private model by W. */
export type DeclaredStatement =
  | { readonly kind: 'public-linear' | 'public-monomial'; readonly matrix: DeclaredMatrix }
  | { readonly kind: 'private-linear'; readonly commitment: Uint8Array };

export function declaredStatement(
  declaration: Declaration,
  matrix: DeclaredMatrix | undefined,
): DeclaredStatement {
  if (declaration.kind === 'private-linear') {
    return { kind: 'private-linear', commitment: base64UrlToBytes(declaration.commitment, 'commitment') };
  }
  if (!matrix) throw new RangeError('A public declaration needs its matrix.');
  return { kind: declaration.kind, matrix };
}

/** A statement's bytes, once per statement object (the service keeps one per computation). */
const statementBytesCache = new WeakMap<DeclaredStatement, Uint8Array>();

function statementBytes<E>(scheme: PlaintextScheme<E>, statement: DeclaredStatement): Uint8Array {
  let bytes = statementBytesCache.get(statement);
  if (!bytes) {
    bytes = encodeStatement(scheme, statement);
    statementBytesCache.set(statement, bytes);
  }
  return bytes;
}

function encodeStatement<E>(scheme: PlaintextScheme<E>, statement: DeclaredStatement): Uint8Array {
  switch (statement.kind) {
    case 'private-linear':
      return statement.commitment;
    case 'public-linear':
      return concatBytes(
        statement.matrix.coefficients.flatMap((row, j) => [
          ...row.map(scalarToBytes),
          scalarToBytes(statement.matrix.constants[j] as bigint),
        ]),
      );
    case 'public-monomial':
      return concatBytes(
        statement.matrix.coefficients.flatMap((row, j) => [
          ...row.map((e) => u32be(Number(e))),
          scheme.group.toBytes(scheme.encode(statement.matrix.constants[j] as bigint)),
        ]),
      );
  }
}

function header<E>(answer: Answer<E>, statement: DeclaredStatement): ProofHeader {
  const { group } = answer.scheme;
  const named = (names: readonly string[], list: readonly Ciphertext<E>[]) =>
    list.map((c, i) => ({ name: names[i] as string, a: group.toBytes(c.a), b: group.toBytes(c.b) }));
  return {
    kind: statement.kind,
    id: answer.id,
    version: answer.version,
    group: group.name,
    statement: statementBytes(answer.scheme, statement),
    publicKey: group.toBytes(answer.publicKey),
    inputs: named(answer.shape.inputs, answer.inputs),
    outputs: named(answer.shape.outputs, answer.outputs),
  };
}

const decodedGenerators = new WeakMap<object, { generators: unknown[]; blinding: unknown }>();

/** Gₖ (k < count) and H derived and decoded ahead, for a verifier that wants them ready. */
export function prepareGenerators<E>(group: Group<E>, count: number): void {
  generatorsIn(group, count);
}

/** Gₖ and H as elements of this backend, decoded once per group. */
function generatorsIn<E>(group: Group<E>, count: number): { generators: E[]; blinding: E } {
  let cached = decodedGenerators.get(group) as { generators: E[]; blinding: E } | undefined;
  if (!cached || cached.generators.length < count) {
    cached = {
      generators: commitmentGenerators(count).map((bytes) => group.fromBytes(bytes)),
      blinding: group.fromBytes(blindingGenerator()),
    };
    decodedGenerators.set(group, cached);
  }
  return cached;
}

function relationTerms<E>(answer: Answer<E>, statement: DeclaredStatement): RelationTerms<E> {
  const { group } = answer.scheme;
  const m = answer.outputs.length;
  if (statement.kind !== 'private-linear') return rerandomizationTerms(group, answer.publicKey, m);
  const { generators, blinding } = generatorsIn(group, committedVectorLength(answer.inputs.length, m));
  return privateLinearTerms(group, answer.publicKey, answer.inputs, m, generators, blinding);
}

/** How many responses a proof of this statement has: m, or K + 1 + m for a private model. */
export function responseCount(statement: DeclaredStatement, inputs: number, outputs: number): number {
  return statement.kind === 'private-linear' ? committedVectorLength(inputs, outputs) + 1 + outputs : outputs;
}

/**
 * The service's proof. `witness`: (s₁ … sₘ) for a public declaration; (v, ρ, s₁ … sₘ) for a private
 * model, v its weights output by output then its constants.
 */
export function proveAnswer<E>(
  answer: Answer<E>,
  statement: DeclaredStatement,
  witness: readonly bigint[],
  respond: Respond,
  nonces?: readonly bigint[],
): ProofBytes {
  const { group } = answer.scheme;
  return prove(
    group,
    proofScalars(group.name),
    header(answer, statement),
    relationTerms(answer, statement),
    witness,
    respond,
    nonces,
  );
}

/**
 * The client's check. `declared`: Dⱼ, recomputed by the client from a public declaration
 * (`evaluation.ts`); unused for a private model, whose statement is its commitment.
 */
export function verifyAnswer<E>(
  answer: Answer<E>,
  statement: DeclaredStatement,
  declared: readonly Ciphertext<E>[] | undefined,
  proof: ProofBytes,
  msm: MultiScalarMultiply<E>,
): boolean {
  const { group } = answer.scheme;
  let images: E[];
  if (statement.kind === 'private-linear') {
    let commitment: E;
    try {
      commitment = group.fromBytes(statement.commitment);
    } catch {
      return false;
    }
    images = privateLinearNegatedImages(group, commitment, answer.outputs);
  } else {
    if (!declared || declared.length !== answer.outputs.length) return false;
    images = rerandomizationNegatedImages(group, answer.outputs, declared);
  }
  const count = responseCount(statement, answer.inputs.length, answer.outputs.length);
  return verify(
    group,
    proofScalars(group.name),
    header(answer, statement),
    relationTerms(answer, statement),
    images,
    count,
    proof,
    msm,
  );
}
