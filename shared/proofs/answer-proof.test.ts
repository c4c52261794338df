/**
 * Proofs on real answers, in every group and kind (public-linear: CHA₂DS₂-VASc; private-linear:
 * Framingham; public-monomial: BMI): honest answers verify for random inputs, and any single changed
 * byte of an output, the proof, the public key or an input, another request, or a malformed proof
 * makes the client refuse before decrypting.
 */

import { base64urlnopad } from '@scure/base';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formArbitrary } from '../../scripts/load-traffic.js';
import { evaluateAndProve } from '../../server/evaluation.js';
import { encryptInputs, generateGroupKeyPair, verifyAndDecryptOutputs } from '../client.js';
import { bmi } from '../computations/bmi.js';
import { cha2ds2Vasc } from '../computations/cha2ds2-vasc.js';
import type { Computation, Plaintexts } from '../computations/computation.js';
import { framingham } from '../computations/framingham.js';
import { evaluateInTheClear, serve } from '../computations/test-support.js';
import { VerificationError } from '../errors.js';
import type { EvaluateRequest, EvaluateResponseV2 } from '../wire.js';

const CASES: readonly Computation[] = [cha2ds2Vasc, framingham, bmi];

/** What a patient's device would send: encoded from random valid form values. */
function randomPlaintexts(computation: Computation): fc.Arbitrary<Plaintexts> {
  return formArbitrary(computation).map((values) => computation.encodeInputs(values));
}

/** The same JSON value with one byte of one base64url string flipped. */
function flipByte(text: string, index: number): string {
  const bytes = base64urlnopad.decode(text);
  const at = index % bytes.length;
  bytes[at] = (bytes[at] as number) ^ 0x01;
  return base64urlnopad.encode(bytes);
}

interface Exchange {
  readonly request: EvaluateRequest;
  readonly response: EvaluateResponseV2;
}

function exchange(
  computation: Computation,
  plaintexts: Plaintexts,
  key = generateGroupKeyPair(computation.group),
) {
  const request: EvaluateRequest = JSON.parse(JSON.stringify(encryptInputs(computation, key, plaintexts)));
  const response: EvaluateResponseV2 = JSON.parse(
    JSON.stringify(evaluateAndProve(serve(computation), request)),
  );
  return { key, request, response };
}

/** Every place a byte can be changed in one exchange, as a function that makes the changed copy. */
function mutations({ request, response }: Exchange): ((index: number) => Exchange)[] {
  const firstOutput = Object.keys(response.outputs)[0] as string;
  const firstInput = Object.keys(request.inputs)[0] as string;
  const withOutput = (part: 'a' | 'b') => (i: number) => ({
    request,
    response: {
      ...response,
      outputs: {
        ...response.outputs,
        [firstOutput]: {
          ...response.outputs[firstOutput],
          [part]: flipByte(response.outputs[firstOutput]?.[part] as string, i),
        },
      },
    } as EvaluateResponseV2,
  });
  const withInput = (part: 'a' | 'b') => (i: number) => ({
    response,
    request: {
      ...request,
      inputs: {
        ...request.inputs,
        [firstInput]: {
          ...request.inputs[firstInput],
          [part]: flipByte(request.inputs[firstInput]?.[part] as string, i),
        },
      },
    } as EvaluateRequest,
  });
  return [
    withOutput('a'),
    withOutput('b'),
    withInput('a'),
    withInput('b'),
    (i) => ({
      request,
      response: {
        ...response,
        proof: { ...response.proof, challenge: flipByte(response.proof.challenge, i) },
      },
    }),
    (i) => {
      const responses = [...response.proof.responses];
      const at = i % responses.length;
      responses[at] = flipByte(responses[at] as string, i);
      return { request, response: { ...response, proof: { ...response.proof, responses } } };
    },
    (i) => ({
      response,
      request: { ...request, publicKey: { ...request.publicKey, y: flipByte(request.publicKey.y, i) } },
    }),
  ];
}

