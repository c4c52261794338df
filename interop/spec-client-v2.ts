/**
 * Protocol v2 for the spec-only client: declarations, the Fiat–Shamir transcript and the verifier of
 * every answer's proof, written from protocol-v2.md alone. Like spec-client.ts (whose groups and
 * ElGamal it builds on) it shares no code with shared/, server/ or web/: the interop tests that run it
 * against the service prove the spec is enough to check what the service computes.
 * Every proof is an instance of one linear relation (draft-irtf-cfrg-sigma-protocols): the three kinds
 * only say which equations, in which order; verification and proving are written once over them.
 */
import { ristretto255, ristretto255_hasher } from '@noble/curves/ed25519.js';
import {
  bytesToNumberBE,
  bytesToNumberLE,
  concatBytes,
  numberToBytesBE,
  numberToBytesLE,
} from '@noble/curves/utils.js';
import { sha512 } from '@noble/hashes/sha2.js';
import {
  type CatalogComputation,
  type EvaluateRequestJson,
  type EvaluateResponseJson,
  elementFromWire,
  ffdhe3072Group,
  fromBase64Url,
  type PublicKeyJson,
  ristretto255Group,
  type SpecGroup,
} from './spec-client.js';

// ─── Bytes (spec "Notation") ──────────────────────────────────────────────────────────────────

const PROOF_DOMAIN = 'sealed-vitals/v2/proof';
const GENERATOR_DOMAIN = 'sealed-vitals/v2/generator';
const BLINDING_DOMAIN = 'sealed-vitals/v2/blinding';
const U32_LIMIT = 2 ** 32;

export function u32be(value: number): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value >= U32_LIMIT) throw new Error('not a u32');
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value);
  return bytes;
}

/** item(x) = u32be(len(x)) ‖ x; strings are UTF-8. */
export function item(content: Uint8Array | string): Uint8Array {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  return concatBytes(u32be(bytes.length), bytes);
}

/** Index that must exist: noUncheckedIndexedAccess made explicit, and a clear error if it does not. */
function at<T>(values: readonly T[], index: number): T {
  const value = values[index];
  if (value === undefined) throw new Error(`index ${index} out of range`);
  return value;
}

// ─── The model commitment's generators (spec "The private model's commitment") ────────────────

type RistrettoPoint = InstanceType<typeof ristretto255.Point>;
const RISTRETTO_ORDER = ristretto255.Point.Fn.ORDER;

/** RFC 9496 §4.3.4 element derivation from 64 uniform bytes. */
function deriveElement(uniformBytes: Uint8Array): RistrettoPoint {
  // Optional in noble's generic hasher type; its ristretto255 hasher has it.
  const { deriveToCurve } = ristretto255_hasher;
  if (deriveToCurve === undefined) throw new Error('noble lacks RFC 9496 element derivation');
  return deriveToCurve(uniformBytes);
}

/** Gₖ = derive(SHA-512(item("sealed-vitals/v2/generator") ‖ u32be(k))). */
export function commitmentGenerator(k: number): RistrettoPoint {
  return deriveElement(sha512(concatBytes(item(GENERATOR_DOMAIN), u32be(k))));
}

/** H = derive(SHA-512(item("sealed-vitals/v2/blinding"))). */
export const blindingGenerator: RistrettoPoint = deriveElement(sha512(item(BLINDING_DOMAIN)));

// ─── Proof suites: how each group derives, sends and reads challenges and responses ───────────

export interface ProofSuite<E> {
  readonly group: SpecGroup<E>;
  challengeFrom(transcript: Uint8Array): bigint;
  encodeChallenge(challenge: bigint): Uint8Array;
  /** Strict (spec "What a client does with an answer", step 2); throws on anything else. */
  decodeChallenge(bytes: Uint8Array): bigint;
  encodeResponse(response: bigint): Uint8Array;
  decodeResponse(bytes: Uint8Array): bigint;
}

