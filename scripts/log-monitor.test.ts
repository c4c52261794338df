/**
 * The monitor (scripts/log-monitor.ts) against a real service on loopback that serves what
 * `npm start` serves, its log published with the local keys and witnesses (server/log/test-support.ts).
 * An honest log passes and every entry is printed; then the operator misbehaves with the real log key
 * and the witnesses' keys (colluding witnesses): a fork, a rollback, a changed entry, a catalog entry
 * pointing elsewhere in the log. Each is found, and the state the monitor keeps is left as it was.
 */

import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../server/app.js';
import { appendEntries, LogReader, readLog, writeCheckpoint } from '../server/log/log-files.js';
import {
  type LocalTransparency,
  openLocalTransparency,
  signedCheckpoint,
} from '../server/log/test-support.js';
import { DEFAULT_MODELS_DIR } from '../server/served-catalog.js';
import { entryBytes, hashToBase64Url, type LogEntry } from '../shared/log/entries.js';
import { leafHash, MerkleTree } from '../shared/log/merkle.js';
import { formatNote, parseNote } from '../shared/log/note.js';
import { MonitorFailure, monitor } from './log-monitor.js';

const webBuild = fileURLToPath(new URL('../dist/web', import.meta.url));
const staticDir = existsSync(join(webBuild, 'index.html')) ? webBuild : undefined;
/** The monitor fetches the whole log, the catalog's proofs and every file of the site. */
const RUN_MS = 60_000;

const closers: (() => Promise<unknown>)[] = [];
const dirs: string[] = [];
function temporaryDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

async function listen(app: FastifyInstance): Promise<string> {
  closers.push(() => app.close());
  return app.listen({ host: '127.0.0.1', port: 0 });
}

/** The service as `npm start` runs it, its log in `logDir`. */
async function startService(logDir: string, modelsDir?: string) {
  const transparency = await openLocalTransparency({ logDir, staticDir, modelsDir });
  closers.push(() => transparency.close());
  const app = await buildApp({
    logger: false,
    rateLimit: false,
    overload: false,
    ...(staticDir ? { staticDir } : {}),
    ...(modelsDir ? { modelsDir } : {}),
    log: transparency.log,
  });
  return { transparency, url: await listen(app) };
}

let honest: { transparency: LocalTransparency; url: string };

beforeAll(async () => {
  honest = await startService(temporaryDir('monitor-log-'));
}, RUN_MS);

