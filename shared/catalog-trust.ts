/**
 * Whether the catalog a device is shown is the one every patient gets (docs/TRANSPARENCY.md). A
 * computation the app ships, at the version it ships, is trusted as shipped: the app's own release
 * is what is logged for it. Anything else (a model the app does not ship, a new version of one it
 * does) is trusted only with
 * - a checkpoint signed by the log's key and cosigned by a quorum of the policy's witnesses,
 * - consistent with the last checkpoint this device accepted (a smaller tree is a rollback, another
 *   root for the same size or a failed consistency proof a fork), and
 * - a valid RFC 9162 inclusion proof of exactly that entry's bytes in it;
 * and never a lower version of an id than this device has used, nor another entry for an
 * (id, version) it has accepted. What was checked is kept with each verdict, to be shown.
 */

import { describedComputation, type EntryRefusedError, isShipped } from './catalog-entry.js';
import type { Computation } from './computations/computation.js';
import { CheckpointRefused, type LogPolicy, verifyCheckpoint } from './log/checkpoint.js';
import { entryBytes, hashFromBase64Url, hashToBase64Url, modelLogEntry } from './log/entries.js';
import { type Hash, leafHash, verifyConsistency, verifyInclusion } from './log/merkle.js';
import { isRecord } from './records.js';

/** The log's routes, as the device reaches them (or replays them offline). */
export interface LogClient {
  checkpoint(): Promise<string>;
  inclusion(index: number, size: number): Promise<readonly Hash[]>;
  consistency(from: number, to: number): Promise<readonly Hash[]>;
}

/** What a device remembers between checks; kept sealed (web/crypto/sealed-records.ts). */
export interface TrustState {
  /** The last checkpoint this device accepted: its size and root (unpadded base64url). */
  readonly checkpoint?: { readonly size: number; readonly root: string };
  /** The highest version of each id this device has accepted. */
  readonly versions: Readonly<Record<string, number>>;
  /** "<id>@<version>" → the leaf hash (base64url) of the entry accepted for it. */
  readonly accepted: Readonly<Record<string, string>>;
}

export const EMPTY_TRUST_STATE: TrustState = { versions: {}, accepted: {} };

const countOf = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** A kept state as this module writes it (it comes back from storage as unknown). */
export function isTrustState(value: unknown): value is TrustState {
  if (!isRecord(value) || !isRecord(value.versions) || !isRecord(value.accepted)) return false;
  const { checkpoint } = value;
  return (
    (checkpoint === undefined ||
      (isRecord(checkpoint) && countOf(checkpoint.size) && typeof checkpoint.root === 'string')) &&
    Object.values(value.versions).every(countOf) &&
    Object.values(value.accepted).every((leaf) => typeof leaf === 'string')
  );
}

/** What was checked for a computation the app does not ship, for "What left this device". */
export interface LogEvidence {
  /** The checkpoint as served: the signed note with its cosignatures. */
  readonly checkpoint: string;
  readonly size: number;
  readonly cosignedBy: readonly string[];
  /** From the checkpoint this device had accepted before, when it had one. */
  readonly consistency?: { readonly from: number; readonly to: number; readonly proof: readonly string[] };
  readonly inclusion: {
    readonly index: number;
    readonly leaf: string;
    readonly proof: readonly string[];
  };
}

export type Verdict =
  | {
      readonly trusted: true;
      readonly computation: Computation;
      /** The v2 catalog entry as served, without its `log` member (what the log holds). */
      readonly entry: Readonly<Record<string, unknown>>;
      /** Absent for a computation the app ships at the version it ships. */
      readonly log?: LogEvidence;
    }
  | { readonly trusted: false; readonly reason: string };

export interface CatalogCheck {
  /** By computation id, in the catalog's order. */
  readonly verdicts: ReadonlyMap<string, Verdict>;
  /** The state to keep: unchanged unless a checkpoint was accepted. */
  readonly state: TrustState;
}

const refuse = (reason: string): Verdict => ({ trusted: false, reason });

/** A catalog entry and what it describes, or why it is refused. */
type Described = { readonly id: string; readonly entry: Readonly<Record<string, unknown>> } & (
  | { readonly computation: Computation }
  | { readonly refused: string }
);

interface AcceptedCheckpoint {
  readonly text: string;
  readonly size: number;
  readonly root: Hash;
  readonly cosignedBy: readonly string[];
  readonly consistency?: LogEvidence['consistency'];
}

/**
 * Checks every entry of a v2 catalog body. `policy` is the trust policy the app was built with;
 * without one, nothing the app does not ship is trusted.
 */
