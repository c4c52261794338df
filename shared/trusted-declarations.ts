/**
 * Which declaration a client verifies each answer against (spec v2: "Which declaration a client
 * trusts"): never the one in the catalog it is shown, blindly. The app ships every computation's
 * declaration; a private model's new version, which it cannot ship, is pinned on first use for its
 * (id, version); and a catalog that later shows another declaration for a version already known is
 * refused, with a reason the patient can read.
 */

import type { Computation } from './computations/computation.js';
import { declaredShape } from './computations/computation.js';
import { type Declaration, parseDeclaration, sameDeclaration } from './declaration.js';
import { isRecord } from './records.js';

/** Pins by "<id>@<version>", kept on the device (IndexedDB in the app). */
export interface PinStore {
  get(key: string): Promise<unknown>;
  set(key: string, declaration: Declaration): Promise<void>;
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
