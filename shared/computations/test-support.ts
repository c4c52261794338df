/**
 * What the computation tests share: the same evaluation run on plaintext integers (fast, for
 * thousands of property runs) and the whole encrypted protocol in one process (slower, for fewer).
 * Only tests import this file.
 */

import { additiveEvaluation, evaluateRequest } from '../../server/evaluation.js';
import { decryptOutputs, encryptInputs, type GroupKeyPair } from '../client.js';
import type { Ciphertext } from '../elgamal.js';
import type { AdditiveOps, Computation, MultiplicativeOps, Plaintexts } from './computation.js';

type PlaintextCiphertext = Ciphertext<bigint>;
/** A plaintext model of ElGamal: a "ciphertext" carries its integer in `b`. */
const carrying = (m: bigint): PlaintextCiphertext => ({ a: 0n, b: m });

const plaintextAdditiveOps: AdditiveOps<bigint> = {
  add: (c1, c2) => carrying(c1.b + c2.b),
  subtract: (c1, c2) => carrying(c1.b - c2.b),
  multiplyByInteger: (c, factor) => carrying(c.b * factor),
  addConstant: (c, constant) => carrying(c.b + constant),
  weightedSum: (terms) => carrying(terms.reduce((sum, [c, weight]) => sum + c.b * weight, 0n)),
};

const plaintextMultiplicativeOps: MultiplicativeOps<bigint> = {
  multiply: (c1, c2) => carrying(c1.b * c2.b),
  power: (c, exponent) => carrying(c.b ** exponent),
  multiplyByConstant: (c, constant) => carrying(c.b * constant),
};

/**
 * The integers the service's evaluation (the computation's own, or the private model installed in
 * server/models/) yields for these inputs, computed without encryption: the same arithmetic the
 * ciphertexts undergo, since evaluations are generic in the element type.
 */
export function evaluateInTheClear(computation: Computation, plaintexts: Plaintexts): Plaintexts {
  const inputs: Record<string, PlaintextCiphertext> = {};
  for (const [name, m] of Object.entries(plaintexts)) inputs[name] = carrying(m);
  const outputs =
    computation.scheme === 'multiplicative'
      ? computation.evaluate(plaintextMultiplicativeOps, inputs)
      : additiveEvaluation(computation)(plaintextAdditiveOps, inputs);
  return Object.fromEntries(Object.entries(outputs).map(([name, c]) => [name, c.b]));
}

/** The whole protocol in one process, with a JSON trip on each side as over HTTP. */
export function encryptedRoundTrip(
  computation: Computation,
  key: GroupKeyPair,
  plaintexts: Plaintexts,
): Plaintexts {
  const request = JSON.parse(JSON.stringify(encryptInputs(computation, key, plaintexts)));
  const response = JSON.parse(JSON.stringify(evaluateRequest(computation, request)));
  return decryptOutputs(computation, key, response);
}
