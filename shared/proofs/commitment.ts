/**
 * A private model's Pedersen commitment W = Σₖ vₖ·Gₖ + ρ·H (spec v2: "The private model's
 * commitment"): binding, so the service cannot evaluate with other weights than it committed to, and
 * hiding under ρ, so W says nothing about them. v and ρ are secret: constant-time `pow` only.
 */

import type { Group } from '../groups/group.js';
import { blindingGenerator, commitmentGenerators } from './generators.js';

export function commitToModel<E>(group: Group<E>, vector: readonly bigint[], rho: bigint): E {
  const generators = commitmentGenerators(vector.length).map((bytes) => group.fromBytes(bytes));
  return vector.reduce(
    (sum, v, k) => group.multiply(sum, group.pow(generators[k] as E, v)),
    group.pow(group.fromBytes(blindingGenerator()), rho),
  );
}
