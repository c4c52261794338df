/** Evaluations the service keeps to itself, by computation id (see `PrivateModelComputation`). */

import type { AdditiveOps, Ciphertexts } from '../../shared/computations/computation.js';
import { evaluateFramingham } from './framingham-2008.js';

export type AdditiveEvaluation = <E>(ops: AdditiveOps<E>, inputs: Ciphertexts<E>) => Ciphertexts<E>;

export const PRIVATE_MODELS: ReadonlyMap<string, AdditiveEvaluation> = new Map([
  ['framingham-2008', evaluateFramingham],
]);
