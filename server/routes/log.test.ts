/**
 * The log's routes (server/routes/log.ts) through a real Fastify instance serving what the service
 * serves, published to a log of the test's own with the local keys and witnesses, as `npm start`
 * does (server/log/test-support.ts). Every answer is checked as a client would, with shared/log alone:
 * the checkpoint against the policy, entries against the root, every proof against the roots.
 */

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CATALOG_PATH_V2,
  LOG_CHECKPOINT_PATH,
  LOG_CONSISTENCY_PATH,
  LOG_ENTRIES_PAGE,
  LOG_ENTRIES_PATH,
  LOG_INCLUSION_PATH,
  LOG_PATH,
} from '../../shared/api.js';
import { formatCheckpoint, type LogPolicy, verifyCheckpoint } from '../../shared/log/checkpoint.js';
import { cosign } from '../../shared/log/cosignature.js';
import {
  entryBytes,
  hashFromBase64Url,
  type LogEntry,
  modelLogEntry,
  parseLogEntry,
} from '../../shared/log/entries.js';
import {
  hashesEqual,
  leafHash,
  MerkleTree,
  verifyConsistency,
  verifyInclusion,
} from '../../shared/log/merkle.js';
import {
  COSIGNATURE_V1_KEY_TYPE,
  formatNote,
  generateSignerKey,
  parseSignerKey,
  signNote,
} from '../../shared/log/note.js';
import { buildApp } from '../app.js';
import { appendEntries, LogReader, readLog, writeCheckpoint } from '../log/log-files.js';
import { type LocalTransparency, openLocalTransparency } from '../log/test-support.js';
import { buildTestApp, expectProblem } from '../test-support.js';

const webBuild = fileURLToPath(new URL('../../dist/web', import.meta.url));
const staticDir = existsSync(join(webBuild, 'index.html')) ? webBuild : undefined;

const dirs: string[] = [];
function temporaryDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

let transparency: LocalTransparency;
let app: FastifyInstance;

