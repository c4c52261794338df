/**
 * The log on disk (server/log/log-files.ts): what readLog accepts and refuses, a crash mid-append,
 * the one-writer lock, and readers re-reading when the checkpoint changes. Real files in a temporary
 * directory; checkpoints signed with a real log key.
 */

import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatCheckpoint } from '../../shared/log/checkpoint.js';
import { entryBytes, type LogEntry } from '../../shared/log/entries.js';
import { EMPTY_ROOT, leafHash, MerkleTree } from '../../shared/log/merkle.js';
import { formatNote, generateSignerKey, parseSignerKey, signNote } from '../../shared/log/note.js';
import {
  appendEntries,
  asLogWriter,
  LogFileError,
  LogReader,
  loggedIndex,
  readLog,
  writeCheckpoint,
} from './log-files.js';

const ORIGIN = 'log.example/files';
const logKey = parseSignerKey(generateSignerKey(ORIGIN).signerKey);
const decoder = new TextDecoder();

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function logDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'log-files-'));
  dirs.push(dir);
  return dir;
}

function model(id: string, version = 1): LogEntry {
  return { kind: 'model', entry: { id, version, title: `Model ${id}`, outputs: [{ name: 'score' }] } };
}

const line = (entry: LogEntry) => decoder.decode(entryBytes(entry));

function treeOf(lines: readonly string[]): MerkleTree {
  const encoder = new TextEncoder();
  return new MerkleTree(lines.map((l) => leafHash(encoder.encode(l))));
}

/** A checkpoint of the first `size` lines, signed by the log key. */
function signedCheckpoint(lines: readonly string[], size = lines.length): string {
  const text = formatCheckpoint({ origin: ORIGIN, size, root: treeOf(lines).root(size), extensions: [] });
  return formatNote({ text, signatures: [signNote(text, logKey)] });
}

// Real files, servers and processes: generous time for a loaded CI machine.
describe('readLog', { timeout: 30_000 }, () => {
  it('reads an empty directory as an empty log without a checkpoint', () => {
    const log = readLog(logDir());
    expect(log.entries).toEqual([]);
    expect(log.lines).toEqual([]);
    expect(log.tree.size).toBe(0);
    expect(log.tree.root()).toEqual(EMPTY_ROOT);
    expect(log.checkpoint).toBeUndefined();
    expect(log.signedCheckpoint).toBeUndefined();
  });

  it('reads back what was appended and the checkpoint written, byte for byte', () => {
    const dir = logDir();
    const entries = [
      model('a'),
      model('b'),
      { kind: 'web', release: '1.0.0+0011223344556677', files: { '/index.html': 'ab'.repeat(32) } },
    ] satisfies LogEntry[];
    const lines = entries.map(line);
    appendEntries(dir, lines.slice(0, 2));
    appendEntries(dir, lines.slice(2));
    expect(readFileSync(join(dir, 'entries.jsonl'), 'utf8')).toBe(lines.map((l) => `${l}\n`).join(''));
    // A checkpoint may cover fewer entries than the file holds (a publish under way).
    const signed = signedCheckpoint(lines, 2);
    writeCheckpoint(dir, signed);

    const log = readLog(dir);
    expect(log.entries).toEqual(entries);
    expect(log.lines).toEqual(lines);
    expect(log.tree.root()).toEqual(treeOf(lines).root());
    expect(log.signedCheckpoint).toBe(signed);
    expect(log.checkpoint).toEqual({
      origin: ORIGIN,
      size: 2,
      root: treeOf(lines).root(2),
      extensions: [],
    });
  });

  it('leaves out a last line cut short by a crash, and the next append cuts it off', () => {
    const dir = logDir();
    const lines = [model('a'), model('b'), model('c')].map(line);
    appendEntries(dir, lines.slice(0, 2));
    writeCheckpoint(dir, signedCheckpoint(lines.slice(0, 2)));
    appendFileSync(join(dir, 'entries.jsonl'), lines[2]?.slice(0, 20) ?? '');

    const log = readLog(dir);
    expect(log.lines).toEqual(lines.slice(0, 2));
    expect(log.checkpoint?.size).toBe(2);

    appendEntries(dir, lines.slice(2));
    expect(readFileSync(join(dir, 'entries.jsonl'), 'utf8')).toBe(lines.map((l) => `${l}\n`).join(''));
    expect(readLog(dir).lines).toEqual(lines);
  });

  it('refuses a line that is not an entry, or not in canonical form, naming the file and the line', () => {
    const dir = logDir();
    const file = join(dir, 'entries.jsonl');
    const [first = '', second = ''] = [model('a'), model('b')].map(line);
    // JCS sorts members: "entry" comes before "kind".
    const reordered = JSON.stringify({ kind: 'model', entry: { id: 'b', version: 1 } });
    const spaced = second.replace('"kind":', '"kind": ');
    expect(spaced).not.toBe(second);
    for (const bad of [reordered, spaced, '{"kind":"model"', '{"kind":"other","entry":{}}', '']) {
      writeFileSync(file, `${first}\n${bad}\n`);
      expect(() => readLog(dir)).toThrow(LogFileError);
      expect(() => readLog(dir)).toThrow(`${file}: line 2 `);
    }
    writeFileSync(file, `${first}\n${second}\n`);
    expect(readLog(dir).lines).toEqual([first, second]);
  });

  it('refuses a checkpoint whose root is not the root of the entries, naming the file', () => {
    const dir = logDir();
    const checkpointFile = join(dir, 'checkpoint');
    const lines = [model('a'), model('b')].map(line);
    appendEntries(dir, lines);

    writeCheckpoint(dir, signedCheckpoint([lines[0] ?? '', line(model('x'))]));
    expect(() => readLog(dir)).toThrow(LogFileError);
    expect(() => readLog(dir)).toThrow(`${checkpointFile}: its root is not the root of the first 2 entries`);

    writeCheckpoint(dir, signedCheckpoint([...lines, line(model('c'))]));
    expect(() => readLog(dir)).toThrow(`${checkpointFile}: covers 3 entries; entries.jsonl has 2`);

    writeCheckpoint(dir, 'not a note\n');
    expect(() => readLog(dir)).toThrow(`${checkpointFile}: is not a signed checkpoint`);

    writeCheckpoint(dir, signedCheckpoint(lines));
    expect(readLog(dir).checkpoint?.size).toBe(2);
  });
});

