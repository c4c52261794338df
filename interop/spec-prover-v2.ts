/**
 * The service's side of protocol v2, for tests only: given the secrets and nonces a test vector
 * publishes, it reproduces the answer (outputs and proof) byte for byte, from protocol-v2.md alone.
 * A real prover draws every nonce fresh from a CSPRNG and multiplies secrets in constant time; this
 * one takes them as arguments and computes with plain BigInt.
 */
import type { ristretto255 } from '@noble/curves/ed25519.js';
import {
  type CiphertextJson,
  type EvaluateRequestJson,
  elementToWire,
  ffdhe3072Group,
  ristretto255Group,
  type SpecGroup,
  toBase64Url,
} from './spec-client.js';
import {
  type ComputationShape,
  challengeOf,
  commitmentTerms,
  type Declaration,
  decodeRequest,
  type ElementPair,
  type EvaluateResponseV2Json,
  evaluateTerms,
  ffdheProofTask,
  type Instance,
  type Proof,
  type ProofTask,
  type PublicOutputFunction,
  publicDeterministicPart,
  ristrettoProofTask,
} from './spec-client-v2.js';

type RistrettoPoint = InstanceType<typeof ristretto255.Point>;

/** Commitments T = Σ k·base, challenge e, responses z = k + e·w (mod `modulus`, or over the integers). */
export function proveRelation<E>(
  task: ProofTask<E>,
  witness: readonly bigint[],
  nonces: readonly bigint[],
  modulus: bigint | undefined,
): Proof {
  const { suite, relation } = task;
  if (witness.length !== relation.witnessCount || nonces.length !== relation.witnessCount) {
    throw new Error(`the relation takes ${relation.witnessCount} secrets and as many nonces`);
  }
  const commitments = relation.equations.map((equation) =>
    evaluateTerms(suite.group, equation.terms, [...nonces]),
  );
  const challenge = challengeOf(suite, task.transcriptPrefix, commitments);
  const responses = witness.map((secret, index) => {
    const response = (nonces[index] ?? 0n) + challenge * secret;
    return modulus === undefined ? response : ((response % modulus) + modulus) % modulus;
  });
  return { challenge, responses };
}

function toWire<E>(
  group: SpecGroup<E>,
  task: ProofTask<E>,
  entry: ComputationShape,
  outputs: readonly ElementPair<E>[],
  proof: Proof,
): EvaluateResponseV2Json {
  const wireOutputs: Record<string, CiphertextJson> = {};
  entry.outputs.forEach(({ name }, j) => {
    const output = outputs[j];
    if (output === undefined) throw new Error(`no output ${name}`);
    wireOutputs[name] = { a: elementToWire(group, output.a), b: elementToWire(group, output.b) };
  });
  return {
    computation: entry.id,
    version: entry.version,
    outputs: wireOutputs,
    proof: {
      challenge: toBase64Url(task.suite.encodeChallenge(proof.challenge)),
      responses: proof.responses.map((response) => toBase64Url(task.suite.encodeResponse(response))),
    },
  };
}

export interface PublicAnswerSecrets {
  /** sⱼ, one per output in catalog order. */
  readonly rerandomizers: readonly bigint[];
  /** kⱼ, one per output. */
  readonly nonces: readonly bigint[];
  /** zⱼ over the integers (ffdhe with short sⱼ, spec "public-monomial"); else reduced mod the group order. */
  readonly responsesOverIntegers?: boolean;
}

/** Dⱼ + sⱼ·(G, Y) for each output function (weights or exponents and constant). */
function evaluateOutputs<E>(
  group: SpecGroup<E>,
  functions: readonly PublicOutputFunction[],
  request: Pick<Instance<E>, 'publicKey' | 'inputs'>,
  rerandomizers: readonly bigint[],
): ElementPair<E>[] {
  if (rerandomizers.length !== functions.length) throw new Error('one re-randomizer per output');
  return functions.map((output, j) => {
    const s = rerandomizers[j] ?? 0n;
    const deterministic = publicDeterministicPart(group, output, request.inputs);
    return {
      a: group.multiply(deterministic.a, group.power(group.generator, s)),
      b: group.multiply(deterministic.b, group.power(request.publicKey, s)),
    };
  });
}