beforeAll(async () => {
  transparency = await openLocalTransparency({ logDir: temporaryDir('log-routes-'), staticDir });
  app = await buildTestApp({ log: transparency.log });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await transparency?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function get(url: string, on: FastifyInstance = app) {
  return on.inject({ method: 'GET', url });
}

async function getJson<T>(url: string, on: FastifyInstance = app): Promise<T> {
  const response = await get(url, on);
  expect(response.statusCode, `${url}: ${response.body}`).toBe(200);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  return response.json<T>();
}

/** The whole log as a client gets it: page after page from where the last one ended. */
async function allEntries(size: number, on: FastifyInstance = app): Promise<LogEntry[]> {
  const entries: LogEntry[] = [];
  while (entries.length < size) {
    const page = await getJson<{ entries: unknown[] }>(
      `${LOG_ENTRIES_PATH}?start=${entries.length}&end=${size}`,
      on,
    );
    expect(page.entries.length).toBeGreaterThan(0);
    expect(page.entries.length).toBeLessThanOrEqual(LOG_ENTRIES_PAGE);
    entries.push(...page.entries.map(parseLogEntry));
  }
  return entries;
}

const treeOf = (entries: readonly LogEntry[]) => new MerkleTree(entries.map((e) => leafHash(entryBytes(e))));

async function servedCheckpoint(on: FastifyInstance = app) {
  const response = await get(LOG_CHECKPOINT_PATH, on);
  expect(response.statusCode).toBe(200);
  return verifyCheckpoint(response.body, transparency.policy).checkpoint;
}

// Real files, servers and processes: generous time for a loaded CI machine.
describe('GET /api/v2/log', { timeout: 30_000 }, () => {
  it('is the trust policy, exactly its four members, cached for 5 minutes', async () => {
    const response = await get(LOG_PATH);
    expect(response.statusCode).toBe(200);
    const { origin, logKey, witnesses, quorum } = transparency.policy;
    expect(response.json()).toStrictEqual({ origin, logKey, witnesses, quorum });
    expect(response.headers['cache-control']).toBe('public, max-age=300');
  });
});

describe('GET /api/v2/log/checkpoint', { timeout: 30_000 }, () => {
  it('is the published checkpoint as text, cosigned by the quorum, revalidated', async () => {
    const response = await get(LOG_CHECKPOINT_PATH);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.body).toBe(readLog(transparency.logDir).signedCheckpoint);
    const verified = verifyCheckpoint(response.body, transparency.policy);
    expect(verified.cosignedBy).toHaveLength(3);
    expect(verified.checkpoint.size).toBe(transparency.publishing.result?.size);
  });
});

describe('entries and proofs', { timeout: 30_000 }, () => {
  it('serves entries that rebuild the checkpoint root, end exclusive, cached for good', async () => {
    const { size, root } = await servedCheckpoint();
    expect(size).toBeGreaterThan(3);
    const entries = await allEntries(size);
    expect(entries).toEqual(readLog(transparency.logDir).entries);
    expect(treeOf(entries).root()).toEqual(root);

    const response = await get(`${LOG_ENTRIES_PATH}?start=1&end=3`);
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(response.json()).toEqual({ entries: entries.slice(1, 3) });
    expect(
      (await getJson<{ entries: unknown[] }>(`${LOG_ENTRIES_PATH}?start=${size - 1}&end=${size}`)).entries,
    ).toEqual(entries.slice(-1));
  });

  it('serves an inclusion proof for every index of every tree size that verifies', async () => {
    const { size } = await servedCheckpoint();
    const tree = treeOf(await allEntries(size));
    for (let n = 1; n <= size; n++) {
      for (let i = 0; i < n; i++) {
        const url = `${LOG_INCLUSION_PATH}?index=${i}&size=${n}`;
        const response = await get(url);
        expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
        const body = response.json<{ index: number; size: number; proof: string[] }>();
        expect({ index: body.index, size: body.size }).toEqual({ index: i, size: n });
        const proof = body.proof.map(hashFromBase64Url);
        expect(verifyInclusion(i, n, tree.leaf(i), proof, tree.root(n)), url).toBe(true);
        // The proof is of that leaf: another one does not verify with it.
        expect(verifyInclusion(i, n, tree.leaf((i + 1) % size), proof, tree.root(n))).toBe(false);
      }
    }
  });

  it('serves a consistency proof from every size to every larger one that verifies', async () => {
    const { size } = await servedCheckpoint();
    const tree = treeOf(await allEntries(size));
    for (let n = 0; n <= size; n++) {
      for (let m = 0; m <= n; m++) {
        const url = `${LOG_CONSISTENCY_PATH}?from=${m}&to=${n}`;
        const response = await get(url);
        expect(response.statusCode, url).toBe(200);
        expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
        const body = response.json<{ from: number; to: number; proof: string[] }>();
        expect({ from: body.from, to: body.to }).toEqual({ from: m, to: n });
        if (m === 0 || m === n) expect(body.proof).toEqual([]);
        const proof = body.proof.map(hashFromBase64Url);
        expect(verifyConsistency(m, n, proof, tree.root(m), tree.root(n)), url).toBe(true);
      }
    }
  });

  it('gives every v2 catalog entry the index of exactly its bytes in the log', async () => {
    const { size, root } = await servedCheckpoint();
    const tree = treeOf(await allEntries(size));
    const { computations } = await getJson<{ computations: Record<string, unknown>[] }>(CATALOG_PATH_V2);
    expect(computations.length).toBeGreaterThan(0);
    const indexes = new Set<number>();
    for (const entry of computations) {
      const { index } = entry.log as { index: number };
      expect(Number.isSafeInteger(index) && index >= 0 && index < size, String(entry.id)).toBe(true);
      indexes.add(index);
      const leaf = leafHash(entryBytes(modelLogEntry(entry)));
      expect(hashesEqual(leaf, tree.leaf(index)), String(entry.id)).toBe(true);
      const { proof } = await getJson<{ proof: string[] }>(
        `${LOG_INCLUSION_PATH}?index=${index}&size=${size}`,
      );
      expect(verifyInclusion(index, size, leaf, proof.map(hashFromBase64Url), root)).toBe(true);
    }
    expect(indexes.size).toBe(computations.length);
  });
});

describe('bad queries', { timeout: 30_000 }, () => {
  it('answers 400 validation-failed problems, never a 5xx', async () => {
    const { size } = await servedCheckpoint();
    const bad = [
      `${LOG_ENTRIES_PATH}`,
      `${LOG_ENTRIES_PATH}?start=0`,
      `${LOG_ENTRIES_PATH}?end=1`,
      `${LOG_ENTRIES_PATH}?start=-1&end=1`,
      `${LOG_ENTRIES_PATH}?start=00&end=1`,
      `${LOG_ENTRIES_PATH}?start=0&end=01`,
      `${LOG_ENTRIES_PATH}?start=0&end=+1`,
      `${LOG_ENTRIES_PATH}?start=a&end=1`,
      `${LOG_ENTRIES_PATH}?start=0&end=1.0`,
      `${LOG_ENTRIES_PATH}?start=0&end=1e1`,
      `${LOG_ENTRIES_PATH}?start=0&end=%201`,
      `${LOG_ENTRIES_PATH}?start=0&end=`,
      `${LOG_ENTRIES_PATH}?start=0&start=1&end=2`,
      `${LOG_ENTRIES_PATH}?start=0&end=99999999999999999999`,
      `${LOG_ENTRIES_PATH}?start=0&end=${size + 1}`,
      `${LOG_ENTRIES_PATH}?start=1&end=1`,
      `${LOG_ENTRIES_PATH}?start=2&end=1`,
      `${LOG_ENTRIES_PATH}?start=${size}&end=${size}`,
      `${LOG_INCLUSION_PATH}`,
      `${LOG_INCLUSION_PATH}?index=0`,
      `${LOG_INCLUSION_PATH}?index=-1&size=1`,
      `${LOG_INCLUSION_PATH}?index=x&size=1`,
      `${LOG_INCLUSION_PATH}?index=0&size=0`,
      `${LOG_INCLUSION_PATH}?index=1&size=1`,
      `${LOG_INCLUSION_PATH}?index=${size}&size=${size}`,
      `${LOG_INCLUSION_PATH}?index=0&size=${size + 1}`,
      `${LOG_INCLUSION_PATH}?index=007&size=${size}`,
      `${LOG_CONSISTENCY_PATH}`,
      `${LOG_CONSISTENCY_PATH}?from=0`,
      `${LOG_CONSISTENCY_PATH}?from=2&to=1`,
      `${LOG_CONSISTENCY_PATH}?from=0&to=${size + 1}`,
      `${LOG_CONSISTENCY_PATH}?from=-0&to=1`,
      `${LOG_CONSISTENCY_PATH}?from=0x1&to=2`,
      `${LOG_CONSISTENCY_PATH}?from=1&to=Infinity`,
    ];
    for (const url of bad) {
      const response = await get(url);
      expect(response.statusCode, url).toBe(400);
      expectProblem(response, 'validation-failed', 400);
    }
  });
});

describe('before the first checkpoint', { timeout: 30_000 }, () => {
  it('answers 503 log-unavailable, and still serves the policy and the catalog', async () => {
    const empty = await buildTestApp({
      log: { reader: new LogReader(temporaryDir('log-routes-empty-')), policy: transparency.policy },
    });
    try {
      for (const url of [
        LOG_CHECKPOINT_PATH,
        `${LOG_ENTRIES_PATH}?start=0&end=1`,
        `${LOG_INCLUSION_PATH}?index=0&size=1`,
        `${LOG_CONSISTENCY_PATH}?from=0&to=0`,
        `${LOG_ENTRIES_PATH}?start=x`,
      ]) {
        const response = await get(url, empty);
        expect(response.statusCode, url).toBe(503);
        expectProblem(response, 'log-unavailable', 503);
      }
      expect((await get(LOG_PATH, empty)).statusCode).toBe(200);
      const { computations } = await getJson<{ computations: Record<string, unknown>[] }>(
        CATALOG_PATH_V2,
        empty,
      );
      expect(computations.length).toBeGreaterThan(0);
      for (const entry of computations) expect(entry).not.toHaveProperty('log');
    } finally {
      await empty.close();
    }
  });
});

describe('a log longer than a page', { timeout: 30_000 }, () => {
  const ORIGIN = 'log.example/long';
  const logKeys = generateSignerKey(ORIGIN);
  const witness = generateSignerKey('witness.example/w1', COSIGNATURE_V1_KEY_TYPE);
  const policy: LogPolicy = {
    origin: ORIGIN,
    logKey: logKeys.verifierKey,
    witnesses: [witness.verifierKey],
    quorum: 1,
  };
  const size = LOG_ENTRIES_PAGE + 44;
  let long: FastifyInstance;
  let tree: MerkleTree;

  beforeAll(async () => {
    const dir = temporaryDir('log-routes-long-');
    const entries: LogEntry[] = Array.from({ length: size }, (_, i) => ({
      kind: 'model',
      entry: { id: `model-${i}`, version: 1 },
    }));
    const decoder = new TextDecoder();
    appendEntries(
      dir,
      entries.map((e) => decoder.decode(entryBytes(e))),
    );
    tree = treeOf(entries);
    const text = formatCheckpoint({ origin: ORIGIN, size, root: tree.root(), extensions: [] });
    const signatures = [
      signNote(text, parseSignerKey(logKeys.signerKey)),
      cosign(text, Math.floor(Date.now() / 1000), parseSignerKey(witness.signerKey)),
    ];
    writeCheckpoint(dir, formatNote({ text, signatures }));
    long = await buildTestApp({ log: { reader: new LogReader(dir), policy } });
  }, 30_000);

  afterAll(() => long?.close());

  it('pages entries at most LOG_ENTRIES_PAGE at a time, from where the client asks', async () => {
    const first = await getJson<{ entries: unknown[] }>(`${LOG_ENTRIES_PATH}?start=0&end=${size}`, long);
    expect(first.entries).toHaveLength(LOG_ENTRIES_PAGE);
    const rest = await getJson<{ entries: unknown[] }>(
      `${LOG_ENTRIES_PATH}?start=${LOG_ENTRIES_PAGE}&end=${size}`,
      long,
    );
    expect(rest.entries).toHaveLength(size - LOG_ENTRIES_PAGE);
    const middle = await getJson<{ entries: unknown[] }>(
      `${LOG_ENTRIES_PATH}?start=10&end=${10 + LOG_ENTRIES_PAGE + 1}`,
      long,
    );
    expect(middle.entries).toHaveLength(LOG_ENTRIES_PAGE);
    expect(middle.entries[0]).toEqual({ kind: 'model', entry: { id: 'model-10', version: 1 } });
    const entries = [...first.entries, ...rest.entries].map(parseLogEntry);
    expect(treeOf(entries).root()).toEqual(tree.root());
    const checkpoint = await get(LOG_CHECKPOINT_PATH, long);
    expect(verifyCheckpoint(checkpoint.body, policy).checkpoint.size).toBe(size);
  });
});

describe('rate limit', { timeout: 30_000 }, () => {
  it('counts the log routes with the catalog, in the same limit and no lower', async () => {
    const max = 4;
    const limited = await buildApp({
      logger: false,
      overload: false,
      rateLimit: { max, timeWindowMs: 60_000 },
      log: transparency.log,
    });
    try {
      // Alternating: the log and the catalog take from the same allowance.
      const urls = [LOG_CHECKPOINT_PATH, CATALOG_PATH_V2, `${LOG_ENTRIES_PATH}?start=0&end=1`, LOG_PATH];
      for (const url of urls) expect((await get(url, limited)).statusCode, url).toBe(200);
      for (const url of [
        CATALOG_PATH_V2,
        LOG_PATH,
        LOG_CHECKPOINT_PATH,
        `${LOG_INCLUSION_PATH}?index=0&size=1`,
        `${LOG_CONSISTENCY_PATH}?from=0&to=1`,
      ])
        expectProblem(await get(url, limited), 'rate-limited', 429);
    } finally {
      await limited.close();
    }
    // The log alone gets exactly as many as the limit allows.
    const logOnly = await buildApp({
      logger: false,
      overload: false,
      rateLimit: { max, timeWindowMs: 60_000 },
      log: transparency.log,
    });
    try {
      for (let i = 0; i < max; i++) expect((await get(LOG_CHECKPOINT_PATH, logOnly)).statusCode).toBe(200);
      expectProblem(await get(LOG_CHECKPOINT_PATH, logOnly), 'rate-limited', 429);
    } finally {
      await logOnly.close();
    }
  });
});