describe('asLogWriter', { timeout: 30_000 }, () => {
  it('runs one writer at a time, and frees the lock whether the write succeeds or fails', async () => {
    const dir = logDir();
    const lock = join(dir, 'writer.lock');
    let active = 0;
    let most = 0;
    const order: number[] = [];
    const write = (n: number) => async () => {
      active += 1;
      most = Math.max(most, active);
      expect(readFileSync(lock, 'utf8')).toBe(String(process.pid));
      // Give the other writers every chance to run now, were the lock not held.
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
      order.push(n);
      active -= 1;
      if (n === 2) throw new Error('the second write fails');
      return n;
    };
    const results = await Promise.allSettled([1, 2, 3].map((n) => asLogWriter(dir, write(n))));
    expect(most).toBe(1);
    expect([...order].sort()).toEqual([1, 2, 3]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(existsSync(lock)).toBe(false);
  });

  it('takes over a lock left by a process that no longer runs', async () => {
    const dir = logDir();
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    expect(gone).toBeGreaterThan(0);
    writeFileSync(join(dir, 'writer.lock'), String(gone));
    await expect(asLogWriter(dir, async () => 'written')).resolves.toBe('written');
    expect(existsSync(join(dir, 'writer.lock'))).toBe(false);
  });

  it('waits for a writer that still runs, and takes over once it has died', async () => {
    const dir = logDir();
    const holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    await once(holder, 'spawn');
    writeFileSync(join(dir, 'writer.lock'), String(holder.pid));
    let holderExited = false;
    const exited = once(holder, 'exit').then(() => {
      holderExited = true;
    });
    const writing = asLogWriter(dir, async () => holderExited);
    // The waiting writer polls the lock meanwhile; it may write only once the holder is gone.
    holder.kill('SIGKILL');
    await exited;
    await expect(writing).resolves.toBe(true);
  });
});

describe('LogReader', { timeout: 30_000 }, () => {
  it('serves the log it read until the checkpoint changes, then reads it again', () => {
    const dir = logDir();
    const reader = new LogReader(dir);
    expect(reader.current().checkpoint).toBeUndefined();

    const lines = [model('a'), model('b'), model('c')].map(line);
    appendEntries(dir, lines.slice(0, 2));
    writeCheckpoint(dir, signedCheckpoint(lines.slice(0, 2)));
    const first = reader.current();
    expect(first.checkpoint?.size).toBe(2);
    expect(reader.current()).toBe(first);

    // Entries appended without a checkpoint yet: readers keep serving what they read.
    appendEntries(dir, lines.slice(2));
    expect(reader.current()).toBe(first);

    writeCheckpoint(dir, signedCheckpoint(lines));
    const second = reader.current();
    expect(second).not.toBe(first);
    expect(second.checkpoint?.size).toBe(3);
    expect(second.lines).toEqual(lines);
  });
});

describe('loggedIndex', { timeout: 30_000 }, () => {
  it('finds a catalog entry by its exact bytes, without its log member, within the checkpoint only', () => {
    const dir = logDir();
    const entries = [model('a'), model('b'), model('c')];
    const lines = entries.map(line);
    appendEntries(dir, lines);
    writeCheckpoint(dir, signedCheckpoint(lines, 2));
    const log = readLog(dir);
    const served = (entry: LogEntry) => (entry.kind === 'model' ? entry.entry : {});
    expect(loggedIndex(log, { ...served(model('b')), log: { index: 0 } })).toBe(1);
    expect(loggedIndex(log, served(model('a')))).toBe(0);
    // Logged, but not yet covered by the served checkpoint.
    expect(loggedIndex(log, served(model('c')))).toBeUndefined();
    expect(loggedIndex(log, { ...served(model('a')), title: 'Model A' })).toBeUndefined();
  });
});