/** A ristretto255 scalar: exactly 32 bytes little-endian, value < ℓ; anything else is refused. */
export function decodeScalar(bytes: Uint8Array): bigint {
  if (bytes.length !== 32) throw new Error('a scalar is 32 bytes');
  const value = bytesToNumberLE(bytes);
  // A verifier that reduced mod ℓ instead would accept z + ℓ too: a second encoding of one proof.
  if (value >= RISTRETTO_ORDER) throw new Error('a scalar must be canonical (< ℓ)');
  return value;
}

/** scalar(w) of an integer w, negative too: w mod ℓ, 32 bytes little-endian. */
export function encodeScalar(value: bigint): Uint8Array {
  return numberToBytesLE(((value % RISTRETTO_ORDER) + RISTRETTO_ORDER) % RISTRETTO_ORDER, 32);
}

export const ristretto255Suite: ProofSuite<RistrettoPoint> = {
  group: ristretto255Group,
  challengeFrom: (transcript) => bytesToNumberLE(sha512(transcript)) % RISTRETTO_ORDER,
  encodeChallenge: encodeScalar,
  decodeChallenge: decodeScalar,
  encodeResponse(response) {
    if (response < 0n || response >= RISTRETTO_ORDER) throw new Error('a response must be reduced mod ℓ');
    return encodeScalar(response);
  },
  decodeResponse: decodeScalar,
};

const FFDHE_CHALLENGE_BYTES = 32;

function ffdheSuite(group: SpecGroup<bigint>, elementBytes: number): ProofSuite<bigint> {
  return {
    group,
    challengeFrom: (transcript) => bytesToNumberBE(sha512(transcript).subarray(0, FFDHE_CHALLENGE_BYTES)),
    encodeChallenge: (challenge) => numberToBytesBE(challenge, FFDHE_CHALLENGE_BYTES),
    decodeChallenge(bytes) {
      if (bytes.length !== FFDHE_CHALLENGE_BYTES) throw new Error('an ffdhe challenge is 32 bytes');
      return bytesToNumberBE(bytes);
    },
    encodeResponse(response) {
      if (response < 0n || response >= 1n << BigInt(8 * elementBytes)) {
        throw new Error(`a response must fit in ${elementBytes} bytes`);
      }
      return numberToBytesBE(response, elementBytes);
    },
    decodeResponse(bytes) {
      // Any value of exactly nb bytes: with short exponents zⱼ is an integer, not reduced mod q.
      if (bytes.length !== elementBytes)
        throw new Error(`an ${group.name} response is ${elementBytes} bytes`);
      return bytesToNumberBE(bytes);
    },
  };
}

export const ffdhe3072Suite: ProofSuite<bigint> = ffdheSuite(ffdhe3072Group, 384);

// ─── Linear relations: image = Σ witness·base, one equation per prover commitment ─────────────

export interface Term<E> {
  /** Index into the witness vector (the responses are in the same order). */
  readonly witness: number;
  readonly base: E;
}

export interface Equation<E> {
  readonly image: E;
  readonly terms: readonly Term<E>[];
}

export interface LinearRelation<E> {
  readonly witnessCount: number;
  /** In the transcript's commitment order. */
  readonly equations: readonly Equation<E>[];
}

/** Σ scalars[witness]·base over the terms (written multiplicatively: Π base^scalar). */
export function evaluateTerms<E>(group: SpecGroup<E>, terms: readonly Term<E>[], scalars: bigint[]): E {
  return terms.reduce(
    (sum, term) => group.multiply(sum, group.power(term.base, at(scalars, term.witness))),
    group.identity,
  );
}

export function challengeOf<E>(
  suite: ProofSuite<E>,
  transcriptPrefix: Uint8Array,
  commitments: readonly E[],
): bigint {
  const items = commitments.map((commitment) => item(suite.group.toBytes(commitment)));
  return suite.challengeFrom(concatBytes(transcriptPrefix, ...items));
}

export interface Proof {
  readonly challenge: bigint;
  readonly responses: bigint[];
}

