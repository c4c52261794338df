/**
 * The service's private Framingham 2008 model: the coefficients β, which never leave the service
 * (not in the catalog, not in any response, not in the web bundle). Published values from
 * D'Agostino et al., Circulation 2008 (../reference/clinical.md), as integers ×10^4.
 */

import type { AdditiveOps, Ciphertexts } from '../../shared/computations/computation.js';
import { named } from '../../shared/computations/computation.js';
import {
  FRAMINGHAM_WEIGHT_SCALE,
  type FraminghamFeature,
  type FraminghamSex,
  framinghamInputName,
} from '../../shared/computations/framingham.js';

const COEFFICIENTS: Record<FraminghamSex, Record<FraminghamFeature, number>> = {
  Male: {
    lnAge: 3.06117,
    lnTotalCholesterol: 1.1237,
    lnHdl: -0.93263,
    lnSbpUntreated: 1.93303,
    lnSbpTreated: 1.99881,
    smoker: 0.65451,
    diabetes: 0.57367,
  },
  Female: {
    lnAge: 2.32888,
    lnTotalCholesterol: 1.20904,
    lnHdl: -0.70833,
    lnSbpUntreated: 2.76157,
    lnSbpTreated: 2.82263,
    smoker: 0.52873,
    diabetes: 0.69154,
  },
};

/** Fixed-point weight per input name (rounding β to 10^-4 moves a risk by < 0.02 percentage points). */
const WEIGHTS: readonly (readonly [string, bigint])[] = Object.entries(COEFFICIENTS).flatMap(([sex, betas]) =>
  Object.entries(betas).map(
    ([feature, beta]) =>
      [
        framinghamInputName(feature as FraminghamFeature, sex as FraminghamSex),
        BigInt(Math.round(beta * FRAMINGHAM_WEIGHT_SCALE)),
      ] as const,
  ),
);

/**
 * E(Σ β·x) over both sexes' inputs: the patient's own sex carries the features, the other sex's
 * inputs are E(0), so the service never knows which model contributed. The weights are secret, so
 * they go through the constant-time scalar multiplication (`Group.pow`), zero-safe.
 */
export function evaluateFramingham<E>(ops: AdditiveOps<E>, inputs: Ciphertexts<E>): Ciphertexts<E> {
  return { linearPredictor: ops.weightedSum(WEIGHTS.map(([name, weight]) => [named(inputs, name), weight])) };
}
