/**
 * What the computation tests share: the same evaluation run on plaintext integers (fast, for
 * thousands of property runs) and the whole encrypted protocol in one process (slower, for fewer).
 * Only tests import this file.
 */

import { evaluateAndProve } from '../../server/evaluation.js';
import { loadServedCatalog, type ServedComputation } from '../../server/served-catalog.js';
import { AdditiveDecoder } from '../additive-decoder.js';
import { encryptInputs, type GroupKeyPair, verifyAndDecryptOutputs } from '../client.js';
import type { Computation, Plaintexts } from './computation.js';

const servedCatalog = loadServedCatalog();

/** The computation as the service serves it, with its private model when it has one. */
export function serve(computation: Computation): ServedComputation {
  const served = servedCatalog.get(computation.id);
  if (!served) throw new Error(`The service does not serve ${computation.id}.`);
  return served;
}

/**
 * The integers the service's evaluation yields for these inputs, computed without encryption from
 * what it evaluates from: the declaration's weights or exponents, or the private model's weights.
 */
export function evaluateInTheClear(computation: Computation, plaintexts: Plaintexts): Plaintexts {
  const { matrix } = serve(computation);
  const inputs = computation.inputs.map((input) => plaintexts[input.name] ?? 0n);
  const multiplicative = computation.evaluation.kind === 'public-monomial';
  return Object.fromEntries(
    computation.outputs.map((output, j) => {
      const row = matrix.coefficients[j] ?? [];
      const constant = matrix.constants[j] ?? 0n;
      const value = multiplicative
        ? row.reduce((product, e, i) => product * (inputs[i] as bigint) ** e, constant)
        : row.reduce((sum, w, i) => sum + w * (inputs[i] as bigint), constant);
      return [output.name, value];
    }),
  );
}

/** The tests' own decoder, as the worker keeps its own: its table serves every round trip of a file. */
const decoder = new AdditiveDecoder();

/** The whole protocol in one process, v2 with its proof, with a JSON trip on each side as over HTTP. */
export function encryptedRoundTrip(
  computation: Computation,
  key: GroupKeyPair,
  plaintexts: Plaintexts,
): Plaintexts {
  const request = JSON.parse(JSON.stringify(encryptInputs(computation, key, plaintexts)));
  const response = JSON.parse(JSON.stringify(evaluateAndProve(serve(computation), request)));
  return verifyAndDecryptOutputs(computation, key, request, response, {}, undefined, decoder);
}

export type ReferenceSex = 'female' | 'male';

/** Framingham's features and sexes as its model file names them (framingham-2008.model.json). */
export const FRAMINGHAM_FEATURES = [
  'lnAge',
  'lnTotalCholesterol',
  'lnHdl',
  'lnSbpUntreated',
  'lnSbpTreated',
  'smoker',
  'diabetes',
] as const;
export type FraminghamFeature = (typeof FRAMINGHAM_FEATURES)[number];
export const FRAMINGHAM_SEXES = ['Male', 'Female'] as const;
export type FraminghamSex = (typeof FRAMINGHAM_SEXES)[number];

/** A feature's input in one sex's slots, e.g. lnAgeFemale. */
export function framinghamInputName(feature: FraminghamFeature, sex: FraminghamSex): string {
  return `${feature}${sex}`;
}

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