/** Recomputes each commitment as T = Σ z·base − e·image and the challenge from them. */
export function relationHolds<E>(
  suite: ProofSuite<E>,
  relation: LinearRelation<E>,
  transcriptPrefix: Uint8Array,
  proof: Proof,
): boolean {
  if (proof.responses.length !== relation.witnessCount) return false;
  const { group } = suite;
  const commitments = relation.equations.map((equation) =>
    group.multiply(
      evaluateTerms(group, equation.terms, proof.responses),
      group.inverse(group.power(equation.image, proof.challenge)),
    ),
  );
  return challengeOf(suite, transcriptPrefix, commitments) === proof.challenge;
}

// ─── Declarations (spec "Declarations") ───────────────────────────────────────────────────────

/** What of a catalog entry the proof depends on; the vectors' entries carry just this. */
export interface ComputationShape {
  readonly id: string;
  readonly version: number;
  readonly group: string;
  readonly inputs: readonly { readonly name: string }[];
  readonly outputs: readonly { readonly name: string }[];
}

export interface CatalogComputationV2 extends CatalogComputation {
  evaluation: unknown;
}

/** One output's public function: weights or exponents in catalog input order, and its constant. */
export interface PublicOutputFunction {
  readonly factors: readonly bigint[];
  readonly constant: bigint;
}

export type Declaration =
  | { readonly kind: 'public-linear'; readonly outputs: readonly PublicOutputFunction[] }
  | { readonly kind: 'private-linear'; readonly commitment: RistrettoPoint }
  | { readonly kind: 'public-monomial'; readonly outputs: readonly PublicOutputFunction[] };

export type DeclarationKind = Declaration['kind'];

export class DeclarationError extends Error {
  override readonly name = 'DeclarationError';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireExactKeys(value: unknown, keys: readonly string[], where: string): Record<string, unknown> {
  if (!isRecord(value)) throw new DeclarationError(`${where} must be an object`);
  const actual = Object.keys(value).sort();
  if (JSON.stringify(actual) !== JSON.stringify([...keys].sort())) {
    throw new DeclarationError(`${where} must have exactly the members ${keys.join(', ')}`);
  }
  return value;
}

function groupOfKind(kind: DeclarationKind): (group: string) => boolean {
  return kind === 'public-monomial'
    ? (group) => group.startsWith('ffdhe')
    : (group) => group === 'ristretto255';
}

function parsePublicOutputs(
  entry: ComputationShape,
  outputs: unknown,
  factorsKey: 'weights' | 'exponents',
  checkFactor: (value: unknown, where: string) => bigint,
  checkConstant: (value: unknown, where: string) => bigint,
): PublicOutputFunction[] {
  if (!isRecord(outputs)) throw new DeclarationError('evaluation.outputs must be an object');
  const inputNames = new Set(entry.inputs.map((input) => input.name));
  const outputNames = new Set(entry.outputs.map((output) => output.name));
  for (const name of Object.keys(outputs)) {
    if (!outputNames.has(name)) throw new DeclarationError(`evaluation.outputs.${name} is no output`);
  }
  return entry.outputs.map((output) => {
    const where = `evaluation.outputs.${output.name}`;
    if (!(output.name in outputs)) throw new DeclarationError(`${where} is not declared`);
    const declared = requireExactKeys(outputs[output.name], [factorsKey, 'constant'], where);
    const factors = declared[factorsKey];
    if (!isRecord(factors)) throw new DeclarationError(`${where}.${factorsKey} must be an object`);
    for (const name of Object.keys(factors)) {
      if (!inputNames.has(name)) throw new DeclarationError(`${where}.${factorsKey}.${name} is no input`);
    }
    return {
      // An input left out has factor 0 and still takes its place in the statement.
      factors: entry.inputs.map((input) =>
        input.name in factors ? checkFactor(factors[input.name], `${where}.${factorsKey}.${input.name}`) : 0n,
      ),
      constant: checkConstant(declared.constant, `${where}.constant`),
    };
  });
}

function safeInteger(value: unknown, where: string): bigint {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new DeclarationError(`${where} must be an integer in the safe range`);
  }
  return BigInt(value);
}

