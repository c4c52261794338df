/**
 * Publishing (server/log/publish.ts) with real witnesses on loopback (server/witness), a real log key
 * and a 2-of-3 policy: what is appended and when, what the witnesses cosign, a changed entry under a
 * logged (id, version), and a checkpoint served without its quorum until the witnesses come back.
 */

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CheckpointRefused,
  type LogPolicy,
  parseCheckpoint,
  verifyCheckpoint,
} from '../../shared/log/checkpoint.js';
import type { LogEntry } from '../../shared/log/entries.js';
import {
  COSIGNATURE_V1_KEY_TYPE,
  ED25519_KEY_TYPE,
  generateSignerKey,
  parseNote,
  parseSignerKey,
} from '../../shared/log/note.js';
import { type RunningWitness, startWitness } from '../witness/http.js';
import { originHash } from '../witness/state-store.js';
import { readLog } from './log-files.js';
import { LogPublishError, type PublishOptions, publish } from './publish.js';

const ORIGIN = 'log.example/publish';
const logKeys = generateSignerKey(ORIGIN, ED25519_KEY_TYPE);
const logKey = parseSignerKey(logKeys.signerKey);
const witnessKeys = [1, 2, 3].map((i) => generateSignerKey(`witness.example/w${i}`, COSIGNATURE_V1_KEY_TYPE));
const WITNESS_NAMES = witnessKeys.map((_, i) => `witness.example/w${i + 1}`);
const policy: LogPolicy = {
  origin: ORIGIN,
  logKey: logKeys.verifierKey,
  witnesses: witnessKeys.map((k) => k.verifierKey),
  quorum: 2,
};

