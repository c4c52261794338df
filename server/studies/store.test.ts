/**
 * The studies' storage against both databases it runs on, with the same tests: the embedded PGlite
 * (durable, in a temporary directory) and a real PostgreSQL server (server/studies/test-support.ts).
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type Database,
  type DatabaseSetting,
  DatabaseSettingError,
  databaseSetting,
  openDatabase,
} from './database.js';
import { migrate, readMigrations, SchemaVersionError } from './migrations.js';
import { type Contribution, StudyStore, StudyStoreError } from './store.js';
import { type PostgresServer, startPostgres } from './test-support.js';

// Counts the fsyncs that reach the operating system, to see that an embedded commit makes one.
vi.mock('node:fs', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:fs')>();
  return { ...original, fsyncSync: vi.fn(original.fsyncSync) };
});

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const SLOW = 120_000;

let postgres: PostgresServer | undefined;
const temporaryDirs: string[] = [];

function temporaryDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sealed-vitals-studies-'));
  temporaryDirs.push(dir);
  return dir;
}

beforeAll(async () => {
  postgres = await startPostgres();
}, SLOW);

afterAll(async () => {
  await postgres?.stop();
  for (const dir of temporaryDirs) rmSync(dir, { recursive: true, force: true });
});

interface Backend {
  readonly name: 'embedded' | 'server';
  /** A new, empty database's setting. */
  fresh(): Promise<DatabaseSetting>;
}

let embeddedTemplate: Promise<string> | undefined;

/**
 * A new embedded database: a copy of one made (initdb and migrations) once for the file, because
 * making one takes seconds of WebAssembly.
 */
async function freshEmbedded(): Promise<DatabaseSetting> {
  embeddedTemplate ??= (async () => {
    const dir = temporaryDir();
    await (await openDatabase({ kind: 'embedded', dir })).close();
    return dir;
  })();
  const dir = temporaryDir();
  fs.cpSync(await embeddedTemplate, dir, { recursive: true });
  return { kind: 'embedded', dir };
}

const backends: Backend[] = [
  { name: 'embedded', fresh: freshEmbedded },
  {
    name: 'server',
    fresh: async () => ({ kind: 'server', url: await (postgres as PostgresServer).createDatabase() }),
  },
];

/** A distinct token key (a real one is a 32-byte nonce or hash). */
function token(): Uint8Array {
  return randomBytes(32);
}

function contribution(text: string): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ text }));
}

let studies = 0;
function studyId(): string {
  studies++;
  return `study-${studies}`;
}

