/**
 * What the computation tests share: the same evaluation run on plaintext integers (fast, for
 * thousands of property runs) and the whole encrypted protocol in one process (slower, for fewer).
 * Only tests import this file.
 */

import { additiveEvaluation, evaluateRequest } from '../../server/evaluation.js';
import { decryptOutputs, encryptInputs, type GroupKeyPair } from '../client.js';
import type { Ciphertext } from '../elgamal.js';
import type { AdditiveOps, Computation, MultiplicativeOps, Plaintexts } from './computation.js';
import type { FraminghamFeature } from './framingham.js';

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

export type ReferenceSex = 'female' | 'male';

/**
 * D'Agostino et al., Circulation 2008, as tabled in ../reference/clinical.md (copied here as data):
 * β per feature, baseline 10-year survival S0 and mean linear predictor, per sex.
 */
export const FRAMINGHAM_REFERENCE = {
  male: {
    beta: {
      lnAge: 3.06117,
      lnTotalCholesterol: 1.1237,
      lnHdl: -0.93263,
      lnSbpUntreated: 1.93303,
      lnSbpTreated: 1.99881,
      smoker: 0.65451,
      diabetes: 0.57367,
    },
    s0: 0.88936,
    mean: 23.9802,
  },
  female: {
    beta: {
      lnAge: 2.32888,
      lnTotalCholesterol: 1.20904,
      lnHdl: -0.70833,
      lnSbpUntreated: 2.76157,
      lnSbpTreated: 2.82263,
      smoker: 0.52873,
      diabetes: 0.69154,
    },
    s0: 0.95012,
    mean: 26.1931,
  },
} as const satisfies Record<
  ReferenceSex,
  { beta: Record<FraminghamFeature, number>; s0: number; mean: number }
>;