function exponent(value: unknown, where: string): bigint {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= U32_LIMIT) {
    throw new DeclarationError(`${where} must be an integer in [0, 2³²)`);
  }
  return BigInt(value);
}

function positiveConstant(value: unknown, where: string): bigint {
  const constant = safeInteger(value, where);
  if (constant < 1n) throw new DeclarationError(`${where} must be at least 1`);
  return constant;
}

/** Validates an `evaluation` against its catalog entry; the client refuses any declaration that fails. */
export function parseDeclaration(entry: ComputationShape, evaluation: unknown): Declaration {
  if (!isRecord(evaluation)) throw new DeclarationError('evaluation must be an object');
  const { kind } = evaluation;
  if (kind !== 'public-linear' && kind !== 'private-linear' && kind !== 'public-monomial') {
    throw new DeclarationError('evaluation.kind is unknown');
  }
  if (!groupOfKind(kind)(entry.group)) throw new DeclarationError(`${kind} is not defined in ${entry.group}`);
  if (!Number.isInteger(entry.version) || entry.version < 0 || entry.version >= U32_LIMIT) {
    throw new DeclarationError('version must be a u32');
  }
  switch (kind) {
    case 'public-linear': {
      const { outputs } = requireExactKeys(evaluation, ['kind', 'outputs'], 'evaluation');
      return { kind, outputs: parsePublicOutputs(entry, outputs, 'weights', safeInteger, safeInteger) };
    }
    case 'public-monomial': {
      const { outputs } = requireExactKeys(evaluation, ['kind', 'outputs'], 'evaluation');
      if (entry.group !== ffdhe3072Group.name) throw new DeclarationError(`${entry.group} is not supported`);
      return { kind, outputs: parsePublicOutputs(entry, outputs, 'exponents', exponent, positiveConstant) };
    }
    case 'private-linear': {
      const { commitment } = requireExactKeys(evaluation, ['kind', 'commitment'], 'evaluation');
      if (typeof commitment !== 'string')
        throw new DeclarationError('evaluation.commitment must be a string');
      try {
        return { kind, commitment: elementFromWire(ristretto255Group, commitment) };
      } catch {
        throw new DeclarationError('evaluation.commitment is not a ristretto255 element');
      }
    }
  }
}

/**
 * Trust on first use (spec "Which declaration a client trusts"): the first declaration seen for an
 * (id, version) is pinned, and a catalog that later shows another one for it is refused.
 */
export class DeclarationPins {
  readonly #pinned = new Map<string, string>();

  trust(entry: CatalogComputationV2): Declaration {
    const declaration = parseDeclaration(entry, entry.evaluation);
    const key = JSON.stringify([entry.id, entry.version]);
    const seen = canonicalDeclaration(entry, declaration);
    const pinned = this.#pinned.get(key);
    if (pinned === undefined) this.#pinned.set(key, seen);
    else if (pinned !== seen) {
      throw new DeclarationError(`${entry.id} v${entry.version} now declares another evaluation`);
    }
    return declaration;
  }
}

/** The declaration as the proof sees it: the group, names in catalog order and the statement bytes. */
function canonicalDeclaration(entry: ComputationShape, declaration: Declaration): string {
  return JSON.stringify({
    group: entry.group,
    kind: declaration.kind,
    inputs: entry.inputs.map((input) => input.name),
    outputs: entry.outputs.map((output) => output.name),
    statement: Buffer.from(statementBytes(declaration)).toString('hex'),
  });
}

// ─── Statements and transcripts (spec "Transcript and challenge") ─────────────────────────────

export function statementBytes(declaration: Declaration): Uint8Array {
  switch (declaration.kind) {
    case 'public-linear':
      return concatBytes(
        ...declaration.outputs.flatMap((output) => [...output.factors, output.constant].map(encodeScalar)),
      );
    case 'private-linear':
      return declaration.commitment.toBytes();
    case 'public-monomial':
      return concatBytes(
        ...declaration.outputs.flatMap((output) => [
          ...output.factors.map((factor) => u32be(Number(factor))),
          ffdhe3072Group.toBytes(ffdhe3072Group.encodePlaintext(output.constant)),
        ]),
      );
  }
}