async function allContributions(store: StudyStore, study: string): Promise<Contribution[]> {
  const all: Contribution[] = [];
  for (;;) {
    const page = await store.listContributions(study, all.at(-1)?.seq ?? 0, 150);
    if (page.length === 0) return all;
    all.push(...page);
  }
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

describe.each(backends)('studies database, $name', (backend) => {
  let setting: DatabaseSetting;
  let database: Database;
  let store: StudyStore;

  beforeAll(async () => {
    setting = await backend.fresh();
    database = await openDatabase(setting);
    store = new StudyStore(database);
  }, SLOW);

  afterAll(async () => {
    await database?.close();
  });

  it('applies each migration once, records it, and does nothing the second time', async () => {
    const migrations = readMigrations();
    const recorded = await database.query<{ version: number; name: string }>(
      'SELECT version, name FROM schema_migrations ORDER BY version',
    );
    expect(recorded).toEqual(migrations.map(({ version, name }) => ({ version, name })));
    expect(await migrate(database)).toEqual([]);
    // Two at once on one database: the advisory lock makes the second wait and find nothing to do.
    expect(await Promise.all([migrate(database), migrate(database)])).toEqual([[], []]);
    expect(await database.query('SELECT version FROM schema_migrations')).toHaveLength(migrations.length);
  });

  it(
    'two starts at once on a new database: the schema is made once',
    async () => {
      const fresh = await backend.fresh();
      const starts = await Promise.allSettled([openDatabase(fresh), openDatabase(fresh)]);
      const opened = starts.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
      try {
        if (backend.name === 'server') {
          expect(opened).toHaveLength(2);
        } else {
          // One process owns an embedded database: the second start is refused, not merged into it.
          expect(opened).toHaveLength(1);
          const refused = starts.find((s) => s.status === 'rejected');
          expect(refused?.status === 'rejected' && refused.reason).toBeInstanceOf(DatabaseSettingError);
        }
        const [first] = opened as [Database];
        const recorded = await first.query<{ version: number }>('SELECT version FROM schema_migrations');
        expect(recorded).toHaveLength(readMigrations().length);
      } finally {
        for (const database of opened) await database.close();
      }
    },
    SLOW,
  );

  it('refuses a database newer than the code, or whose migration was changed', async () => {
    const migrations = readMigrations();
    const next = migrations.length + 1;
    await database.query(
      "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, 'future', '')",
      [next],
    );
    await expect(migrate(database)).rejects.toThrow(SchemaVersionError);
    await expect(migrate(database)).rejects.toThrow(`schema version ${next}, newer than this release knows`);
    await database.query('DELETE FROM schema_migrations WHERE version = $1', [next]);

    const changed = migrations.map((m, i) => (i === 0 ? { ...m, checksum: '00'.repeat(32) } : m));
    await expect(migrate(database, changed)).rejects.toThrow('a migration was changed after it was applied');
    expect(await migrate(database)).toEqual([]);
  });

  it('acknowledges a contribution with the next sequence number and returns it as stored', async () => {
    const study = studyId();
    const [first, second] = [token(), token()];
    expect(await store.addContribution(study, first, contribution('a'))).toEqual({
      outcome: 'added',
      seq: 1,
    });
    expect(await store.addContribution(study, second, contribution('b'))).toEqual({
      outcome: 'added',
      seq: 2,
    });
    const listed = await store.listContributions(study);
    expect(listed).toEqual([
      { seq: 1, tokenKey: new Uint8Array(first), record: contribution('a') },
      { seq: 2, tokenKey: new Uint8Array(second), record: contribution('b') },
    ]);
    expect(listed[0]?.record).toBeInstanceOf(Uint8Array);
    expect(await store.listContributions(study, 1, 10)).toEqual(listed.slice(1));
    expect(await store.countContributions(study)).toBe(2);
    expect(await store.countContributions(studyId())).toBe(0);
  });

  it('refuses a spent token, in the same study or another, and changes nothing', async () => {
    const [study, other] = [studyId(), studyId()];
    const spent = token();
    await store.addContribution(study, spent, contribution('first'));
    expect(await store.addContribution(study, spent, contribution('again'))).toEqual({
      outcome: 'already-spent',
    });
    expect(await store.addContribution(other, spent, contribution('elsewhere'))).toEqual({
      outcome: 'already-spent',
    });
    expect(await store.listContributions(study)).toEqual([
      { seq: 1, tokenKey: new Uint8Array(spent), record: contribution('first') },
    ]);
    expect(await store.studyState(other)).toEqual({ contributions: 0 });
    // The refused attempts left no gap.
    expect(await store.addContribution(study, token(), contribution('next'))).toEqual({
      outcome: 'added',
      seq: 2,
    });
  });

  it(
    'stores exactly the unique ones of 500 concurrent contributions, densely numbered, none lost',
    async () => {
      const study = studyId();
      const unique = Array.from({ length: 400 }, token);
      const attempts = [...unique.map((key, i) => ({ key, text: `unique ${i}` }))];
      for (let i = 0; i < 100; i++)
        attempts.push({ key: unique[(i * 37) % 400] as Uint8Array, text: `reuse ${i}` });
      attempts.sort(() => Math.random() - 0.5);

      const outcomes = await Promise.all(
        attempts.map(({ key, text }) => store.addContribution(study, key, contribution(text))),
      );
      const added = outcomes.flatMap((o, i) =>
        o.outcome === 'added' ? [{ seq: o.seq, ...attempts[i] }] : [],
      );
      expect(added).toHaveLength(400);
      expect(outcomes.filter((o) => o.outcome === 'already-spent')).toHaveLength(100);
      expect(new Set(added.map((a) => hex(a.key as Uint8Array))).size).toBe(400);

      const stored = await allContributions(store, study);
      expect(stored.map((c) => c.seq)).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
      const acknowledged = new Map(added.map((a) => [a.seq, a]));
      for (const c of stored) {
        const ack = acknowledged.get(c.seq);
        expect(hex(c.tokenKey)).toBe(hex(ack?.key as Uint8Array));
        expect(c.record).toEqual(contribution(ack?.text as string));
      }
      expect(await store.countContributions(study)).toBe(400);
    },
    SLOW,
  );

  it.runIf(backend.name === 'server')(
    'two instances on one server: each token stored once, numbers dense across both',
    async () => {
      const other = await openDatabase(setting);
      try {
        const stores = [store, new StudyStore(other)];
        const study = studyId();
        const keys = Array.from({ length: 150 }, token);
        // Every token offered to both instances at once.
        const outcomes = await Promise.all(
          keys.flatMap((key, i) =>
            stores.map((s, j) => s.addContribution(study, key, contribution(`${i}/${j}`))),
          ),
        );
        expect(outcomes.filter((o) => o.outcome === 'added')).toHaveLength(150);
        expect(outcomes.filter((o) => o.outcome === 'already-spent')).toHaveLength(150);
        const stored = await allContributions(store, study);
        expect(stored.map((c) => c.seq)).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
        expect(new Set(stored.map((c) => hex(c.tokenKey)))).toEqual(new Set(keys.map(hex)));

        // The same tokens to two studies in opposite orders: batches that claimed them in this order
        // would deadlock on each other's uncommitted spends, and honest contributions would fail.
        const [left, right] = [studyId(), studyId()];
        for (let round = 0; round < 10; round++) {
          const pair = Array.from({ length: 20 }, token);
          const results = await Promise.all([
            ...pair.map((key) => stores[0]?.addContribution(left, key, contribution('left'))),
            ...[...pair]
              .reverse()
              .map((key) => stores[1]?.addContribution(right, key, contribution('right'))),
          ]);
          expect(results.filter((o) => o?.outcome === 'added')).toHaveLength(20);
        }
        const both = [...(await allContributions(store, left)), ...(await allContributions(store, right))];
        expect(new Set(both.map((c) => hex(c.tokenKey))).size).toBe(200);
      } finally {
        await other.close();
      }
    },
    SLOW,
  );

  it('closes a study: later contributions are refused without spending their token', async () => {
    const study = studyId();
    await store.addContribution(study, token(), contribution('in time'));
    expect(await store.closeStudy(study)).toEqual({ outcome: 'closed', contributions: 1 });
    const late = token();
    expect(await store.addContribution(study, late, contribution('late'))).toEqual({ outcome: 'closed' });
    expect(await store.closeStudy(study)).toEqual({ outcome: 'already-closed', contributions: 1 });
    expect(await store.countContributions(study)).toBe(1);
    expect((await store.studyState(study)).closedAt).toBeInstanceOf(Date);
    expect(await store.addContribution(studyId(), late, contribution('elsewhere'))).toMatchObject({
      outcome: 'added',
    });
  });

  it('closing while contributions arrive: the count it reports is exactly what was stored', async () => {
    const study = studyId();
    await store.addContribution(study, token(), contribution('first'));
    const racing = Array.from({ length: 40 }, (_, i) =>
      store.addContribution(study, token(), contribution(`${i}`)),
    );
    const closing = store.closeStudy(study);
    const outcomes = await Promise.all(racing);
    const closed = await closing;
    const accepted = outcomes.filter((o) => o.outcome === 'added').length;
    expect(closed).toEqual({ outcome: 'closed', contributions: accepted + 1 });
    expect(await allContributions(store, study)).toHaveLength(accepted + 1);
  });

  it('records the tally, one partial decryption per trustee and the result, each once and in order', async () => {
    const study = studyId();
    const tally = { ciphertexts: [['AAE', 'AAF']], contributions: 1 };
    expect(await store.recordTally(study, tally)).toEqual({ outcome: 'too-early' });
    expect(await store.addPartialDecryption(study, 'alice', { d: 1 })).toEqual({ outcome: 'too-early' });
    await store.addContribution(study, token(), contribution('x'));
    await store.closeStudy(study);
    expect(await store.addPartialDecryption(study, 'alice', { d: 1 })).toEqual({ outcome: 'too-early' });
    expect(await store.recordResult(study, { mean: 1 })).toEqual({ outcome: 'too-early' });
    expect(await store.recordTally(study, tally)).toEqual({ outcome: 'recorded' });
    expect(await store.recordTally(study, { other: true })).toEqual({ outcome: 'already-recorded' });

    expect(await store.addPartialDecryption(study, 'alice', { share: 'A1' })).toEqual({
      outcome: 'recorded',
    });
    expect(await store.addPartialDecryption(study, 'alice', { share: 'A2' })).toEqual({
      outcome: 'already-recorded',
    });
    const concurrent = await Promise.all([
      store.addPartialDecryption(study, 'bob', { share: 'B1' }),
      store.addPartialDecryption(study, 'bob', { share: 'B2' }),
    ]);
    expect(concurrent.map((o) => o.outcome).sort()).toEqual(['already-recorded', 'recorded']);
    const decryptions = await store.listPartialDecryptions(study);
    expect(decryptions.map((d) => d.trustee)).toEqual(['alice', 'bob']);
    expect(decryptions[0]?.decryption).toEqual({ share: 'A1' });

    expect(await store.recordResult(study, { released: false, reason: 'cohort' })).toEqual({
      outcome: 'recorded',
    });
    expect(await store.recordResult(study, { released: true })).toEqual({ outcome: 'already-recorded' });
    expect(await store.studyState(study)).toMatchObject({
      contributions: 1,
      tally,
      result: { released: false, reason: 'cohort' },
    });
  });

  it('flushes each commit to disk before acknowledging it', async () => {
    const settings = await database.query(
      "SELECT current_setting('fsync') AS f, current_setting('synchronous_commit') AS s",
    );
    expect(settings).toEqual([{ f: 'on', s: 'on' }]);
    if (backend.name !== 'embedded') return;
    // The embedded database's fsyncs are ours (postgres's own would be no-ops in WebAssembly).
    const fsyncs = vi.mocked(fs.fsyncSync);
    const before = fsyncs.mock.calls.length;
    await store.addContribution(studyId(), token(), contribution('durable'));
    expect(fsyncs.mock.calls.length).toBeGreaterThan(before);
  });

  it.runIf(backend.name === 'embedded')('an embedded database serves one process at a time', async () => {
    const second = openDatabase(setting);
    await expect(second).rejects.toThrow(DatabaseSettingError);
    await expect(second).rejects.toThrow(`open in another process (pid ${process.pid})`);
  });

  it('refuses malformed arguments, naming them', async () => {
    await expect(store.addContribution('', token(), contribution('x'))).rejects.toThrow('The study id');
    await expect(store.addContribution('a b', token(), contribution('x'))).rejects.toThrow(StudyStoreError);
    await expect(store.addContribution('s', new Uint8Array(8), contribution('x'))).rejects.toThrow(
      'The token key',
    );
    await expect(store.addContribution('s', token(), new Uint8Array(0))).rejects.toThrow('The contribution');
    await expect(store.addContribution('s', token(), new Uint8Array(256 * 1024 + 1))).rejects.toThrow(
      'The contribution',
    );
    await expect(store.listContributions('s', -1)).rejects.toThrow('after');
    await expect(store.listContributions('s', 0, 1001)).rejects.toThrow('limit');
    await expect(store.addPartialDecryption('s', 'x'.repeat(201), {})).rejects.toThrow('The trustee');
  });

  it(
    'keeps everything across closing and reopening the database',
    async () => {
      const study = studyId();
      for (let i = 0; i < 5; i++) await store.addContribution(study, token(), contribution(`${i}`));
      await store.closeStudy(study);
      await store.recordTally(study, { sum: 5 });
      const before = await allContributions(store, study);
      await database.close();
      if (backend.name === 'server') await (postgres as PostgresServer).crashAndRestart();
      database = await openDatabase(setting);
      store = new StudyStore(database);
      expect(await allContributions(store, study)).toEqual(before);
      expect(await store.studyState(study)).toMatchObject({ contributions: 5, tally: { sum: 5 } });
      expect(await migrate(database)).toEqual([]);
    },
    SLOW,
  );

  it(
    'loses no acknowledged contribution when the writer is killed mid-load',
    async () => {
      const crashSetting = await backend.fresh();
      const study = studyId();
      const location = crashSetting.kind === 'embedded' ? crashSetting.dir : crashSetting.url;
      const writer = spawn(
        process.execPath,
        ['--import', 'tsx', 'server/studies/crash-writer.ts', crashSetting.kind, location, study],
        { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const acknowledged = await acknowledgementsUntilKilled(writer, 60);
      // The server, too, goes down without a checkpoint: what was acknowledged must come back from its WAL.
      if (backend.name === 'server') await (postgres as PostgresServer).crashAndRestart();

      const reopened = await openDatabase(crashSetting);
      try {
        const stored = await allContributions(new StudyStore(reopened), study);
        expect(stored.map((c) => c.seq)).toEqual(Array.from({ length: stored.length }, (_, i) => i + 1));
        const byToken = new Map(stored.map((c) => [hex(c.tokenKey), c.seq]));
        expect(acknowledged.size).toBeGreaterThanOrEqual(60);
        for (const [seq, tokenHex] of acknowledged) expect(byToken.get(tokenHex)).toBe(seq);
      } finally {
        await reopened.close();
      }
    },
    SLOW,
  );
});

/** Reads the writer's acknowledgements until `count` have come, then SIGKILLs it mid-write; seq → token. */
async function acknowledgementsUntilKilled(
  writer: ChildProcess,
  count: number,
): Promise<Map<number, string>> {
  const acknowledged = new Map<number, string>();
  let output = '';
  let errors = '';
  writer.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    errors += chunk;
  });
  const exited = new Promise<void>((resolve) => writer.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    writer.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      const lines = output.split('\n');
      output = lines.pop() ?? '';
      for (const line of lines) {
        const match = /^ack (\d+) ([0-9a-f]{64})$/.exec(line);
        if (match) acknowledged.set(Number(match[1]), match[2] as string);
      }
      if (acknowledged.size >= count && writer.signalCode === null) {
        writer.kill('SIGKILL');
        resolve();
      }
    });
    writer.once('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`The writer exited (${code}): ${errors.slice(-2000)}`));
    });
  });
  await exited;
  // What it printed before dying, after the count was reached, is acknowledged too.
  for (const line of output.split('\n')) {
    const match = /^ack (\d+) ([0-9a-f]{64})$/.exec(line);
    if (match) acknowledged.set(Number(match[1]), match[2] as string);
  }
  return acknowledged;
}