export async function checkCatalog(
  catalog: unknown,
  policy: LogPolicy | undefined,
  log: LogClient,
  state: TrustState,
): Promise<CatalogCheck> {
  const entries = isRecord(catalog) && Array.isArray(catalog.computations) ? catalog.computations : [];
  const described = entries.flatMap((entry: unknown): Described[] => {
    if (!isRecord(entry) || typeof entry.id !== 'string') return [];
    try {
      return [{ id: entry.id, entry, computation: describedComputation(entry) }];
    } catch (error) {
      return [{ id: entry.id, entry, refused: (error as EntryRefusedError).message }];
    }
  });
  const needsLog = described.some((d) => 'computation' in d && !isShipped(d.computation));
  const checkpoint = needsLog ? await acceptCheckpoint(policy, log, state) : undefined;

  // Each entry on its own (a catalog lists an id once), the log's proofs fetched all at once.
  const checked = await Promise.all(
    described.map(async (item): Promise<[string, Verdict]> => {
      const { id, entry } = item;
      if (!('computation' in item)) return [id, refuse(item.refused)];
      const { computation } = item;
      const { log: _, ...logged } = entry;
      const { title, version } = computation;
      const highest = state.versions[id];
      if (highest !== undefined && version < highest)
        return [
          id,
          refuse(
            `the service offers ${title} version ${version}, but this device has already used version ` +
              `${highest}: a version never goes back`,
          ),
        ];
      if (isShipped(computation)) return [id, { trusted: true, computation, entry: logged }];
      if (typeof checkpoint === 'string')
        return [
          id,
          refuse(`${title} version ${version} cannot be checked against the public log: ${checkpoint}`),
        ];
      return [
        id,
        await includedInLog(computation, entry, checkpoint as AcceptedCheckpoint, log, state.accepted),
      ];
    }),
  );
  const verdicts = new Map(checked);
  const versions: Record<string, number> = { ...state.versions };
  const accepted: Record<string, string> = { ...state.accepted };
  for (const verdict of verdicts.values()) {
    if (!verdict.trusted || !verdict.log) continue;
    const { id, version } = verdict.computation;
    versions[id] = Math.max(version, versions[id] ?? 0);
    accepted[`${id}@${version}`] = verdict.log.inclusion.leaf;
  }
  const kept =
    checkpoint === undefined || typeof checkpoint === 'string'
      ? state
      : { checkpoint: { size: checkpoint.size, root: hashToBase64Url(checkpoint.root) }, versions, accepted };
  return { verdicts, state: kept };
}

/** The served checkpoint if it is signed, cosigned and consistent with the last one; else why not. */
async function acceptCheckpoint(
  policy: LogPolicy | undefined,
  log: LogClient,
  state: TrustState,
): Promise<AcceptedCheckpoint | string> {
  if (!policy) return 'this app was built without a transparency log to check models against';
  let text: string;
  try {
    text = await log.checkpoint();
  } catch {
    return 'the service’s transparency log could not be reached';
  }
  let cosignedBy: readonly string[];
  let size: number;
  let root: Hash;
  try {
    const verified = verifyCheckpoint(text, policy);
    ({ size, root } = verified.checkpoint);
    cosignedBy = verified.cosignedBy.map((c) => c.name);
  } catch (error) {
    if (error instanceof CheckpointRefused || error instanceof Error)
      return `the log’s checkpoint is refused (${error.message})`;
    throw error;
  }
  const earlier = state.checkpoint;
  if (!earlier) return { text, size, root, cosignedBy };
  const earlierRoot = hashFromBase64Url(earlier.root);
  if (size < earlier.size)
    return (
      `the log the service shows (${size} entries) is older than the one this device has already ` +
      `seen (${earlier.size}): a rolled-back log`
    );
  const fork = 'the log the service shows is not an extension of the one this device has seen (a forked log)';
  if (size === earlier.size)
    return verifyConsistency(size, size, [], earlierRoot, root) ? { text, size, root, cosignedBy } : fork;
  let proof: readonly Hash[];
  try {
    proof = await log.consistency(earlier.size, size);
  } catch {
    return 'the service’s transparency log could not be reached';
  }
  if (!verifyConsistency(earlier.size, size, proof, earlierRoot, root)) return fork;
  return {
    text,
    size,
    root,
    cosignedBy,
    consistency: { from: earlier.size, to: size, proof: proof.map(hashToBase64Url) },
  };
}

async function includedInLog(
  computation: Computation,
  entry: Readonly<Record<string, unknown>>,
  checkpoint: AcceptedCheckpoint,
  log: LogClient,
  accepted: Readonly<Record<string, string>>,
): Promise<Verdict> {
  const { id, title, version } = computation;
  const notLogged = `${title} version ${version} is not in the public transparency log`;
  const place = isRecord(entry.log) ? entry.log.index : undefined;
  if (typeof place !== 'number' || !Number.isSafeInteger(place) || place < 0 || place >= checkpoint.size)
    return refuse(`${notLogged}: the service did not say where it is logged`);
  const logged = modelLogEntry(entry);
  const leaf = leafHash(entryBytes(logged));
  const leafText = hashToBase64Url(leaf);
  const earlier = accepted[`${id}@${version}`];
  if (earlier !== undefined && earlier !== leafText)
    return refuse(
      `the service changed ${title} version ${version} since this device first used it: a changed model must come as a new version`,
    );
  let proof: readonly Hash[];
  try {
    proof = await log.inclusion(place, checkpoint.size);
  } catch {
    return refuse(`${notLogged}: its proof could not be fetched`);
  }
  if (!verifyInclusion(place, checkpoint.size, leaf, proof, checkpoint.root))
    return refuse(`${notLogged}: what the service shows this device is not what it logged for every patient`);
  if (logged.kind !== 'model') throw new TypeError('a catalog entry is logged as a model');
  return {
    trusted: true,
    computation,
    entry: logged.entry,
    log: {
      checkpoint: checkpoint.text,
      size: checkpoint.size,
      cosignedBy: checkpoint.cosignedBy,
      ...(checkpoint.consistency ? { consistency: checkpoint.consistency } : {}),
      inclusion: { index: place, leaf: leafText, proof: proof.map(hashToBase64Url) },
    },
  };
}
