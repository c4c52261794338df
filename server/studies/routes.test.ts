/**
 * The study routes on a real Fastify instance (the service's own buildApp: its error handler, parsers
 * and strict validation), a durable PGlite store in a temporary directory, real Privacy Pass tokens
 * (issued with OpenSSL) and real proofs. Honest contributions are accepted and published in order;
 * every hostile one is refused with a 4xx problem and changes nothing: no sequence number is used and
 * its token can still be spent by an honest contribution afterwards.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { base64urlnopad } from '@scure/base';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decryptElement } from '../../shared/elgamal.js';
import type { Group } from '../../shared/groups/group.js';
import { ristretto255Group } from '../../shared/groups/ristretto255.js';
import { ristretto255NativeGroup } from '../../shared/groups/ristretto255-native.js';
import {
  buildContribution,
  type ContributionWire,
  contributionContext,
  type StudyStatement,
} from '../../shared/studies/contribution.js';
import {
  ciphertextFromWire,
  ciphertextToBytes,
  ciphertextToWire,
  encrypt,
  multiplyCiphertext,
  proveBit,
  proveOneHot,
  proveProduct,
  proveRange,
  sumCiphertexts,
} from '../../shared/studies/crypto/index.js';
import { type Answers, plaintextSlots } from '../../shared/studies/layout.js';
import type { StudyTokenScope } from '../../shared/studies/tokens/challenge.js';
import { requestStudyToken } from '../../shared/studies/tokens/client.js';
import { issueTokenResponse, parseTokenRequest } from '../../shared/studies/tokens/issuer.js';
import { generateIssuerKeyPair, type IssuerKeyPair } from '../../shared/studies/tokens/issuer-key.js';
import { opensslPrivateOperation } from '../../shared/studies/tokens/issuer-openssl.js';
import { tokenToWire } from '../../shared/studies/tokens/token.js';
import { buildApp } from '../app.js';
import { ContributionVerifier } from './contribution-verifier.js';
import { type Database, openDatabase } from './database.js';
import { studyRoutes } from './routes.js';
import { StudyStore } from './store.js';
import { loadStudy, type ServedStudy } from './study-files.js';

type E = unknown;
/** The service's group: the native addon where it is built, else the WASM-free noble one. */
const group = (ristretto255NativeGroup ?? ristretto255Group) as Group<E>;
const ISSUER = 'tokens.sponsor.example';
const NOW = Date.parse('2026-06-01T00:00:00Z');
const TRUSTEES = {
  threshold: 2,
  members: [
    { name: 'Trustee one', publicKey: 'ZL2QXDfbncQ2V9ON1KKJU1WWqavYUrbMkmlJhJEx1S8' },
    { name: 'Trustee two', publicKey: '8GPEWQy9OXF46ioc9OvqQ8MLcLrfU2zkz6tqC8-Z-3w' },
    { name: 'Trustee three', publicKey: 'WOQRy5UNr99leRL98K6sTF7SWJuYhMh3xowaTRJQk38' },
  ],
};
/** Slots: score.value, score.square, smoker.true, band.option.{low,mid,high}; proofs: range, product, bit, one-hot. */
const MEASURES = [
  {
    kind: 'number',
    name: 'score',
    label: 'Score',
    unit: 'points',
    min: 0,
    max: 100,
    precision: 0,
    statistics: { count: true, mean: true, sd: { level: 0.95 } },
  },
  {
    kind: 'boolean',
    name: 'smoker',
    label: 'Smoker',
    statistics: { count: true, proportion: { level: 0.95 } },
  },
  {
    kind: 'choice',
    name: 'band',
    label: 'Band',
    options: [
      { value: 'low', label: 'Low' },
      { value: 'mid', label: 'Mid' },
      { value: 'high', label: 'High' },
    ],
    statistics: { count: true, proportion: { level: 0.9 } },
  },
];
const BASE = '/api/studies';