describe('database setting', () => {
  it('is the embedded database under DATA_DIR unless DATABASE_URL names a server', () => {
    expect(databaseSetting({}, '/srv/data')).toEqual({ kind: 'embedded', dir: '/srv/data/studies' });
    expect(databaseSetting({ DATABASE_URL: '' }, '/d')).toEqual({ kind: 'embedded', dir: '/d/studies' });
    const url = 'postgres://vitals:secret@db.example.org:5432/vitals';
    expect(databaseSetting({ DATABASE_URL: url }, '/d')).toEqual({ kind: 'server', url });
    expect(databaseSetting({ DATABASE_URL: 'postgresql:///vitals?host=/run/postgresql' }, '/d').kind).toBe(
      'server',
    );
  });

  it('refuses a bad DATABASE_URL, naming the setting and never repeating the URL', () => {
    for (const [text, problem] of [
      ['not a url', 'is not a URL'],
      ['mysql://u:secret@h/db', 'must start with postgres://'],
      ['postgres://u:secret@h', 'must name one database'],
      ['postgres://u:secret@h/a/b', 'must name one database'],
      ['postgres:///db', 'has no host name'],
    ] as const) {
      expect(() => databaseSetting({ DATABASE_URL: text }, '/d')).toThrow(DatabaseSettingError);
      expect(() => databaseSetting({ DATABASE_URL: text }, '/d')).toThrow(`DATABASE_URL ${problem}`);
      try {
        databaseSetting({ DATABASE_URL: text }, '/d');
      } catch (error) {
        expect((error as Error).message).not.toContain('secret');
      }
    }
  });
});

describe('migration files', () => {
  it('are numbered without gaps and refused when misnamed', () => {
    const dir = temporaryDir();
    fs.writeFileSync(join(dir, '001-first.sql'), 'SELECT 1;');
    fs.writeFileSync(join(dir, '003-third.sql'), 'SELECT 1;');
    expect(() => readMigrations(dir)).toThrow('expected migration 2');
    fs.rmSync(join(dir, '003-third.sql'));
    fs.writeFileSync(join(dir, '002_Second.sql'), 'SELECT 1;');
    expect(() => readMigrations(dir)).toThrow('NNN-name.sql');
  });
});
