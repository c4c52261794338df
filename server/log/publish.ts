/**
 * Publishing to the transparency log: every model version the service serves and the web build it
 * serves are appended once, in order, never removed; then a new checkpoint is signed with the log
 * key and cosigned by the witnesses (C2SP tlog-witness), and replaces the served one. A changed
 * model under a version already logged stops the publish: it must come as a new version.
 */

import type { LogPolicy } from '../../shared/log/checkpoint.js';
import { formatCheckpoint } from '../../shared/log/checkpoint.js';
import { verifyCosignature } from '../../shared/log/cosignature.js';
import { entryBytes, type LogEntry } from '../../shared/log/entries.js';
import { leafHash } from '../../shared/log/merkle.js';
import {
  formatNote,
  type NoteSignature,
  parseNote,
  parseVerifierKey,
  type SignerKey,
  signNote,
} from '../../shared/log/note.js';
import { appendEntries, asLogWriter, type LoadedLog, readLog, writeCheckpoint } from './log-files.js';
import { collectCosignatures } from './witness-client.js';

/** Publishing would change what the log already says; names the entry and what to do. */
export class LogPublishError extends Error {
  override readonly name = 'LogPublishError';
}

export interface PublishOptions {
  readonly dir: string;
  readonly logKey: SignerKey;
  readonly policy: LogPolicy;
  /** What is served now: each model's v2 catalog entry and the web build. */
  readonly entries: readonly LogEntry[];
  /**
   * The witnesses (C2SP tlog-witness endpoints' prefixes), reached only when a checkpoint needs
   * cosigning: local witnesses run just for that.
   */
  readonly witnesses: readonly string[] | (() => Promise<WitnessSession>);
}

export interface WitnessSession {
  readonly urls: readonly string[];
  close(): Promise<void>;
}

export interface PublishResult {
  /** The entries appended by this publish, and where. */
  readonly appended: readonly { readonly index: number; readonly entry: LogEntry }[];
  readonly size: number;
  /** The witnesses whose cosignatures the served checkpoint carries. */
  readonly cosignedBy: readonly string[];
  readonly quorum: boolean;
  /** What each witness that did not cosign answered. */
  readonly refusals: readonly string[];
}

/** What identifies an entry across publishes: a model's (id, version), a web build's release. */
export function entryKey(entry: LogEntry): string {
  return entry.kind === 'web'
    ? `web release ${entry.release}`
    : `model ${String(entry.entry.id)} version ${String(entry.entry.version)}`;
}

export function publish(options: PublishOptions): Promise<PublishResult> {
  return asLogWriter(options.dir, () => publishAsWriter(options));
}

async function publishAsWriter(options: PublishOptions): Promise<PublishResult> {
  const { dir, policy } = options;
  const log = readLog(dir);
  const logged = new Map(log.entries.map((entry, index) => [entryKey(entry), log.lines[index]]));
  const appended: { index: number; entry: LogEntry }[] = [];
  const lines: string[] = [];
  const decoder = new TextDecoder();
  for (const entry of options.entries) {
    const key = entryKey(entry);
    const line = decoder.decode(entryBytes(entry));
    const earlier = logged.get(key);
    if (earlier === line) continue;
    if (earlier !== undefined)
      throw new LogPublishError(
        `The ${key} is already in the transparency log with other content: a changed model must come ` +
          'as a new version (npm run model -- new-version), and a web build is logged as it was built.',
      );
    logged.set(key, line);
    appended.push({ index: log.tree.size + lines.length, entry });
    lines.push(line);
  }
  if (lines.length > 0) appendEntries(dir, lines);
  const encoder = new TextEncoder();
  for (const line of lines) log.tree.append(leafHash(encoder.encode(line)));

  const served = servedCosigners(log, policy);
  const size = log.tree.size;
  if (log.checkpoint?.size === size && served.length >= policy.quorum) {
    return { appended, size, cosignedBy: served, quorum: true, refusals: [] };
  }
  const text = formatCheckpoint({ origin: policy.origin, size, root: log.tree.root(), extensions: [] });
  const signed = formatNote({ text, signatures: [signNote(text, options.logKey)] });
  const witnesses =
    typeof options.witnesses === 'function'
      ? await options.witnesses()
      : { urls: options.witnesses, close: async () => undefined };
  let outcomes: Awaited<ReturnType<typeof collectCosignatures>>;
  try {
    outcomes = await collectCosignatures(
      witnesses.urls.map((url) => ({ url })),
      {
        signedCheckpoint: signed,
        previousSize: log.checkpoint?.size ?? 0,
        proofFrom: (from) => log.tree.consistencyProof(from, size),
      },
    );
  } finally {
    await witnesses.close();
  }
  const cosignatures = acceptedCosignatures(
    text,
    outcomes.flatMap((o) => (o.ok ? o.signatures : [])),
    policy,
  );
  const refusals = outcomes.flatMap((o) => (o.ok ? [] : [`${o.url}: ${o.reason}`]));
  const cosignedBy = cosignatures.map((c) => c.name);
  // A retry that gathers fewer cosignatures for the same tree keeps the checkpoint already served.
  if (log.checkpoint?.size !== size || cosignedBy.length > served.length) {
    writeCheckpoint(dir, formatNote({ text, signatures: [signNote(text, options.logKey), ...cosignatures] }));
    return { appended, size, cosignedBy, quorum: cosignedBy.length >= policy.quorum, refusals };
  }
  return { appended, size, cosignedBy: served, quorum: served.length >= policy.quorum, refusals };
}

/** One valid cosignature per policy witness; anything else a witness sent is left out. */
function acceptedCosignatures(
  text: string,
  signatures: readonly NoteSignature[],
  policy: LogPolicy,
): NoteSignature[] {
  const accepted = new Map<string, NoteSignature>();
  for (const vkey of policy.witnesses) {
    const key = parseVerifierKey(vkey);
    const valid = signatures.find((s) => verifyCosignature(text, s, key).valid);
    if (valid && !accepted.has(key.name)) accepted.set(key.name, valid);
  }
  return [...accepted.values()];
}

/** The policy witnesses that cosigned the checkpoint served now. */
function servedCosigners(log: LoadedLog, policy: LogPolicy): string[] {
  if (!log.signedCheckpoint) return [];
  const note = parseNote(log.signedCheckpoint);
  return acceptedCosignatures(note.text, note.signatures, policy).map((s) => s.name);
}
