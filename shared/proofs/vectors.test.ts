/**
 * Every vector of protocol-v2-vectors.json (copied from the spec, produced by an independent
 * implementation), reproduced byte for byte: inputs from their randomness, outputs from the prover's
 * secrets, W from the model, the proof from the nonces; and every proof verifies.
 */

import { bytesToNumberBE, bytesToNumberLE, hexToBytes } from '@noble/curves/utils.js';
import { describe, expect, it } from 'vitest';
import { type Declaration, declaredMatrix, parseDeclaration } from '../declaration.js';
import { type Ciphertext, combine } from '../elgamal.js';
import { evaluateLinear, evaluateMonomial } from '../evaluation.js';
import type { Group } from '../groups/group.js';
import { ffdheGroup, ristretto255Group } from '../groups/index.js';
import { ristretto255NativeGroup } from '../groups/ristretto255-native.js';
import { ristretto255SodiumGroup, scalarMulAddConstantTime } from '../groups/ristretto255-sodium.js';
import { publicAdditiveOps } from '../homomorphic.js';
import { type PlaintextScheme, withScheme } from '../scheme.js';
import { bytesToBase64Url } from '../wire.js';
import { type Answer, declaredStatement, proveAnswer, verifyAnswer } from './answer-proof.js';
import { commitToModel } from './commitment.js';
import { blindingGenerator, commitmentGenerators } from './generators.js';
import { sumOfPowers } from './linear-relation.js';
import vectors from './protocol-v2-vectors.json' with { type: 'json' };

type Vector = (typeof vectors)['public-linear'];
type Named = { a: string; b: string };
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const le = (h: string) => bytesToNumberLE(hexToBytes(h));
const be = (h: string) => bytesToNumberBE(hexToBytes(h));

describe('generators', () => {
  it('G₀, G₁, G₁₄ and H', () => {
    const g = commitmentGenerators(15);
    expect([
      hex(g[0] as Uint8Array),
      hex(g[1] as Uint8Array),
      hex(g[14] as Uint8Array),
      hex(blindingGenerator()),
    ]).toEqual([vectors.generators.G0, vectors.generators.G1, vectors.generators.G14, vectors.generators.H]);
  });
});

/** The entry's declaration as the catalog would send it (the commitment in base64url, not hex). */
function declarationOf(
  entry:
    | Vector['entry']
    | { evaluation: unknown; group: string; inputs: { name: string }[]; outputs: { name: string }[] },
): Declaration {
  const evaluation = entry.evaluation as Record<string, unknown>;
  const wire =
    evaluation.kind === 'private-linear'
      ? { ...evaluation, commitment: bytesToBase64Url(hexToBytes(evaluation.commitment as string)) }
      : evaluation;
  return parseDeclaration(wire, shapeOf(entry));
}

function shapeOf(entry: { group: string; inputs: { name: string }[]; outputs: { name: string }[] }) {
  return {
    group: entry.group as 'ristretto255',
    inputs: entry.inputs.map((i) => i.name),
    outputs: entry.outputs.map((o) => o.name),
  };
}

interface AnyVector {
  entry: {
    id: string;
    version: number;
    group: string;
    inputs: { name: string }[];
    outputs: { name: string }[];
    evaluation: unknown;
  };
  x: string;
  publicKey: string;
  inputs: Record<string, { value: number; r: string } & Named>;
  outputs: Record<string, { value: number } & Named>;
  prover: Record<string, unknown>;
  model?: { weights: number[][]; constants: number[]; rho: string };
  proof: { challenge: string; responses: string[] };
}

const all = vectors as unknown as Record<string, AnyVector>;
const ristrettoVectors = ['public-linear', 'public-linear-2', 'private-linear', 'private-linear-2'];

