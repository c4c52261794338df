/**
 * Which declaration a client verifies each answer against (spec v2: "Which declaration a client
 * trusts"): never the one in the catalog it is shown, blindly. The app ships every computation's
 * declaration; a private model's new version, which it cannot ship, is pinned on first use for its
 * (id, version); and a catalog that later shows another declaration for a version already known is
 * refused, with a reason the patient can read.
 */

import { computationToWire } from './computations/catalog.js';
import type { Computation } from './computations/computation.js';
import { declaredShape } from './computations/computation.js';
import { type Declaration, parseDeclaration, sameDeclaration } from './declaration.js';
import { parseModel } from './models/model.js';
import { modelComputation } from './models/model-computation.js';
import { isRecord } from './records.js';

/**
 * Pins by "<id>@<version>" (a declaration) or "model:<id>@<version>" (a whole catalog entry), kept
 * on the device (IndexedDB in the app).
 */
export interface PinStore {
  get(key: string): Promise<unknown>;
  set(key: string, value: Declaration | string): Promise<void>;
}

export type Trust =
  | { readonly trusted: true; readonly computation: Computation }
  | { readonly trusted: false; readonly reason: string };

const refuse = (reason: string): Trust => ({ trusted: false, reason });

/** What this device will verify `bundled`'s answers against, given the service's catalog entry. */
export async function trustCatalogEntry(
  bundled: Computation,
  entry: unknown,
  pins: PinStore,
): Promise<Trust> {
  const shape = declaredShape(bundled);
  if (!isRecord(entry) || entry.id !== bundled.id)
    return refuse(`the service's entry for ${bundled.title} is malformed`);
  const { version } = entry;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    return refuse(`the service's entry for ${bundled.title} has no valid version`);
  }
  let declared: Declaration;
  try {
    declared = parseDeclaration(entry.evaluation, shape);
  } catch (error) {
    return refuse(
      `the service declares ${bundled.title} in a way this app refuses (${(error as Error).message})`,
    );
  }
  if (version === bundled.version) {
    return sameDeclaration(declared, bundled.evaluation, shape)
      ? { trusted: true, computation: bundled }
      : refuse(
          `the service now declares ${bundled.title} version ${version} differently from what this app ships ` +
            'with: a changed model must come as a new version',
        );
  }
  if (bundled.evaluation.kind !== 'private-linear' || declared.kind !== 'private-linear') {
    return refuse(
      `the service offers ${bundled.title} version ${version}; this app knows version ${bundled.version}. ` +
        'Update the app (reload the page) to use it',
    );
  }
  const key = `${bundled.id}@${version}`;
  const pinned = await pins.get(key);
  if (pinned === undefined) {
    await pins.set(key, declared);
  } else {
    let earlier: Declaration | undefined;
    try {
      earlier = parseDeclaration(pinned, shape);
    } catch {
      earlier = undefined;
    }
    if (!earlier || !sameDeclaration(earlier, declared, shape)) {
      return refuse(
        `the service changed the model of ${bundled.title} version ${version} since this device first used it`,
      );
    }
  }
  return { trusted: true, computation: { ...bundled, version, evaluation: declared } };
}

/**
 * What this device will verify the answers of a model it does not ship against: the service's whole
 * catalog entry, built into a computation by the same code the service loads model files with, and
 * pinned on first use for its (id, version), so that the service cannot later change a field's
 * meaning, a feature, the link or the declaration under the same version. The entry must be exactly
 * what its model describes (inputs, decode range, a public model's weights).
 */
export async function trustModelEntry(entry: unknown, pins: PinStore): Promise<Trust> {
  if (!isRecord(entry) || typeof entry.id !== 'string') return refuse('the service lists a malformed model');
  const name = typeof entry.title === 'string' ? entry.title : entry.id;
  let computation: Computation;
  try {
    const model = parseModel(entry.model, true);
    // A commitment does not depend on the inputs' names; a public model's weights are checked below.
    const declared = model.private
      ? parseDeclaration(entry.evaluation, { group: 'ristretto255', inputs: [], outputs: [model.output] })
      : undefined;
    computation = modelComputation(model, declared);
    const { evaluation: _, model: _model, ...described } = entry;
    const expected = computationToWire(computation);
    if (canonical(described) !== canonical(expected))
      throw new Error('its entry is not what its model describes');
    if (
      !sameDeclaration(
        parseDeclaration(entry.evaluation, declaredShape(computation)),
        computation.evaluation,
        declaredShape(computation),
      )
    )
      throw new Error('its declaration is not its model’s');
  } catch (error) {
    return refuse(`the service describes ${name} in a way this app refuses (${(error as Error).message})`);
  }
  const key = `model:${computation.id}@${computation.version}`;
  const seen = canonical(entry);
  const pinned = await pins.get(key);
  if (pinned === undefined) await pins.set(key, seen);
  else if (pinned !== seen) {
    return refuse(
      `the service changed ${computation.title} version ${computation.version} since this device first used it: ` +
        'a changed model must come as a new version',
    );
  }
  return { trusted: true, computation };
}

/** JSON with every object's keys sorted: the same entry gives the same text, whatever its key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    isRecord(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, v[k]]),
        )
      : v,
  );
}
