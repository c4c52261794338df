/**
 * Per computation, end to end in one process: client encode+encrypt → service evaluate (validation,
 * homomorphic evaluation, re-randomization) → client verify+decrypt+decode+interpret; bytes on the wire.
 */

import { evaluateRequest } from '../server/evaluation.js';
import { decryptOutputs, encryptInputs, generateGroupKeyPair } from '../shared/client.js';
import { COMPUTATIONS } from '../shared/computations/catalog.js';
import type { FormValues } from '../shared/computations/computation.js';
import { measure, type Timing } from './measure.js';

/** A representative patient per computation (the timings do not depend on the values). */
export const SAMPLE_FORMS: Readonly<Record<string, FormValues>> = {
  bmi: { weight: { value: 83.7, unit: 'kg' }, height: { value: 176.4, unit: 'cm' } },
  'cha2ds2-vasc': {
    age: { value: 71, unit: 'years' },
    sex: 'female',
    chf: false,
    hypertension: true,
    diabetes: true,
    stroke: false,
    vascular: false,
  },
};

export interface ComputationResult {
  readonly id: string;
  readonly group: string;
  readonly encrypt: Timing;
  readonly evaluate: Timing;
  readonly decrypt: Timing;
  readonly requestBytes: number;
  readonly responseBytes: number;
}

export function benchComputations(): ComputationResult[] {
  return COMPUTATIONS.map((computation) => {
    const form = SAMPLE_FORMS[computation.id];
    if (!form) throw new Error(`No sample form for ${computation.id}: add one to bench/computations.ts.`);
    const key = generateGroupKeyPair(computation.group);
    const plaintexts = computation.encodeInputs(form);
    const request = encryptInputs(computation, key, plaintexts);
    const response = evaluateRequest(computation, request);
    const responseJson = JSON.stringify(response);
    return {
      id: computation.id,
      group: computation.group,
      encrypt: measure(() => encryptInputs(computation, key, computation.encodeInputs(form))),
      evaluate: measure(() => evaluateRequest(computation, JSON.parse(JSON.stringify(request)))),
      decrypt: measure(() =>
        computation.interpret(decryptOutputs(computation, key, JSON.parse(responseJson)), form),
      ),
      requestBytes: new TextEncoder().encode(JSON.stringify(request)).length,
      responseBytes: new TextEncoder().encode(responseJson).length,
    };
  });
}