afterAll(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Runs the monitor; returns what it printed, and its failure if it failed. */
async function run(url: string, stateFile: string): Promise<{ lines: string[]; failure?: Error }> {
  const lines: string[] = [];
  try {
    await monitor({ url, stateFile, print: (line) => lines.push(line) });
    return { lines };
  } catch (error) {
    return { lines, failure: error as Error };
  }
}

async function passes(url: string, stateFile: string): Promise<string[]> {
  const { lines, failure } = await run(url, stateFile);
  if (failure) throw failure;
  expect(lines.at(-1)).toBe(`all checks passed; state kept in ${stateFile}`);
  return lines;
}

async function fails(url: string, stateFile: string, message: RegExp): Promise<void> {
  const before = existsSync(stateFile) ? readFileSync(stateFile, 'utf8') : undefined;
  const { lines, failure } = await run(url, stateFile);
  expect(failure, lines.join('\n')).toBeInstanceOf(MonitorFailure);
  expect(failure?.message).toMatch(message);
  expect(lines).not.toContainEqual(expect.stringMatching(/^all checks passed/));
  // A failed run keeps the checkpoint seen last: the next run still compares against it.
  expect(existsSync(stateFile) ? readFileSync(stateFile, 'utf8') : undefined).toBe(before);
}

const stateFile = () => join(temporaryDir('monitor-state-'), 'state.json');

/**
 * A log the operator serves with the real log key, cosigned with the real witness keys (witnesses
 * that collude, or that were never asked): these entries, and a checkpoint of all of them.
 */
async function dishonestService(entries: readonly LogEntry[]): Promise<string> {
  const { logKey, witnessKeys, policy } = honest.transparency;
  const dir = temporaryDir('monitor-forged-');
  const decoder = new TextDecoder();
  appendEntries(
    dir,
    entries.map((entry) => decoder.decode(entryBytes(entry))),
  );
  const tree = new MerkleTree(entries.map((entry) => leafHash(entryBytes(entry))));
  writeCheckpoint(dir, signedCheckpoint(policy.origin, tree, logKey, witnessKeys));
  const app = await buildApp({
    logger: false,
    rateLimit: false,
    overload: false,
    log: { reader: new LogReader(dir), policy },
  });
  return listen(app);
}

/** A service in front of the honest one that changes what it answers on one path. */
async function intercepting(path: string, change: (body: string) => string): Promise<string> {
  const proxy = Fastify({ logger: false });
  proxy.get('/*', async (request, reply) => {
    const upstream = await fetch(`${honest.url}${request.url}`);
    const body = Buffer.from(await upstream.arrayBuffer());
    reply.code(upstream.status).header('content-type', upstream.headers.get('content-type'));
    return reply.send(request.url.split('?')[0] === path ? change(body.toString('utf8')) : body);
  });
  return listen(proxy);
}

function describeEntry(entry: LogEntry): string {
  return entry.kind === 'web'
    ? `web release ${entry.release}`
    : `${String(entry.entry.id)} version ${String(entry.entry.version)}`;
}

/** Another title for the model at `index`: a changed entry. */
function retitled(entries: readonly LogEntry[], index: number): LogEntry[] {
  return entries.map((entry, i) =>
    i === index && entry.kind === 'model'
      ? { kind: 'model', entry: { ...entry.entry, title: `${String(entry.entry.title)} (changed)` } }
      : entry,
  );
}

describe('an honest log', () => {
  it('passes, prints every entry, and keeps the checkpoint in the state file', {
    timeout: RUN_MS,
  }, async () => {
    const state = stateFile();
    const lines = await passes(honest.url, state);
    const log = readLog(honest.transparency.logDir);
    const size = log.entries.length;
    expect(lines.slice(0, 2)).toEqual([
      expect.stringMatching(/^note: trusting the policy the service serves, pinned from now on/),
      `checkpoint: ${honest.transparency.policy.origin}, ${size} entries, root ${hashToBase64Url(log.tree.root())}`,
    ]);
    expect(lines).toContain(`  ${size} entries rebuild the checkpoint's root`);
    for (const [index, entry] of log.entries.entries()) {
      const printed = `${index}: ${describeEntry(entry)}${entry.kind === 'web' ? ',' : ' “'}`;
      expect(
        lines.filter((line) => line.startsWith(printed)),
        printed,
      ).toHaveLength(1);
    }
    expect(lines).toContainEqual(
      expect.stringMatching(/^catalog: \d+ entries served now, each logged where it says/),
    );
    if (staticDir)
      expect(lines).toContainEqual(
        expect.stringMatching(/^site: serves release .*, all \d+ files as logged$/),
      );
    const { local: _local, ...policy } = honest.transparency.policy;
    expect(JSON.parse(readFileSync(state, 'utf8'))).toEqual({
      policy,
      size,
      root: hashToBase64Url(log.tree.root()),
    });
  });

  it('passes again after a new model version is published, consistent with the run before', {
    timeout: RUN_MS,
  }, async () => {
    const logDir = temporaryDir('monitor-log-');
    const first = await startService(logDir);
    const state = stateFile();
    await passes(first.url, state);
    const before = readLog(logDir).entries.length;

    // The same service's models with CHA₂DS₂-VASc as version 2, another grade label: published to the same log.
    const modelsDir = temporaryDir('monitor-models-');
    cpSync(DEFAULT_MODELS_DIR, modelsDir, { recursive: true });
    const file = join(modelsDir, 'cha2ds2-vasc.model.json');
    const model = JSON.parse(readFileSync(file, 'utf8')) as { version: number; grades: unknown };
    writeFileSync(
      file,
      JSON.stringify({
        ...model,
        version: 2,
        grades: JSON.parse(JSON.stringify(model.grades).replace('"Low risk"', '"Low"')),
      }),
    );
    await first.transparency.close();
    const next = await startService(logDir, modelsDir);
    expect(next.transparency.publishing.result?.appended.map((a) => describeEntry(a.entry))).toEqual([
      'cha2ds2-vasc version 2',
    ]);

    const lines = await passes(next.url, state);
    expect(lines).toContain(`  consistent with the checkpoint of ${before} entries seen before`);
    expect(lines.filter((line) => line.startsWith(`${before}: cha2ds2-vasc version 2 “`))).toHaveLength(1);
    expect(JSON.parse(readFileSync(state, 'utf8')).size).toBe(before + 1);
  });
});

describe('a dishonest log', () => {
  it('fails on a fork: another tree signed by the log and cosigned by the witnesses', {
    timeout: RUN_MS,
  }, async () => {
    const state = stateFile();
    await passes(honest.url, state);
    const { entries } = readLog(honest.transparency.logDir);
    // Same size, another root; and a bigger tree that does not extend the one seen.
    await fails(await dishonestService(retitled(entries, 0)), state, /^Fork: /);
    await fails(
      await dishonestService([...retitled(entries, 1), ...entries.slice(0, 1)]),
      state,
      /^Fork: the log of \d+ entries does not extend the one of \d+ seen before/,
    );
  });

  it('fails on a rollback: a smaller tree than the one seen', { timeout: RUN_MS }, async () => {
    const state = stateFile();
    await passes(honest.url, state);
    const { entries } = readLog(honest.transparency.logDir);
    const smaller = await dishonestService(entries.slice(0, -1));
    await fails(
      smaller,
      state,
      new RegExp(`^Rollback: the log has ${entries.length - 1} entries; it had ${entries.length}`),
    );
  });

  it('fails on a checkpoint without a quorum of cosignatures', { timeout: RUN_MS }, async () => {
    const stripped = await intercepting('/api/v2/log/checkpoint', (body) => {
      const note = parseNote(body);
      return formatNote({ text: note.text, signatures: note.signatures.slice(0, 2) });
    });
    await fails(
      stripped,
      stateFile(),
      /^The checkpoint is refused: it is cosigned by 1 of the 3 witnesses; 2 are needed/,
    );
  });

  it('fails on a changed entry: the entries do not rebuild the root', { timeout: RUN_MS }, async () => {
    const changed = await intercepting('/api/v2/log/entries', (body) => {
      const page = JSON.parse(body) as { entries: LogEntry[] };
      return JSON.stringify({ entries: retitled(page.entries, 1) });
    });
    await fails(changed, stateFile(), /do not hash to the checkpoint’s root/);
  });

  it('fails on a catalog entry whose log.index is another entry', { timeout: RUN_MS }, async () => {
    const elsewhere = await intercepting('/api/v2/computations', (body) => {
      const catalog = JSON.parse(body) as { computations: { id: string; log: { index: number } }[] };
      const [first, second] = catalog.computations;
      if (!first || !second) throw new Error('The catalog has fewer than two entries.');
      first.log = { index: second.log.index };
      return JSON.stringify(catalog);
    });
    await fails(
      elsewhere,
      stateFile(),
      /^The catalog serves .* version \d+ differently from what the log holds at \d+/,
    );
    const unlogged = await intercepting('/api/v2/computations', (body) => {
      const catalog = JSON.parse(body) as { computations: { log?: unknown }[] };
      delete catalog.computations[0]?.log;
      return JSON.stringify(catalog);
    });
    await fails(unlogged, stateFile(), /^The catalog serves .* without a place in the log/);
  });
});
