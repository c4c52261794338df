/**
 * The computation a v2 catalog entry describes, as this app will verify its answers (spec v2: "Which
 * declaration a client trusts"): never the entry blindly. This module decides what an entry *is*;
 * whether the entry is the one every patient gets is the transparency log's question
 * (shared/catalog-trust.ts).
 * - A computation this app ships, at the version it ships: exactly the shipped declaration.
 * - A shipped private model's other version: its new commitment, with the shipped form and meaning.
 * - A model this app does not ship: built from the entry by the same code the service loads model
 *   files with, and it must be exactly what its model describes. It may not take a shipped
 *   calculator's id or title, so a look-alike cannot stand in for one.
 */

import { COMPUTATIONS, computationToWire, findComputation } from './computations/catalog.js';
import { type Computation, declaredShape } from './computations/computation.js';
import { type Declaration, parseDeclaration, sameDeclaration } from './declaration.js';
import { parseModel } from './models/model.js';
import { modelComputation } from './models/model-computation.js';
import { isRecord } from './records.js';

/** Why an entry is refused, in words a patient can read (no value they entered). */
export class EntryRefusedError extends Error {
  override readonly name = 'EntryRefusedError';
}

/** A title as a patient would read it: case, accents' forms and spacing do not make it another. */
function readableTitle(title: string): string {
  return title.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

const SHIPPED_TITLES = new Map(COMPUTATIONS.map((c) => [readableTitle(c.title), c]));

/** The computation `entry` describes; throws `EntryRefusedError` saying why it is refused. */
export function describedComputation(entry: unknown): Computation {
  if (!isRecord(entry) || typeof entry.id !== 'string')
    throw new EntryRefusedError('the service lists a malformed computation');
  const shipped = findComputation(entry.id);
  return shipped ? shippedComputation(shipped, entry) : modelOfEntry(entry);
}

/** Whether `computation` is one this app ships, at the version it ships. */
export function isShipped(computation: Computation): boolean {
  return findComputation(computation.id)?.version === computation.version;
}

function shippedComputation(bundled: Computation, entry: Readonly<Record<string, unknown>>): Computation {
  const shape = declaredShape(bundled);
  const { version } = entry;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1)
    throw new EntryRefusedError(`the service's entry for ${bundled.title} has no valid version`);
  let declared: Declaration;
  try {
    declared = parseDeclaration(entry.evaluation, shape);
  } catch (error) {
    throw new EntryRefusedError(
      `the service declares ${bundled.title} in a way this app refuses (${(error as Error).message})`,
    );
  }
  if (version === bundled.version) {
    if (!sameDeclaration(declared, bundled.evaluation, shape))
      throw new EntryRefusedError(
        `the service now declares ${bundled.title} version ${version} differently from what this app ships ` +
          'with: a changed model must come as a new version',
      );
    return bundled;
  }
  if (bundled.evaluation.kind !== 'private-linear' || declared.kind !== 'private-linear')
    throw new EntryRefusedError(
      `the service offers ${bundled.title} version ${version}; this app knows version ${bundled.version}. ` +
        'Update the app (reload the page) to use it',
    );
  return { ...bundled, version, evaluation: declared };
}

function modelOfEntry(entry: Readonly<Record<string, unknown>>): Computation {
  const name = typeof entry.title === 'string' ? entry.title : String(entry.id);
  if (entry.model === undefined)
    throw new EntryRefusedError(`the service lists ${name}, which is neither shipped nor a model file`);
  let computation: Computation;
  try {
    const model = parseModel(entry.model, true);
    // A commitment does not depend on the inputs' names; a public model's weights are checked below.
    const declared = model.private
      ? parseDeclaration(entry.evaluation, { group: 'ristretto255', inputs: [], outputs: [model.output] })
      : undefined;
    computation = modelComputation(model, declared);
    const { evaluation: _, model: _model, log: _log, ...described } = entry;
    if (canonical(described) !== canonical(computationToWire(computation)))
      throw new Error('its entry is not what its model describes');
    const shape = declaredShape(computation);
    if (!sameDeclaration(parseDeclaration(entry.evaluation, shape), computation.evaluation, shape))
      throw new Error('its declaration is not its model’s');
  } catch (error) {
    throw new EntryRefusedError(
      `the service describes ${name} in a way this app refuses (${(error as Error).message})`,
    );
  }
  const lookalike = SHIPPED_TITLES.get(readableTitle(computation.title));
  if (lookalike)
    throw new EntryRefusedError(
      `the service offers a model titled “${computation.title}” that is not this app's ${lookalike.title}: ` +
        'a model may not take the name of a calculator the app ships',
    );
  return computation;
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