let app: FastifyInstance;
let database: Database;
let store: StudyStore;
let verifier: ContributionVerifier<E>;
let sponsor: IssuerKeyPair;
let otherSponsor: IssuerKeyPair;
const secretKey = group.randomSecretExponent();
const jointKey = group.powGenerator(secretKey);
const studies = new Map<string, ServedStudy<E>>();
const files = new Map<string, Record<string, unknown>>();
const dir = mkdtempSync(join(tmpdir(), 'sealed-vitals-study-routes-'));

function studyFile(id: string, times: { opens: string; closes: string }, issuer: IssuerKeyPair) {
  return {
    format: 'sealed-vitals-study/1',
    id,
    title: `Study ${id}`,
    sponsor: 'A test sponsor',
    purpose: 'To test the service.',
    measures: MEASURES,
    minimumCohort: 2,
    ...times,
    trustees: TRUSTEES,
    jointKey: base64urlnopad.encode(group.toBytes(jointKey)),
    ceremony: `${id}.ceremony.json`,
    tokenIssuer: { name: ISSUER, publicKey: base64urlnopad.encode(issuer.publicKey.spki) },
  };
}

const OPEN = { opens: '2026-01-01T00:00:00Z', closes: '2026-12-31T23:59:59Z' };

function scope(id: string): StudyTokenScope {
  const file = files.get(id) as { opens: string };
  return { issuerName: ISSUER, studyId: id, opens: file.opens };
}

function statement(id: string): StudyStatement<E> {
  return (studies.get(id) as ServedStudy<E>).statement;
}

/** The whole issuance as sponsor and patient run it; the patient sees only the published key. */
async function issueToken(forScope: StudyTokenScope, issuer: IssuerKeyPair = sponsor): Promise<Uint8Array> {
  const pending = await requestStudyToken(forScope, issuer.publicKey);
  const request = parseTokenRequest(pending.request, issuer.publicKey);
  return pending.finalize(
    await issueTokenResponse(issuer, request, opensslPrivateOperation(issuer.privateKey)),
  );
}

function answers(i: number): Answers {
  return { score: (i * 37) % 101, smoker: i % 3 === 0, band: ['low', 'mid', 'high'][i % 3] as string };
}

function honest(id: string, i: number, token: Uint8Array): ContributionWire {
  return buildContribution(group, statement(id), answers(i), token);
}

/**
 * A score of 101 (the range is [0, 100]) with every proof made by the honest prover, the range proof's
 * told the value is 100: the contribution parses, and only its range proof can give it away.
 */
function outOfRange(id: string, token: Uint8Array): ContributionWire {
  const { jointKey: key, digest } = statement(id);
  const value = encrypt(group, key, 101n);
  const square = multiplyCiphertext(group, key, 101n, value.ciphertext);
  const smoker = encrypt(group, key, 0n);
  const band = [1n, 0n, 0n].map((bit) => encrypt(group, key, bit));
  const ciphertexts = [value.ciphertext, square.z, smoker.ciphertext, ...band.map((b) => b.ciphertext)];
  const context = contributionContext(
    digest,
    token,
    ciphertexts.map((c) => ciphertextToBytes(group, c)),
  );
  const lie = { ...value.opening, value: 100n };
  const proofs = [
    proveRange(group, key, value.ciphertext, lie, 100n, context),
    proveProduct(
      group,
      key,
      { x: value.ciphertext, y: value.ciphertext, z: square.z },
      { x: value.opening, t: square.t },
      context,
    ),
    proveBit(group, key, smoker.ciphertext, smoker.opening, context),
    proveOneHot(
      group,
      key,
      band.map((b) => b.ciphertext),
      band.map((b) => b.opening),
      context,
    ),
  ];
  return {
    study: id,
    token: tokenToWire(token),
    slots: ciphertexts.map((c) => ciphertextToWire(group, c)),
    proofs: proofs.map((p) => base64urlnopad.encode(p)),
  };
}

