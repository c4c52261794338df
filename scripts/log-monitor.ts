/**
 * The log's monitor (`npm run log -- monitor URL`): what a regulator, a journal or a patients'
 * association runs to see everything a Sealed Vitals service has ever published. It reads only the
 * public routes and the specifications (RFC 9162, C2SP signed-note, tlog-checkpoint,
 * tlog-cosignature; docs/TRANSPARENCY.md), never the service's code:
 * - the checkpoint: the log's signature and a quorum of the policy's witnesses;
 * - consistency with the checkpoint it saw last (kept in its state file): no rollback, no fork;
 * - every entry, in canonical form, rebuilding the tree to the checkpoint's root;
 * - no (id, version) and no release logged twice with different content;
 * - the service's catalog now: each entry logged where it says, as served;
 * - the site now: every file of the newest logged release served with its logged hash.
 * It prints every model version and web release ever logged; exit 0 only if everything holds.
 */

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { type LogPolicy, parseLogPolicy, verifyCheckpoint } from '../shared/log/checkpoint.js';
import {
  entryBytes,
  hashFromBase64Url,
  hashToBase64Url,
  type LogEntry,
  modelLogEntry,
  parseLogEntry,
} from '../shared/log/entries.js';
import { leafHash, MerkleTree, verifyConsistency, verifyInclusion } from '../shared/log/merkle.js';
import { catalogEntryFingerprint } from '../shared/proofs/fingerprint.js';
import { isRecord } from '../shared/records.js';

export interface MonitorOptions {
  /** The service's base URL, e.g. https://vitals.example.org */
  readonly url: string;
  /** The trust policy to check against; without it, the one the service serves, pinned in the state. */
  readonly policyFile?: string;
  /** Where the last checkpoint seen is kept (default ~/.sealed-vitals-monitor/<origin>.json). */
  readonly stateFile?: string;
  readonly print: (line: string) => void;
}

interface MonitorState {
  readonly policy: LogPolicy;
  readonly size: number;
  readonly root: string;
}

/** A finding that makes the log untrustworthy; the monitor prints it and exits non-zero. */
export class MonitorFailure extends Error {
  override readonly name = 'MonitorFailure';
}

async function fetchOk(url: string, accept: string): Promise<Response> {
  const response = await fetch(url, { headers: { accept } });
  if (!response.ok) throw new MonitorFailure(`GET ${url} answered HTTP ${response.status}.`);
  return response;
}

const getJson = async (url: string): Promise<unknown> => (await fetchOk(url, 'application/json')).json();

function readState(file: string): MonitorState | undefined {
  if (!existsSync(file)) return undefined;
  const state = JSON.parse(readFileSync(file, 'utf8')) as MonitorState;
  return { ...state, policy: parseLogPolicy(state.policy) };
}

function writeState(file: string, state: MonitorState): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

function samePolicy(a: LogPolicy, b: LogPolicy): boolean {
  const key = (p: LogPolicy) => JSON.stringify([p.origin, p.logKey, [...p.witnesses].sort(), p.quorum]);
  return key(a) === key(b);
}

async function trustPolicy(options: MonitorOptions, api: string, kept: MonitorState | undefined) {
  const served = parseLogPolicy(await getJson(`${api}/log`));
  if (options.policyFile) {
    const own = parseLogPolicy(JSON.parse(readFileSync(options.policyFile, 'utf8')));
    if (!samePolicy(own, served))
      options.print('note: the service serves another policy than yours; checking against yours');
    return own;
  }
  if (kept && !samePolicy(kept.policy, served))
    throw new MonitorFailure('The service now serves another trust policy than the one this monitor pinned.');
  if (!kept)
    options.print(
      'note: trusting the policy the service serves, pinned from now on (--policy FILE to give your own)',
    );
  return kept?.policy ?? served;
}

export async function monitor(options: MonitorOptions): Promise<void> {
  const { print } = options;
  const base = options.url.replace(/\/+$/, '');
  const api = `${base}/api/v2`;
  const servedPolicy = parseLogPolicy(await getJson(`${api}/log`));
  const stateFile =
    options.stateFile ??
    join(homedir(), '.sealed-vitals-monitor', `${servedPolicy.origin.replace(/[^A-Za-z0-9.-]+/g, '_')}.json`);
  const kept = readState(stateFile);
  const policy = await trustPolicy(options, api, kept);

  const signed = await (await fetchOk(`${api}/log/checkpoint`, 'text/plain')).text();
  let verified: ReturnType<typeof verifyCheckpoint>;
  try {
    verified = verifyCheckpoint(signed, policy);
  } catch (error) {
    throw new MonitorFailure(`The checkpoint is refused: ${(error as Error).message}.`);
  }
  const { size, root } = verified.checkpoint;
  print(`checkpoint: ${policy.origin}, ${size} entries, root ${hashToBase64Url(root)}`);
  print(
    `  signed by the log; cosigned by ${verified.cosignedBy.map((c) => `${c.name} (${new Date(c.timestamp * 1000).toISOString()})`).join(', ')}`,
  );

  if (kept) {
    const earlierRoot = hashFromBase64Url(kept.root);
    if (size < kept.size)
      throw new MonitorFailure(`Rollback: the log has ${size} entries; it had ${kept.size}.`);
    const query = new URLSearchParams({ from: String(kept.size), to: String(size) });
    const consistency = (await getJson(`${api}/log/consistency?${query}`)) as { proof?: unknown };
    const proof = Array.isArray(consistency.proof)
      ? consistency.proof.map((h) => hashFromBase64Url(String(h)))
      : [];
    if (!verifyConsistency(kept.size, size, proof, earlierRoot, root))
      throw new MonitorFailure(
        `Fork: the log of ${size} entries does not extend the one of ${kept.size} seen before.`,
      );
    print(`  consistent with the checkpoint of ${kept.size} entries seen before`);
  }

  const entries = await allEntries(api, size);
  const tree = new MerkleTree(entries.map((entry) => leafHash(entryBytes(entry))));
  if (hashToBase64Url(tree.root()) !== hashToBase64Url(root))
    throw new MonitorFailure('The entries served do not hash to the checkpoint’s root.');
  print(`  ${size} entries rebuild the checkpoint's root`);
  checkNoRewrites(entries);
  for (const [index, entry] of entries.entries()) print(describe(index, entry));

  await checkCatalog(api, entries, tree, size, print);
  await checkSite(base, entries, print);
  writeState(stateFile, { policy, size, root: hashToBase64Url(root) });
  print(`all checks passed; state kept in ${stateFile}`);
}