describe.each(CASES.map((c) => [c.evaluation.kind, c.id, c] as const))('%s (%s)', (_, __, computation) => {
  it('an honest answer verifies and decrypts to the declared function of the inputs', () => {
    fc.assert(
      fc.property(randomPlaintexts(computation), (plaintexts) => {
        const { key, request, response } = exchange(computation, plaintexts);
        expect(verifyAndDecryptOutputs(computation, key, request, response)).toEqual(
          evaluateInTheClear(computation, plaintexts),
        );
      }),
      { numRuns: 5 },
    );
  });

  it('refuses an answer with any single byte changed', () => {
    const honest = exchange(
      computation,
      Object.fromEntries(computation.inputs.map((i) => [i.name, BigInt(i.min)])),
    );
    const places = mutations(honest);
    fc.assert(
      fc.property(fc.nat({ max: places.length - 1 }), fc.nat({ max: 511 }), (place, index) => {
        const { request, response } = (places[place] as (i: number) => Exchange)(index);
        expect(() => verifyAndDecryptOutputs(computation, honest.key, request, response)).toThrow(
          VerificationError,
        );
      }),
      { numRuns: 40 },
    );
  });

  it('never verifies an answer for another request, even of the same values and key', () => {
    const plaintexts = Object.fromEntries(computation.inputs.map((i) => [i.name, BigInt(i.max)]));
    const first = exchange(computation, plaintexts);
    const second = exchange(computation, plaintexts, first.key);
    expect(() => verifyAndDecryptOutputs(computation, first.key, second.request, first.response)).toThrow(
      VerificationError,
    );
  });

  it('refuses wrong counts, wrong lengths, non-canonical scalars and a missing proof', () => {
    const { key, request, response } = exchange(
      computation,
      Object.fromEntries(computation.inputs.map((i) => [i.name, BigInt(i.min)])),
    );
    const { proof } = response;
    const length = base64urlnopad.decode(proof.challenge).length;
    const bad = [
      { ...proof, responses: proof.responses.slice(1) },
      { ...proof, responses: [...proof.responses, proof.responses[0] as string] },
      { ...proof, challenge: base64urlnopad.encode(new Uint8Array(length + 1)) },
      { ...proof, responses: [base64urlnopad.encode(new Uint8Array(31)), ...proof.responses.slice(1)] },
      // 2^256 − 1 is no scalar below ℓ; as an ffdhe challenge it is merely the wrong one.
      { ...proof, challenge: base64urlnopad.encode(new Uint8Array(length).fill(0xff)) },
      { ...proof, challenge: `${proof.challenge}=` },
      undefined,
    ];
    for (const proofVariant of bad) {
      expect(() =>
        verifyAndDecryptOutputs(computation, key, request, { ...response, proof: proofVariant }),
      ).toThrow(VerificationError);
    }
  });
});

describe('what the proof binds', () => {
  it('the id and the version: an answer for another version of the computation is refused', () => {
    const { key, request, response } = exchange(
      cha2ds2Vasc,
      Object.fromEntries(cha2ds2Vasc.inputs.map((i) => [i.name, 0n])),
    );
    const otherVersion = { ...cha2ds2Vasc, version: cha2ds2Vasc.version + 1 };
    expect(() =>
      verifyAndDecryptOutputs(otherVersion, key, request, { ...response, version: otherVersion.version }),
    ).toThrow(VerificationError);
    const otherId = { ...cha2ds2Vasc, id: 'cha2ds2-vasc-copy' };
    expect(() =>
      verifyAndDecryptOutputs(otherId, key, request, { ...response, computation: otherId.id }),
    ).toThrow(VerificationError);
  });

  it('the declaration: an answer proved against the real model fails against another commitment', () => {
    const { key, request, response } = exchange(
      framingham,
      Object.fromEntries(framingham.inputs.map((i) => [i.name, 0n])),
    );
    const other = {
      ...framingham,
      evaluation: {
        kind: 'private-linear',
        commitment: cha2ds2Vasc.evaluation.kind === 'public-linear' ? request.publicKey.y : '',
      },
    } as Computation;
    expect(() => verifyAndDecryptOutputs(other, key, request, response)).toThrow(VerificationError);
  });
});