export interface ElementPair<E> {
  readonly a: E;
  readonly b: E;
}

/** A request and its answer as elements, inputs and outputs in catalog order. */
export interface Instance<E> {
  readonly publicKey: E;
  readonly inputs: readonly ElementPair<E>[];
  readonly outputs: readonly ElementPair<E>[];
}

export function transcriptPrefix<E>(
  group: SpecGroup<E>,
  entry: ComputationShape,
  declaration: Declaration,
  instance: Instance<E>,
): Uint8Array {
  const pairs = (names: readonly { readonly name: string }[], pairs: readonly ElementPair<E>[]) =>
    names.flatMap(({ name }, index) => {
      const { a, b } = at(pairs, index);
      return [item(name), item(group.toBytes(a)), item(group.toBytes(b))];
    });
  return concatBytes(
    item(PROOF_DOMAIN),
    item(declaration.kind),
    item(entry.id),
    item(u32be(entry.version)),
    item(entry.group),
    item(statementBytes(declaration)),
    item(group.toBytes(instance.publicKey)),
    ...pairs(entry.inputs, instance.inputs),
    ...pairs(entry.outputs, instance.outputs),
  );
}

// ─── The three kinds as relations (spec "Proofs") ─────────────────────────────────────────────

/**
 * Dⱼ = (Σᵢ fⱼᵢ·aᵢ, Σᵢ fⱼᵢ·bᵢ + enc(cⱼ)), written multiplicatively: for public-linear f are weights and
 * enc(t) = t·G; for public-monomial f are exponents and enc(k) is v1's ± encoding. Both are the same
 * relation: (Aⱼ, Bⱼ) − Dⱼ = sⱼ·(G, Y).
 */
export function publicDeterministicPart<E>(
  group: SpecGroup<E>,
  output: PublicOutputFunction,
  inputs: readonly ElementPair<E>[],
): ElementPair<E> {
  const combine = (part: 'a' | 'b') =>
    output.factors.reduce(
      (sum, factor, index) => group.multiply(sum, group.power(at(inputs, index)[part], factor)),
      group.identity,
    );
  return { a: combine('a'), b: group.multiply(combine('b'), group.encodePlaintext(output.constant)) };
}

/** Witness sⱼ at j; per output the equations (Aⱼ − Dⱼ,ₐ = sⱼ·G), (Bⱼ − Dⱼ,ᵦ = sⱼ·Y). */
export function publicRelation<E>(
  group: SpecGroup<E>,
  outputs: readonly PublicOutputFunction[],
  instance: Instance<E>,
): LinearRelation<E> {
  return {
    witnessCount: outputs.length,
    equations: outputs.flatMap((output, j) => {
      const deterministic = publicDeterministicPart(group, output, instance.inputs);
      const { a, b } = at(instance.outputs, j);
      return [
        {
          image: group.multiply(a, group.inverse(deterministic.a)),
          terms: [{ witness: j, base: group.generator }],
        },
        {
          image: group.multiply(b, group.inverse(deterministic.b)),
          terms: [{ witness: j, base: instance.publicKey }],
        },
      ];
    }),
  };
}

/**
 * Witness (v, ρ, s): v at 0 … K−1 (wⱼᵢ at j·n + i, tⱼ at m·n + j, 0-based), ρ at K, sⱼ at K + 1 + j.
 * Equations: W = Σ vₖ·Gₖ + ρ·H, then per output Aⱼ = Σᵢ wⱼᵢ·aᵢ + sⱼ·G and Bⱼ = Σᵢ wⱼᵢ·bᵢ + tⱼ·G + sⱼ·Y.
 */