function answerPublicIn<E>(
  group: SpecGroup<E>,
  buildTask: (entry: ComputationShape, declaration: Declaration, instance: Instance<E>) => ProofTask<E>,
  entry: ComputationShape,
  declaration: Declaration & { kind: 'public-linear' | 'public-monomial' },
  request: EvaluateRequestJson,
  secrets: PublicAnswerSecrets,
): EvaluateResponseV2Json {
  const decoded = decodeRequest(group, entry, request);
  const outputs = evaluateOutputs(group, declaration.outputs, decoded, secrets.rerandomizers);
  const task = buildTask(entry, declaration, { ...decoded, outputs });
  const modulus = secrets.responsesOverIntegers === true ? undefined : group.order;
  const proof = proveRelation(task, secrets.rerandomizers, secrets.nonces, modulus);
  return toWire(group, task, entry, outputs, proof);
}

/** The service's answer for a public-linear or public-monomial declaration. */
export function answerPublic(
  entry: ComputationShape,
  declaration: Declaration,
  request: EvaluateRequestJson,
  secrets: PublicAnswerSecrets,
): EvaluateResponseV2Json {
  switch (declaration.kind) {
    case 'public-linear':
      return answerPublicIn(ristretto255Group, ristrettoProofTask, entry, declaration, request, secrets);
    case 'public-monomial':
      return answerPublicIn(ffdhe3072Group, ffdheProofTask, entry, declaration, request, secrets);
    case 'private-linear':
      throw new Error('a private model needs answerPrivate');
  }
}

/** A private linear model: weights[j][i] for output j and input i (catalog order), constants tⱼ, ρ. */
export interface PrivateModel {
  readonly weights: readonly (readonly bigint[])[];
  readonly constants: readonly bigint[];
  readonly blinding: bigint;
}

/** v = (w₁₁ … w₁ₙ, w₂₁ … wₘₙ, t₁ … tₘ). */
export function modelVector(model: PrivateModel): bigint[] {
  return [...model.weights.flat(), ...model.constants];
}

/** W = Σₖ vₖ·Gₖ + ρ·H. */
export function commitToModel(model: PrivateModel): RistrettoPoint {
  const vector = modelVector(model);
  return evaluateTerms(ristretto255Group, commitmentTerms(vector.length), [...vector, model.blinding]);
}

export interface PrivateAnswerSecrets {
  readonly model: PrivateModel;
  readonly rerandomizers: readonly bigint[];
  readonly nonces: {
    readonly model: readonly bigint[];
    readonly blinding: bigint;
    readonly rerandomizers: readonly bigint[];
  };
}

/** The service's answer for a private-linear declaration: (Σᵢ wⱼᵢ·aᵢ + sⱼ·G, Σᵢ wⱼᵢ·bᵢ + tⱼ·G + sⱼ·Y). */
export function answerPrivate(
  entry: ComputationShape,
  declaration: Declaration,
  request: EvaluateRequestJson,
  secrets: PrivateAnswerSecrets,
): EvaluateResponseV2Json {
  if (declaration.kind !== 'private-linear') throw new Error('answerPrivate is for a private model');
  const group = ristretto255Group;
  if (!commitToModel(secrets.model).equals(declaration.commitment)) {
    throw new Error('the model does not open the declared commitment');
  }
  const { weights, constants } = secrets.model;
  const functions = weights.map((factors, j) => ({ factors, constant: constants[j] ?? 0n }));
  if (constants.length !== weights.length) throw new Error('one constant per output');
  const decoded = decodeRequest(group, entry, request);
  const outputs = evaluateOutputs(group, functions, decoded, secrets.rerandomizers);
  const task = ristrettoProofTask(entry, declaration, { ...decoded, outputs });
  const witness = [...modelVector(secrets.model), secrets.model.blinding, ...secrets.rerandomizers];
  const { nonces } = secrets;
  const proof = proveRelation(
    task,
    witness,
    [...nonces.model, nonces.blinding, ...nonces.rerandomizers],
    group.order,
  );
  return toWire(group, task, entry, outputs, proof);
}
