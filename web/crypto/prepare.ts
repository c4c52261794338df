/**
 * Gets the worker ready to encrypt in a group before the patient presses Compute, and to verify the
 * answer: reads the current public key, loads the group's backend (libsodium for ristretto255), builds
 * the fixed-base tables it offers for g and for that key (once each: the group keeps them), and the
 * proofs' commitment generators. That is work once per page that would otherwise land on the first
 * computation. The tables' rows for the proofs' long responses come after, a few at a time, so an
 * encryption asked for meanwhile does not wait for them.
 */

import { COMPUTATIONS } from '../../shared/computations/catalog.js';
import type { GroupName } from '../../shared/groups/group.js';
import { prepareGenerators } from '../../shared/proofs/answer-proof.js';
import { honestResponseBits } from '../../shared/proofs/proof-scalars.js';
import { committedVectorLength } from '../../shared/proofs/relations.js';
import { withScheme } from '../../shared/scheme.js';
import { publicKeyFromWire } from '../../shared/wire.js';
import { backendsFor } from './backends.js';
import { currentPublicKey } from './keystore.js';
import { openHistoryStore } from './sealed-records.js';

export async function prepareGroup(groupName: GroupName): Promise<undefined> {
  const [{ publicKey }, backends] = await Promise.all([
    currentPublicKey(groupName),
    backendsFor(groupName),
    openHistoryStore(),
  ]);
  const longer = withScheme(
    groupName,
    ({ group }) => {
      const y = publicKeyFromWire(group, publicKey);
      group.prepareBase?.(group.generator);
      group.prepareBase?.(y);
      if (group.name === 'ristretto255') {
        prepareGenerators(group, largestCommittedVector());
        return undefined;
      }
      // ffdhe: rows up to the proofs' responses, so that verifying costs no squarings.
      const bits = honestResponseBits(group.name);
      return () =>
        extendInSteps((upTo) => {
          group.prepareBase?.(group.generator, upTo);
          group.prepareBase?.(y, upTo);
        }, bits);
    },
    backends,
  );
  if (longer) await longer();
  return undefined;
}

/** Rows for 36 more bits of exponent per step, yielding between, so a message never waits long. */
const BITS_PER_STEP = 36;

async function extendInSteps(extend: (upTo: number) => void, bits: number): Promise<void> {
  for (let upTo = BITS_PER_STEP; upTo < bits + BITS_PER_STEP; upTo += BITS_PER_STEP) {
    extend(Math.min(upTo, bits));
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

/** K of the largest private model this app ships: the generators its proofs need. */
function largestCommittedVector(): number {
  return Math.max(
    0,
    ...COMPUTATIONS.filter((c) => c.evaluation.kind === 'private-linear').map((c) =>
      committedVectorLength(c.inputs.length, c.outputs.length),
    ),
  );
}