export function privateLinearRelation(
  commitment: RistrettoPoint,
  instance: Instance<RistrettoPoint>,
): LinearRelation<RistrettoPoint> {
  const n = instance.inputs.length;
  const m = instance.outputs.length;
  const K = m * n + m;
  const G = ristretto255Group.generator;
  return {
    witnessCount: K + 1 + m,
    equations: [
      { image: commitment, terms: commitmentTerms(K) },
      ...instance.outputs.flatMap(({ a, b }, j) => {
        const weights = (part: 'a' | 'b') =>
          instance.inputs.map((input, i) => ({ witness: j * n + i, base: input[part] }));
        const s = { witness: K + 1 + j };
        return [
          { image: a, terms: [...weights('a'), { ...s, base: G }] },
          {
            image: b,
            terms: [...weights('b'), { witness: m * n + j, base: G }, { ...s, base: instance.publicKey }],
          },
        ];
      }),
    ],
  };
}

/** W = Σₖ vₖ·Gₖ + ρ·H as terms over the witness (v₀ … v_K−1, ρ). */
export function commitmentTerms(modelLength: number): Term<RistrettoPoint>[] {
  return [
    ...Array.from({ length: modelLength }, (_, k) => ({ witness: k, base: commitmentGenerator(k) })),
    { witness: modelLength, base: blindingGenerator },
  ];
}

/** Everything a prover or verifier needs for one answer, in one group. */
export interface ProofTask<E> {
  readonly suite: ProofSuite<E>;
  readonly relation: LinearRelation<E>;
  readonly transcriptPrefix: Uint8Array;
}

export type AnyProofTask =
  | ({ readonly family: 'ristretto255' } & ProofTask<RistrettoPoint>)
  | ({ readonly family: 'ffdhe' } & ProofTask<bigint>);

export function ristrettoProofTask(
  entry: ComputationShape,
  declaration: Declaration,
  instance: Instance<RistrettoPoint>,
): ProofTask<RistrettoPoint> {
  let relation: LinearRelation<RistrettoPoint>;
  if (declaration.kind === 'public-linear')
    relation = publicRelation(ristretto255Group, declaration.outputs, instance);
  else if (declaration.kind === 'private-linear')
    relation = privateLinearRelation(declaration.commitment, instance);
  else throw new Error(`${declaration.kind} is not a ristretto255 kind`);
  return {
    suite: ristretto255Suite,
    relation,
    transcriptPrefix: transcriptPrefix(ristretto255Group, entry, declaration, instance),
  };
}

export function ffdheProofTask(
  entry: ComputationShape,
  declaration: Declaration,
  instance: Instance<bigint>,
): ProofTask<bigint> {
  if (declaration.kind !== 'public-monomial') throw new Error(`${declaration.kind} is not an ffdhe kind`);
  return {
    suite: ffdhe3072Suite,
    relation: publicRelation(ffdhe3072Group, declaration.outputs, instance),
    transcriptPrefix: transcriptPrefix(ffdhe3072Group, entry, declaration, instance),
  };
}

// ─── Verifying an answer (spec "What a client does with an answer") ───────────────────────────

export interface ProofJson {
  challenge: string;
  responses: string[];
}

export interface EvaluateResponseV2Json extends EvaluateResponseJson {
  proof: ProofJson;
}

/** The answer failed verification: decrypt nothing, and never resend the same ciphertexts. */
export class VerificationError extends Error {
  override readonly name = 'VerificationError';
}