function flipByte(wire: string, at: number): string {
  const bytes = base64urlnopad.decode(wire);
  bytes[at] = (bytes[at] as number) ^ 0x40;
  return base64urlnopad.encode(bytes);
}

function post(id: string, body: unknown, contentType = 'application/json') {
  return app.inject({
    method: 'POST',
    url: `${BASE}/${id}/contributions`,
    headers: { 'content-type': contentType },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

interface ProblemBody {
  type: string;
  status: number;
  code: string;
  detail: string;
}

function expectProblem(response: LightMyRequestResponse, status: number, code: string): ProblemBody {
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  const problem = response.json<ProblemBody>();
  expect({ status: response.statusCode, code: problem.code }).toEqual({ status, code });
  expect(problem.status).toBe(status);
  return problem;
}

async function contributionCount(id: string): Promise<number> {
  const response = await app.inject(`${BASE}/${id}/state`);
  return response.json<{ contributions: number }>().contributions;
}

async function board(id: string, query = '') {
  const response = await app.inject(`${BASE}/${id}/contributions${query}`);
  expect(response.statusCode).toBe(200);
  return {
    response,
    entries: response.json<{ contributions: { seq: number; contribution: ContributionWire }[] }>()
      .contributions,
  };
}

let clock = NOW;

beforeAll(async () => {
  [sponsor, otherSponsor] = await Promise.all([generateIssuerKeyPair(), generateIssuerKeyPair()]);
  const made = {
    open: studyFile('open-study', OPEN, sponsor),
    sibling: studyFile('sibling-study', OPEN, sponsor),
    later: studyFile(
      'later-study',
      { opens: '2026-09-01T00:00:00Z', closes: '2026-12-31T00:00:00Z' },
      sponsor,
    ),
    ended: studyFile(
      'ended-study',
      { opens: '2026-01-01T00:00:00Z', closes: '2026-05-01T00:00:00+02:00' },
      sponsor,
    ),
    closing: studyFile('closing-study', OPEN, sponsor),
    busy: studyFile('busy-study', OPEN, sponsor),
  };
  for (const file of Object.values(made)) {
    files.set(file.id, file);
    // Published with white space, as an editor writes it: served byte for byte, digested canonically.
    const bytes = new TextEncoder().encode(`${JSON.stringify(file, null, 2)}\n`);
    studies.set(file.id, await loadStudy(group, `${file.id}.study.json`, bytes));
  }
  database = await openDatabase({ kind: 'embedded', dir });
  store = new StudyStore(database);
  // A wider window than the service's: here the clients share the service's thread, so requests
  // arrive more slowly than from a network of patients.
  verifier = new ContributionVerifier(group, { windowMs: 20, maxContributions: 16, maxWaiting: 256 });
  app = await buildApp({ logger: false, rateLimit: false, overload: false, metrics: false });
  await app.register(studyRoutes, { prefix: '/api', studies, store, group, verifier, now: () => clock });
  // The same studies behind a verifier that lets one contribution wait at a time, for a full line.
  const oneAtATime = new ContributionVerifier(group, {
    windowMs: 1_000,
    maxContributions: 16,
    maxWaiting: 1,
  });
  await app.register(studyRoutes, {
    prefix: '/busy',
    studies,
    store,
    group,
    verifier: oneAtATime,
    now: () => clock,
  });
  await app.ready();
}, 120_000);

afterAll(async () => {
  await app?.close();
  await database?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('reading studies', () => {
  it('lists the studies served, by id, with their titles', async () => {
    const response = await app.inject(BASE);
    expect(response.statusCode).toBe(200);
    const { studies: list } = response.json<{ studies: { id: string; title: string }[] }>();
    expect(list.map((s) => s.id)).toEqual([...files.keys()].sort());
    expect(list[0]).toEqual({ id: 'busy-study', title: 'Study busy-study' });
  });

  it('serves a study file byte for byte with a strong ETag, and 304 when it has not changed', async () => {
    const study = studies.get('open-study') as ServedStudy<E>;
    const response = await app.inject(`${BASE}/open-study`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(new Uint8Array(response.rawPayload)).toEqual(study.published);
    const etag = response.headers.etag as string;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(response.headers['cache-control']).toMatch(/public/);
    const again = await app.inject({ url: `${BASE}/open-study`, headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    const other = await app.inject({ url: `${BASE}/sibling-study`, headers: { 'if-none-match': etag } });
    expect(other.statusCode).toBe(200);
  });

  it('answers 404 problems for an unknown study, without echoing its id', async () => {
    for (const url of [
      `${BASE}/no-such-study`,
      `${BASE}/no-such-study/state`,
      `${BASE}/no-such-study/contributions`,
    ]) {
      const problem = expectProblem(await app.inject(url), 404, 'unknown-study');
      expect(problem.detail).not.toMatch(/no-such/);
    }
    expectProblem(await post('no-such-study', {}), 404, 'unknown-study');
  });

  it('says whether a study is open', async () => {
    const state = async (id: string) => (await app.inject(`${BASE}/${id}/state`)).json<{ status: string }>();
    expect((await state('open-study')).status).toBe('open');
    expect((await state('later-study')).status).toBe('not-yet-open');
    expect((await state('ended-study')).status).toBe('closed');
  });
});

describe('contributions', () => {
  /** Tokens given to hostile contributions: each must still be spendable afterwards. */
  const reusable: Uint8Array[] = [];
  let accepted = 0;

  it('accepts honest contributions with 201 after commit, and publishes them in order', async () => {
    for (let i = 0; i < 3; i++) {
      const body = honest('open-study', i, await issueToken(scope('open-study')));
      const response = await post('open-study', body);
      expect(response.statusCode).toBe(201);
      expect(response.json()).toEqual({ seq: i + 1 });
      expect(response.headers.location).toBe(`${BASE}/open-study/contributions/${i + 1}`);
      const entry = await app.inject(response.headers.location as string);
      expect(entry.statusCode).toBe(200);
      expect(entry.json()).toEqual({ seq: i + 1, contribution: body });
      expect(entry.headers['cache-control']).toMatch(/immutable/);
      accepted++;
    }
    const { entries, response } = await board('open-study');
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3]);
    // The board holds the canonical form (RFC 8785: members sorted, no white space).
    expect(response.body).toContain('{"seq":1,"contribution":{"proofs":[');
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(await contributionCount('open-study')).toBe(3);
  });

  it('stores one canonical form whatever white space the client sends, within the layout’s size', async () => {
    const body = honest('open-study', 3, await issueToken(scope('open-study')));
    const response = await post('open-study', JSON.stringify(body, null, 2));
    expect(response.statusCode).toBe(201);
    accepted++;
    const { entries, response: page } = await board('open-study', `?after=${accepted - 1}&limit=1`);
    expect(entries).toEqual([{ seq: accepted, contribution: body }]);
    const record = page.body.slice(page.body.indexOf('"contribution":') + 15, -3);
    expect(record.length).toBe(studies.get('open-study')?.sizes.canonicalBytes);
  });

  describe('hostile contributions are refused with 4xx and change nothing', () => {
    async function refused(
      make: (token: Uint8Array) => unknown,
      status: number,
      code: string,
      detail?: RegExp,
      contentType?: string,
    ) {
      const token = await issueToken(scope('open-study'));
      const response = await post('open-study', make(token), contentType);
      const problem = expectProblem(response, status, code);
      if (detail) expect(problem.detail).toMatch(detail);
      // A detail never echoes the token (a bearer credential) or any of the submitted strings.
      expect(response.body).not.toContain(tokenToWire(token).slice(0, 40));
      expect(await contributionCount('open-study')).toBe(accepted);
      reusable.push(token);
    }
    const valid = (token: Uint8Array) => honest('open-study', 7, token);

    it('a tampered proof byte', async () => {
      await refused(
        (token) => {
          const body = valid(token);
          return { ...body, proofs: [flipByte(body.proofs[0] as string, 300), ...body.proofs.slice(1)] };
        },
        400,
        'invalid-proof',
        /proofs\[0\] \(range of score\.value\)/,
      );
    });

    it('a value out of range with a proof forged by a lied-to prover', async () => {
      await refused((token) => outOfRange('open-study', token), 400, 'invalid-proof', /proofs\[0\] \(range/);
    });

    it('an honest contribution whose proofs were made for another token', async () => {
      const other = await issueToken(scope('open-study'));
      await refused((token) => ({ ...valid(other), token: tokenToWire(token) }), 400, 'invalid-proof');
      reusable.push(other);
    });

    it('slots and proofs of the wrong count or length', async () => {
      await refused(
        (token) => ({ ...valid(token), slots: valid(token).slots.slice(1) }),
        400,
        'validation-failed',
        /slots/,
      );
      await refused(
        (token) => ({ ...valid(token), proofs: [...valid(token).proofs, valid(token).proofs[2]] }),
        400,
        'validation-failed',
        /proofs/,
      );
      await refused(
        (token) => {
          const body = valid(token);
          return {
            ...body,
            proofs: [body.proofs[0], (body.proofs[1] as string).slice(4), ...body.proofs.slice(2)],
          };
        },
        400,
        'validation-failed',
        /proofs\.1/,
      );
      await refused(
        (token) => ({ ...valid(token), slots: valid(token).slots.map((s) => `${s}AAAA`) }),
        400,
        'validation-failed',
        /slots\.0/,
      );
    });

    it('a non-canonical element and a non-canonical encoding', async () => {
      // 2²⁵⁵ − 19 = p itself: a field element's non-canonical spelling (RFC 9496 §4.3.1).
      const p = new Uint8Array(32).fill(0xff);
      p[0] = 0xed;
      p[31] = 0x7f;
      await refused(
        (token) => {
          const body = valid(token);
          const slot = base64urlnopad.decode(body.slots[0] as string);
          slot.set(p, 0);
          return { ...body, slots: [base64urlnopad.encode(slot), ...body.slots.slice(1)] };
        },
        400,
        'invalid-element',
        /slots\[0\] \(score\.value\)/,
      );
      await refused(
        (token) => {
          const body = valid(token);
          // The last character of an 86-character slot carries 4 unused bits: set one.
          const slot = body.slots[2] as string;
          const last = slot.at(-1) === 'A' ? 'B' : slot.at(-1) === 'Q' ? 'R' : 'x';
          return {
            ...body,
            slots: [...body.slots.slice(0, 2), `${slot.slice(0, -1)}${last}`, ...body.slots.slice(3)],
          };
        },
        400,
        'invalid-encoding',
        /slots\[2\]/,
      );
    });

    it('unknown or missing members, another study’s id', async () => {
      await refused((token) => ({ ...valid(token), note: 'hello' }), 400, 'validation-failed', /"note"/);
      await refused(
        (token) => {
          const { proofs: _, ...rest } = valid(token);
          return rest;
        },
        400,
        'validation-failed',
        /proofs/,
      );
      await refused(
        (token) => ({ ...valid(token), study: 'sibling-study' }),
        400,
        'validation-failed',
        /study/,
      );
      await refused(() => [], 400, 'validation-failed');
    });

    it('a wrong content type, a body that is not JSON, and an oversized body', async () => {
      await refused(
        (token) => JSON.stringify(valid(token)),
        415,
        'unsupported-media-type',
        undefined,
        'text/plain',
      );
      await refused(
        () => 'study=open-study',
        415,
        'unsupported-media-type',
        undefined,
        'application/x-www-form-urlencoded',
      );
      await refused(() => '{"study": "open-study", ', 400, 'validation-failed', /not valid JSON/);
      const limit = studies.get('open-study')?.sizes.bodyLimit as number;
      await refused(
        (token) => ({ ...valid(token), padding: 'x'.repeat(limit) }),
        413,
        'payload-too-large',
        new RegExp(`at most ${limit} bytes`),
      );
    });

    it('tokens for another study, from another issuer, with a bad signature or malformed', async () => {
      const forSibling = await issueToken(scope('sibling-study'));
      await refused(
        (token) => ({ ...valid(token), token: tokenToWire(forSibling) }),
        403,
        'token-refused',
        /another study/,
      );
      const foreign = await issueToken(scope('open-study'), otherSponsor);
      await refused(
        (token) => ({ ...valid(token), token: tokenToWire(foreign) }),
        403,
        'token-refused',
        /another issuer key/,
      );
      await refused(
        (token) => ({ ...valid(token), token: flipByte(tokenToWire(token), 200) }),
        403,
        'token-refused',
        /signature/,
      );
      await refused(
        (token) => {
          const bytes = token.slice();
          bytes[0] = 0x00;
          bytes[1] = 0x01;
          return { ...valid(token), token: tokenToWire(bytes) };
        },
        400,
        'invalid-token',
      );
      await refused(
        (token) => ({ ...valid(token), token: tokenToWire(token).slice(0, -4) }),
        400,
        'validation-failed',
        /token/,
      );
    });

    it('leaves every token it refused spendable: each now buys an honest contribution, numbered densely', async () => {
      expect(reusable.length).toBeGreaterThan(15);
      for (const token of reusable) {
        const response = await post('open-study', honest('open-study', accepted, token));
        expect(response.statusCode).toBe(201);
        accepted++;
        expect(response.json()).toEqual({ seq: accepted });
      }
    });
  });

  it('refuses a spent token with 409, even in another contribution', async () => {
    const token = await issueToken(scope('open-study'));
    expect((await post('open-study', honest('open-study', 1, token))).statusCode).toBe(201);
    accepted++;
    expectProblem(await post('open-study', honest('open-study', 2, token)), 409, 'token-spent');
    expect(await contributionCount('open-study')).toBe(accepted);
  });

  it('refuses contributions before the opening and after the closing, before reading the body', async () => {
    const early = await issueToken(scope('later-study'));
    const problem = expectProblem(
      await post('later-study', honest('later-study', 0, early)),
      409,
      'study-not-open',
    );
    expect(problem.detail).toContain('2026-09-01T00:00:00Z');
    // Closed by the clock (closes is 2026-05-01T00:00:00+02:00, before NOW).
    expectProblem(
      await post('ended-study', honest('ended-study', 0, await issueToken(scope('ended-study')))),
      409,
      'study-closed',
    );
    expectProblem(await post('ended-study', 'not even JSON', 'text/plain'), 409, 'study-closed');
    // Once the clock reaches the opening, the same token is accepted.
    clock = Date.parse('2026-09-01T00:00:00Z');
    try {
      expect((await post('later-study', honest('later-study', 0, early))).statusCode).toBe(201);
    } finally {
      clock = NOW;
    }
  });

  it('refuses a contribution to a study closed in the store (409), storing nothing', async () => {
    expect(await store.closeStudy('closing-study')).toEqual({ outcome: 'closed', contributions: 0 });
    const token = await issueToken(scope('closing-study'));
    expectProblem(await post('closing-study', honest('closing-study', 0, token)), 409, 'study-closed');
    expect(await contributionCount('closing-study')).toBe(0);
    expect((await app.inject(`${BASE}/closing-study/state`)).json()).toMatchObject({ status: 'closed' });
  });

  it('answers 503 with Retry-After when the verifier’s line is full, spending nothing', async () => {
    const [first, second] = [
      await issueToken(scope('sibling-study')),
      await issueToken(scope('sibling-study')),
    ];
    const url = '/busy/studies/sibling-study/contributions';
    const send = (token: Uint8Array, i: number) =>
      app.inject({ method: 'POST', url, payload: honest('sibling-study', i, token) });
    const [waited, turnedAway] = await Promise.all([
      send(first as Uint8Array, 0),
      send(second as Uint8Array, 1),
    ]);
    expect(waited.statusCode).toBe(201);
    expectProblem(turnedAway, 503, 'service-unavailable');
    expect(turnedAway.headers['retry-after']).toBe('1');
    expect(await contributionCount('sibling-study')).toBe(1);
    expect((await send(second as Uint8Array, 1)).json()).toEqual({ seq: 2 });
  });

  it('validates the board’s paging', async () => {
    const { entries } = await board('open-study', '?after=2&limit=3');
    expect(entries.map((e) => e.seq)).toEqual([3, 4, 5]);
    expect((await board('open-study', `?after=${accepted}`)).entries).toEqual([]);
    for (const query of [
      '?limit=0',
      '?limit=1001',
      '?after=-1',
      '?after=1.5',
      '?after=01',
      '?limit=x',
      '?after=1&after=2',
    ]) {
      expectProblem(await app.inject(`${BASE}/open-study/contributions${query}`), 400, 'validation-failed');
    }
    expectProblem(
      await app.inject(`${BASE}/open-study/contributions/${accepted + 1}`),
      404,
      'unknown-contribution',
    );
    expectProblem(await app.inject(`${BASE}/open-study/contributions/0`), 404, 'unknown-contribution');
    expectProblem(await app.inject(`${BASE}/open-study/contributions/x`), 400, 'validation-failed');
  });
});

describe('over a real socket', () => {
  const PATIENTS = 100;

  it('accepts 100 concurrent honest contributions with dense sequence numbers, verified in batches', async () => {
    const tokens = [];
    for (let i = 0; i < PATIENTS; i++) tokens.push(await issueToken(scope('busy-study')));
    const bodies = tokens.map((token, i) => honest('busy-study', i, token));
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const before = verifier.counters;
    const responses = await Promise.all(
      bodies.map((body) =>
        fetch(`${address}${BASE}/busy-study/contributions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(bodies.map(() => 201));
    const seqs = await Promise.all(responses.map(async (r) => (await r.json()).seq as number));
    expect([...seqs].sort((a, b) => a - b)).toEqual(Array.from({ length: PATIENTS }, (_, i) => i + 1));
    const after = verifier.counters;
    expect(after.contributions - before.contributions).toBe(PATIENTS);
    // Batched: far fewer batches than contributions, and some held many.
    expect(after.batches - before.batches).toBeLessThan(PATIENTS / 2);
    expect(after.largestBatch).toBeGreaterThan(4);

    // The board holds exactly these contributions, in the order of their numbers…
    const { entries } = await board('busy-study', '?limit=1000');
    expect(entries.map((e) => e.seq)).toEqual(seqs.slice().sort((a, b) => a - b));
    const bySeq = new Map(seqs.map((seq, i) => [seq, bodies[i]]));
    for (const entry of entries) expect(entry.contribution).toEqual(bySeq.get(entry.seq));
    // …and their slots add up to the patients' answers.
    const slotCount = statement('busy-study').layout.slots.length;
    const expected = Array.from({ length: PATIENTS }, (_, i) =>
      plaintextSlots(statement('busy-study').study, answers(i)),
    );
    for (let slot = 0; slot < slotCount; slot++) {
      const total = sumCiphertexts(
        group,
        entries.map((e) => ciphertextFromWire(group, e.contribution.slots[slot], `slot ${slot}`)),
      );
      const sum = expected.reduce((s, values) => s + (values[slot] as bigint), 0n);
      expect(group.equals(decryptElement(group, secretKey, total), group.powGenerator(sum))).toBe(true);
    }

    // Closed, the board is final: cacheable for good.
    await store.closeStudy('busy-study');
    expect((await board('busy-study')).response.headers['cache-control']).toMatch(/immutable/);
  }, 120_000);
});