async function allEntries(api: string, size: number): Promise<LogEntry[]> {
  const entries: LogEntry[] = [];
  while (entries.length < size) {
    const query = new URLSearchParams({ start: String(entries.length), end: String(size) });
    const page = (await getJson(`${api}/log/entries?${query}`)) as { entries?: unknown };
    if (!Array.isArray(page.entries) || page.entries.length === 0)
      throw new MonitorFailure(`The log served no entries from ${entries.length}.`);
    for (const value of page.entries) {
      try {
        entries.push(parseLogEntry(value));
      } catch (error) {
        throw new MonitorFailure(`Entry ${entries.length} is malformed: ${(error as Error).message}.`);
      }
    }
  }
  return entries.slice(0, size);
}

function keyOf(entry: LogEntry): string {
  return entry.kind === 'web'
    ? `web release ${entry.release}`
    : `model ${String(entry.entry.id)} version ${String(entry.entry.version)}`;
}

function checkNoRewrites(entries: readonly LogEntry[]): void {
  const seen = new Map<string, string>();
  for (const [index, entry] of entries.entries()) {
    const key = keyOf(entry);
    const bytes = new TextDecoder().decode(entryBytes(entry));
    const earlier = seen.get(key);
    if (earlier !== undefined && earlier !== bytes)
      throw new MonitorFailure(`The ${key} is logged twice with different content (again at ${index}).`);
    seen.set(key, bytes);
  }
}

function describe(index: number, entry: LogEntry): string {
  if (entry.kind === 'web')
    return `${index}: web release ${entry.release}, ${Object.keys(entry.files).length} files`;
  const e = entry.entry;
  const evaluation = isRecord(e.evaluation) ? e.evaluation : {};
  const how =
    evaluation.kind === 'private-linear'
      ? `private model, commitment W ${String(evaluation.commitment)}`
      : `${String(evaluation.kind)} (published weights)`;
  return `${index}: ${String(e.id)} version ${String(e.version)} “${String(e.title)}”, ${how}, fingerprint ${catalogEntryFingerprint(e)}`;
}

/** Every entry of the catalog served now is logged at the index it gives, as served. */
async function checkCatalog(
  api: string,
  entries: readonly LogEntry[],
  tree: MerkleTree,
  size: number,
  print: (line: string) => void,
): Promise<void> {
  const catalog = (await getJson(`${api}/computations`)) as { computations?: unknown };
  const served = Array.isArray(catalog.computations) ? catalog.computations : [];
  for (const value of served) {
    if (!isRecord(value)) throw new MonitorFailure('The catalog holds a malformed entry.');
    const index = isRecord(value.log) ? value.log.index : undefined;
    const name = `${String(value.id)} version ${String(value.version)}`;
    if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0 || index >= size)
      throw new MonitorFailure(`The catalog serves ${name} without a place in the log.`);
    const leaf = leafHash(entryBytes(modelLogEntry(value)));
    const query = new URLSearchParams({ index: String(index), size: String(size) });
    const inclusion = (await getJson(`${api}/log/inclusion?${query}`)) as { proof?: unknown };
    const proof = Array.isArray(inclusion.proof)
      ? inclusion.proof.map((h) => hashFromBase64Url(String(h)))
      : [];
    const logged = entries[index];
    if (!logged || !verifyInclusion(index, size, leaf, proof, tree.root()))
      throw new MonitorFailure(`The catalog serves ${name} differently from what the log holds at ${index}.`);
  }
  print(`catalog: ${served.length} entries served now, each logged where it says (inclusion proofs checked)`);
}

/** The site serves the newest logged release's files, each with its logged hash. */
async function checkSite(
  base: string,
  entries: readonly LogEntry[],
  print: (line: string) => void,
): Promise<void> {
  const releases = entries.filter((e): e is Extract<LogEntry, { kind: 'web' }> => e.kind === 'web');
  const newest = releases.at(-1);
  if (!newest) {
    print('site: no web release logged (an API-only service)');
    return;
  }
  for (const [path, hash] of Object.entries(newest.files)) {
    const response = await fetchOk(`${base}${path}`, '*/*');
    const served = createHash('sha256')
      .update(new Uint8Array(await response.arrayBuffer()))
      .digest('hex');
    if (served !== hash)
      throw new MonitorFailure(
        `The site serves ${path} with other content than release ${newest.release} logged.`,
      );
  }
  print(`site: serves release ${newest.release}, all ${Object.keys(newest.files).length} files as logged`);
}