function failVerification<T>(reason: string, action: () => T): T {
  try {
    return action();
  } catch (error) {
    throw new VerificationError(`${reason}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Step 2: strict decoding, with the exact count of responses. */
export function decodeProof<E>(suite: ProofSuite<E>, proof: unknown, count: number): Proof {
  return failVerification('the proof is malformed', () => {
    const { challenge, responses } = requireExactKeys(proof, ['challenge', 'responses'], 'proof');
    if (typeof challenge !== 'string') throw new Error('proof.challenge must be a string');
    if (!Array.isArray(responses) || responses.length !== count) {
      throw new Error(`proof.responses must be ${count} strings`);
    }
    return {
      challenge: suite.decodeChallenge(fromBase64Url(challenge)),
      responses: responses.map((response: unknown) => {
        if (typeof response !== 'string') throw new Error('proof.responses must be strings');
        return suite.decodeResponse(fromBase64Url(response));
      }),
    };
  });
}

function decodePairs<E>(
  group: SpecGroup<E>,
  names: readonly { readonly name: string }[],
  pairs: unknown,
  where: string,
): ElementPair<E>[] {
  if (!isRecord(pairs)) throw new Error(`${where} must be an object`);
  const expected = names.map(({ name }) => name).sort();
  if (JSON.stringify(Object.keys(pairs).sort()) !== JSON.stringify(expected)) {
    throw new Error(`${where} are not exactly the catalog's`);
  }
  return names.map(({ name }) => {
    const { a, b } = requireExactKeys(pairs[name], ['a', 'b'], `${where}.${name}`);
    if (typeof a !== 'string' || typeof b !== 'string') throw new Error(`${where}.${name} must hold strings`);
    const first = elementFromWire(group, a);
    // v1: a ciphertext's a is never the identity.
    if (group.equals(first, group.identity)) throw new Error(`${where}.${name}.a is the identity`);
    return { a: first, b: elementFromWire(group, b) };
  });
}

function decodePublicKey<E>(group: SpecGroup<E>, publicKey: PublicKeyJson): E {
  if (publicKey.group !== group.name) throw new Error('the public key is for another group');
  const y = elementFromWire(group, publicKey.y);
  if (group.equals(y, group.identity)) throw new Error('the public key is the identity');
  return y;
}

export function decodeRequest<E>(
  group: SpecGroup<E>,
  entry: ComputationShape,
  request: EvaluateRequestJson,
): Pick<Instance<E>, 'publicKey' | 'inputs'> {
  if (entry.group !== group.name) throw new Error(`${entry.id} is computed in ${entry.group}`);
  return {
    publicKey: decodePublicKey(group, request.publicKey),
    inputs: decodePairs(group, entry.inputs, request.inputs, 'inputs'),
  };
}

/** The request (the client's own) and the answer as elements, after v1's checks (step 1). */
export function decodeInstance<E>(
  group: SpecGroup<E>,
  entry: ComputationShape,
  request: EvaluateRequestJson,
  outputs: unknown,
): Instance<E> {
  return {
    ...decodeRequest(group, entry, request),
    outputs: decodePairs(group, entry.outputs, outputs, 'outputs'),
  };
}

export function proofTaskFor(
  entry: ComputationShape,
  declaration: Declaration,
  request: EvaluateRequestJson,
  outputs: unknown,
): AnyProofTask {
  if (declaration.kind === 'public-monomial') {
    const instance = decodeInstance(ffdhe3072Group, entry, request, outputs);
    return { family: 'ffdhe', ...ffdheProofTask(entry, declaration, instance) };
  }
  const instance = decodeInstance(ristretto255Group, entry, request, outputs);
  return { family: 'ristretto255', ...ristrettoProofTask(entry, declaration, instance) };
}

function checkProof<E>(task: ProofTask<E>, proof: unknown): void {
  const decoded = decodeProof(task.suite, proof, task.relation.witnessCount);
  if (!relationHolds(task.suite, task.relation, task.transcriptPrefix, decoded)) {
    throw new VerificationError('the proof does not verify');
  }
}

/**
 * Steps 1–3 for an answer to the client's own request, against the declaration the client trusts
 * (shipped or pinned, never the one just fetched). Throws VerificationError; only then decrypt.
 */
export function verifyAnswer(
  entry: ComputationShape,
  declaration: Declaration,
  request: EvaluateRequestJson,
  response: unknown,
): asserts response is EvaluateResponseV2Json {
  const answer = failVerification('the answer cannot be checked', () => {
    const body = requireExactKeys(response, ['computation', 'version', 'outputs', 'proof'], 'answer');
    if (body.computation !== entry.id || body.version !== entry.version) {
      throw new Error(`the answer is not for ${entry.id} v${entry.version}`);
    }
    return { proof: body.proof, task: proofTaskFor(entry, declaration, request, body.outputs) };
  });
  if (answer.task.family === 'ffdhe') checkProof(answer.task, answer.proof);
  else checkProof(answer.task, answer.proof);
}