const runningWitnesses = new Set<RunningWitness>();
const downServers: Server[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all([...runningWitnesses].map(stop));
  await Promise.all(downServers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function temporaryDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

/** Witness `i` of the policy, keeping what it cosigned in `stateDir`. */
async function witness(i: number, stateDir = temporaryDir('publish-witness-')): Promise<RunningWitness> {
  const running = await startWitness({
    signerKey: witnessKeys[i]?.signerKey ?? '',
    logs: [{ origin: ORIGIN, logKey: logKeys.verifierKey }],
    stateDir,
  });
  runningWitnesses.add(running);
  return running;
}

function stop(running: RunningWitness): Promise<void> {
  runningWitnesses.delete(running);
  return running.close();
}

const threeWitnesses = () => Promise.all([0, 1, 2].map((i) => witness(i)));

/**
 * The URL of a witness that is down: a port that drops every connection (held, so that no other
 * server can take it meanwhile).
 */
async function downWitness(): Promise<string> {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  downServers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function model(id: string, version = 1, title = `Model ${id}`): LogEntry {
  return { kind: 'model', entry: { id, version, title, evaluation: { kind: 'public-linear' } } };
}

const WEB: LogEntry = {
  kind: 'web',
  release: '0.1.0+0011223344556677',
  files: { '/index.html': 'ab'.repeat(32), '/sw.js': 'cd'.repeat(32) },
};

function options(dir: string, entries: readonly LogEntry[], witnesses: readonly RunningWitness[] | string[]) {
  return {
    dir,
    logKey,
    policy,
    entries,
    witnesses: witnesses.map((w) => (typeof w === 'string' ? w : w.url)),
  } satisfies PublishOptions;
}

const checkpointFile = (dir: string) => readFileSync(join(dir, 'checkpoint'), 'utf8');
const entriesFile = (dir: string) => readFileSync(join(dir, 'entries.jsonl'), 'utf8');

/** The checkpoint a witness serves as the latest it cosigned (its monitoring endpoint). */
async function witnessedSize(w: RunningWitness): Promise<number> {
  const response = await fetch(`${w.url}/${originHash(ORIGIN)}/checkpoint`);
  expect(response.status).toBe(200);
  return parseCheckpoint(parseNote(await response.text()).text).size;
}

// Real files, servers and processes: generous time for a loaded CI machine.
describe('publish', { timeout: 30_000 }, () => {
  it('appends every entry in order the first time, and the quorum cosigns the checkpoint', async () => {
    const dir = temporaryDir('publish-log-');
    const witnesses = await threeWitnesses();
    const entries = [model('a'), model('b'), WEB];
    const result = await publish(options(dir, entries, witnesses));

    expect(result).toEqual({
      appended: entries.map((entry, index) => ({ index, entry })),
      size: 3,
      cosignedBy: WITNESS_NAMES,
      quorum: true,
      refusals: [],
    });
    const log = readLog(dir);
    expect(log.entries).toEqual(entries);
    const verified = verifyCheckpoint(checkpointFile(dir), policy);
    expect(verified.checkpoint.size).toBe(3);
    expect(verified.checkpoint.root).toEqual(log.tree.root());
    expect(verified.cosignedBy.map((c) => c.name)).toEqual(WITNESS_NAMES);
    for (const w of witnesses) expect(await witnessedSize(w)).toBe(3);
  });

  it('appends nothing and keeps the checkpoint when nothing new is served, or less', async () => {
    const dir = temporaryDir('publish-log-');
    const witnesses = await threeWitnesses();
    const entries = [model('a'), model('b'), WEB];
    await publish(options(dir, entries, witnesses));
    const [checkpoint, lines] = [checkpointFile(dir), entriesFile(dir)];

    for (const again of [entries, [model('b')], []]) {
      const result = await publish(options(dir, again, witnesses));
      expect(result).toEqual({
        appended: [],
        size: 3,
        cosignedBy: WITNESS_NAMES,
        quorum: true,
        refusals: [],
      });
      // Byte for byte: not even signed or cosigned again (the cosignatures carry their time).
      expect(checkpointFile(dir)).toBe(checkpoint);
      expect(entriesFile(dir)).toBe(lines);
    }
  });

  it('appends a new version, which the witnesses cosign as a consistent extension', async () => {
    const dir = temporaryDir('publish-log-');
    const witnesses = await threeWitnesses();
    await publish(options(dir, [model('a'), model('b'), WEB], witnesses));
    const before = verifyCheckpoint(checkpointFile(dir), policy).checkpoint;

    const result = await publish(options(dir, [model('a', 2), model('b'), WEB], witnesses));
    expect(result).toEqual({
      appended: [{ index: 3, entry: model('a', 2) }],
      size: 4,
      cosignedBy: WITNESS_NAMES,
      quorum: true,
      refusals: [],
    });
    const log = readLog(dir);
    expect(log.entries).toEqual([model('a'), model('b'), WEB, model('a', 2)]);
    expect(log.tree.root(3)).toEqual(before.root);
    expect(verifyCheckpoint(checkpointFile(dir), policy).checkpoint.size).toBe(4);
    // Each witness checked the consistency proof from 3 and now stands at 4.
    for (const w of witnesses) expect(await witnessedSize(w)).toBe(4);
  });

  it('refuses other content under a logged (id, version) or release, naming it, and appends nothing', async () => {
    const dir = temporaryDir('publish-log-');
    const witnesses = await threeWitnesses();
    await publish(options(dir, [model('a'), model('b'), WEB], witnesses));
    const [checkpoint, lines] = [checkpointFile(dir), entriesFile(dir)];

    const changedWeb: LogEntry = { ...WEB, files: { '/index.html': 'ef'.repeat(32) } };
    for (const [entries, named] of [
      // The new model c comes first: it is not appended either.
      [[model('c'), model('a', 1, 'Model A, retitled'), model('b'), WEB], 'model a version 1'],
      [[model('a'), model('b'), changedWeb], `web release ${WEB.release}`],
    ] as const) {
      const attempt = publish(options(dir, entries, witnesses));
      await expect(attempt).rejects.toThrow(LogPublishError);
      await expect(attempt).rejects.toThrow(
        `The ${named} is already in the transparency log with other content`,
      );
      expect(entriesFile(dir)).toBe(lines);
      expect(checkpointFile(dir)).toBe(checkpoint);
    }
    await expect(publish(options(dir, [model('a', 1, 'x')], witnesses))).rejects.toThrow(/new version/);
    for (const w of witnesses) expect(await witnessedSize(w)).toBe(3);
  });

  it('serves a checkpoint without its quorum while the witnesses are down, and reaches it later', async () => {
    const dir = temporaryDir('publish-log-');
    const down = await Promise.all([0, 1, 2].map(() => downWitness()));
    const entries = [model('a'), WEB];

    const alone = await publish(options(dir, entries, down));
    expect(alone).toMatchObject({ appended: entries.map((entry, index) => ({ index, entry })), size: 2 });
    expect(alone.quorum).toBe(false);
    expect(alone.cosignedBy).toEqual([]);
    expect(alone.refusals).toEqual(
      down.map((url) => expect.stringMatching(`^${url}: The witness could not be reached`)),
    );
    // Served, signed by the log, but a client with the policy refuses it.
    expect(readLog(dir).checkpoint?.size).toBe(2);
    expect(parseNote(checkpointFile(dir)).signatures.map((s) => s.name)).toEqual([ORIGIN]);
    expect(() => verifyCheckpoint(checkpointFile(dir), policy)).toThrow(CheckpointRefused);
    expect(() => verifyCheckpoint(checkpointFile(dir), policy)).toThrow(/cosigned by 0 of the 3 witnesses/);

    const back = await threeWitnesses();
    const lines = entriesFile(dir);
    const again = await publish(options(dir, entries, back));
    expect(again).toEqual({ appended: [], size: 2, cosignedBy: WITNESS_NAMES, quorum: true, refusals: [] });
    expect(entriesFile(dir)).toBe(lines);
    expect(verifyCheckpoint(checkpointFile(dir), policy).cosignedBy).toHaveLength(3);
  });

  it('keeps the cosignatures it has when a quorum of 3 gets 1, and a retry that gets fewer changes nothing', async () => {
    const dir = temporaryDir('publish-log-');
    const all = { ...policy, quorum: 3 };
    const stateDir = temporaryDir('publish-witness-');
    const first = await witness(0, stateDir);
    const down = await Promise.all([1, 2].map(() => downWitness()));
    const entries = [model('a'), model('b')];

    const one = await publish({ ...options(dir, entries, [first.url, ...down]), policy: all });
    expect(one).toMatchObject({ size: 2, cosignedBy: [WITNESS_NAMES[0]], quorum: false });
    expect(one.refusals).toEqual(
      down.map((url) => expect.stringContaining(`${url}: The witness could not be reached`)),
    );
    expect(() => verifyCheckpoint(checkpointFile(dir), all)).toThrow(
      /cosigned by 1 of the 3 witnesses; 3 are needed/,
    );
    const withOne = checkpointFile(dir);

    // All down now: the checkpoint with the one cosignature stays served.
    await stop(first);
    const none = await publish({ ...options(dir, entries, [first.url, ...down]), policy: all });
    expect(none).toMatchObject({ appended: [], size: 2, cosignedBy: [WITNESS_NAMES[0]], quorum: false });
    expect(none.refusals).toHaveLength(3);
    expect(checkpointFile(dir)).toBe(withOne);

    // The first witness comes back with what it cosigned; the other two for the first time.
    const back = [await witness(0, stateDir), ...(await Promise.all([1, 2].map((i) => witness(i))))];
    const lines = entriesFile(dir);
    const full = await publish({ ...options(dir, entries, back), policy: all });
    expect(full).toEqual({ appended: [], size: 2, cosignedBy: WITNESS_NAMES, quorum: true, refusals: [] });
    expect(entriesFile(dir)).toBe(lines);
    expect(verifyCheckpoint(checkpointFile(dir), all).cosignedBy).toHaveLength(3);
  });

  it('counts a witness that cosigned a bigger tree of this origin as a refusal, not a crash', async () => {
    // The witness's state comes from another log under the same origin and key, 5 entries long.
    const sharedState = temporaryDir('publish-witness-');
    const elsewhere = temporaryDir('publish-log-');
    const ahead = await witness(0, sharedState);
    const others = await Promise.all([1, 2].map((i) => witness(i)));
    const bigger = ['v', 'w', 'x', 'y', 'z'].map((id) => model(id));
    expect((await publish(options(elsewhere, bigger, [ahead]))).size).toBe(5);

    const dir = temporaryDir('publish-log-');
    const result = await publish(options(dir, [model('a'), model('b')], [ahead, ...others]));
    expect(result).toMatchObject({ size: 2, cosignedBy: WITNESS_NAMES.slice(1), quorum: true });
    expect(result.refusals).toEqual([
      `${ahead.url}: The witness has cosigned size 5, more than this checkpoint's 2.`,
    ]);
    expect(verifyCheckpoint(checkpointFile(dir), policy).cosignedBy.map((c) => c.name)).toEqual(
      WITNESS_NAMES.slice(1),
    );
    expect(await witnessedSize(ahead)).toBe(5);

    // With only that witness: no quorum, still no exception.
    const alone = temporaryDir('publish-log-');
    const refused = await publish(options(alone, [model('a')], [ahead]));
    expect(refused).toMatchObject({ size: 1, cosignedBy: [], quorum: false });
    expect(refused.refusals).toEqual([expect.stringContaining('has cosigned size 5')]);
  });
});
