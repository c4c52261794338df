/**
 * The computations this app ships. Written as code: products and series that no model file can say
 * (`CODE_COMPUTATIONS`, which the service serves as they are). Shipped model files: the built-in
 * models whose declarations the app trusts without pinning (models/). Any other model the
 * service loads reaches the app through its v2 catalog (web/crypto/trusted-catalog.ts).
 */

import type { ComputationWire } from '../wire.js';
import { bmi } from './bmi.js';
import { cha2ds2Vasc } from './cha2ds2-vasc.js';
import { cockcroftGault } from './cockcroft-gault.js';
import type { Computation } from './computation.js';
import { framingham } from './framingham.js';
import { readingsSummary } from './readings-summary.js';

export const CODE_COMPUTATIONS: readonly Computation[] = [bmi, cockcroftGault, readingsSummary];

export const COMPUTATIONS: readonly Computation[] = [
  bmi,
  cha2ds2Vasc,
  framingham,
  cockcroftGault,
  readingsSummary,
];

const byId = new Map(COMPUTATIONS.map((c) => [c.id, c]));

export function findComputation(id: string): Computation | undefined {
  return byId.get(id);
}

/**
 * The baby-step table a client builds ahead of its first additive decode (and keeps): 4√n entries for
 * the widest additive output range of `computations` (the catalog the client has), at most 2^18
 * entries, a bound on the worker's memory.
 */
export function additiveDecodingTableWidth(computations: readonly Computation[]): number {
  const widest = Math.max(
    1,
    ...computations
      .filter((c) => c.scheme === 'additive')
      .flatMap((c) => c.outputs.map((o) => o.max - o.min + 1)),
  );
  return Math.min(2 ** 18, 4 * Math.ceil(Math.sqrt(widest)));
}

/** The public description (spec: `Computation`): inputs, outputs and bounds; never evaluation details. */
export function computationToWire(c: Computation): ComputationWire {
  const parameters = c.parameters ? { parameters: { ...c.parameters } } : {};
  return {
    id: c.id,
    version: c.version,
    title: c.title,
    description: c.description,
    group: c.group,
    inputs: c.inputs.map(({ name, label, unit, min, max }) => ({ name, label, unit, min, max })),
    outputs: c.outputs.map(({ name, min, max }) => ({ name, min, max })),
    ...parameters,
  };
}

/** The v2 catalog entry: the public description, what it declares it evaluates and a model file's public part. */
export function computationToWireV2(c: Computation) {
  return {
    ...computationToWire(c),
    evaluation: c.evaluation,
    // What the app builds a model's form, encoding and result from.
    ...(c.model ? { model: c.model } : {}),
  };
}