function check<E>(scheme: PlaintextScheme<E>, vector: AnyVector, secret: (h: string) => bigint) {
  const { group } = scheme;
  const elementHex = (e: E) => hex(group.toBytes(e));
  const shape = shapeOf(vector.entry);
  const declaration = declarationOf(vector.entry);
  const x = secret(vector.x);
  const y = group.powGenerator(x);
  expect(elementHex(y)).toBe(vector.publicKey);

  const inputs = shape.inputs.map((name) => {
    const input = vector.inputs[name] as AnyVector['inputs'][string];
    const r = secret(input.r);
    const c = {
      a: group.powGenerator(r),
      b: group.multiply(scheme.encode(BigInt(input.value)), group.pow(y, r)),
    };
    expect([elementHex(c.a), elementHex(c.b)]).toEqual([input.a, input.b]);
    return c;
  });

  const s = (vector.prover.s as string[]).map(secret);
  const model = vector.model;
  const matrix =
    declaration.kind === 'private-linear'
      ? {
          coefficients: (model?.weights ?? []).map((row) => row.map(BigInt)),
          constants: (model?.constants ?? []).map(BigInt),
        }
      : declaredMatrix(declaration, shape);
  const declared: Ciphertext<E>[] =
    vector.entry.group === 'ristretto255'
      ? evaluateLinear(group, publicAdditiveOps(group), matrix, inputs, false)
      : (evaluateMonomial(
          ffdheGroup('ffdhe3072'),
          matrix,
          inputs as unknown as Ciphertext<bigint>[],
        ) as unknown as Ciphertext<E>[]);
  const outputs = declared.map((d, j) =>
    combine(group, d, { a: group.powGenerator(s[j] as bigint), b: group.pow(y, s[j] as bigint) }),
  );
  shape.outputs.forEach((name, j) => {
    const expected = vector.outputs[name] as AnyVector['outputs'][string];
    expect([
      elementHex((outputs[j] as Ciphertext<E>).a),
      elementHex((outputs[j] as Ciphertext<E>).b),
    ]).toEqual([expected.a, expected.b]);
  });

  const statement = declaredStatement(
    declaration,
    declaration.kind === 'private-linear' ? undefined : matrix,
  );
  let witness: bigint[] = s;
  let nonces: bigint[];
  if (model) {
    const rho = secret(model.rho);
    const v = [...matrix.coefficients.flat(), ...matrix.constants];
    const commitment = (vector.entry.evaluation as { commitment: string }).commitment;
    expect(elementHex(commitToModel(group, v, rho))).toBe(commitment);
    witness = [...v, rho, ...s];
    nonces = [
      ...(vector.prover.nonces_v as string[]).map(secret),
      secret(vector.prover.nonce_rho as string),
      ...(vector.prover.nonces_s as string[]).map(secret),
    ];
  } else {
    nonces = (vector.prover.nonces as string[]).map(secret);
  }
  const answer: Answer<E> = {
    scheme,
    id: vector.entry.id,
    version: vector.entry.version,
    shape,
    publicKey: y,
    inputs,
    outputs,
  };
  const respond =
    vector.entry.group === 'ristretto255'
      ? scalarMulAddConstantTime
      : (k: bigint, e: bigint, w: bigint) => k + e * w;
  const proof = proveAnswer(answer, statement, witness, respond, nonces);
  expect(hex(proof.challenge)).toBe(vector.proof.challenge);
  expect(proof.responses.map(hex)).toEqual(vector.proof.responses);
  expect(verifyAnswer(answer, statement, declared, proof, sumOfPowers(group))).toBe(true);
  return { answer, statement, declared, proof };
}

describe.each(ristrettoVectors)('%s', (name) => {
  const vector = all[name] as AnyVector;
  const groups: [string, Group<unknown>][] = [
    ['noble', ristretto255Group as Group<unknown>],
    ['libsodium', ristretto255SodiumGroup as Group<unknown>],
  ];
  // The service's: the addon's multi-scalar multiplication computes the prover's commitments.
  if (ristretto255NativeGroup) groups.push(['libsodium in C', ristretto255NativeGroup as Group<unknown>]);
  it.each(groups)('reproduces every byte on %s', (_, group) => {
    withScheme('ristretto255', (scheme) => check(scheme, vector, le), {
      ristretto255: group as Group<Uint8Array>,
    });
  });
});

describe('public-monomial', () => {
  it('reproduces every byte', () => {
    withScheme('ffdhe3072', (scheme) => check(scheme, all['public-monomial'] as AnyVector, be));
  });
});
