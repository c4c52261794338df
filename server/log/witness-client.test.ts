/**
 * The log's witness client against real witnesses on loopback (server/witness): a cosignature comes back
 * and verifies, a 409 is retried once from the size the witness reports, and whatever a witness or the
 * network does comes back as `ok: false`, never as an exception.
 */

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyCosignature } from '../../shared/log/cosignature.js';
import { parseVerifierKey } from '../../shared/log/note.js';
import { type RunningWitness, startWitness } from '../witness/http.js';
import { postCheckpoint, TestLog, temporaryDir, witnessKeys } from '../witness/test-support.js';
import { collectCosignatures, requestCosignature } from './witness-client.js';

const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function witnessFor(log: TestLog, name = 'witness.example/w1'): Promise<RunningWitness> {
  const witness = await startWitness({
    signerKey: witnessKeys(name).signerKey,
    logs: [{ origin: log.origin, logKey: log.verifierKey }],
    stateDir: temporaryDir(),
  });
  closers.push(() => witness.close());
  return witness;
}

/** A server that answers every request with `handler`, for what no honest witness does. */
async function fakeWitness(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function proofFrom(log: TestLog) {
  return (oldSize: number) => log.tree.consistencyProof(oldSize);
}

describe('requestCosignature', () => {
  it('returns the cosignature, which verifies under the witness key', async () => {
    const log = new TestLog().grow(4);
    const witness = await witnessFor(log);
    const key = parseVerifierKey(witness.verifierKey);
    const result = await requestCosignature(`${witness.url}/`, {
      oldSize: 0,
      consistencyProof: [],
      signedCheckpoint: log.checkpoint(),
    });
    if (!result.ok) throw new Error(result.reason);
    expect(result.signatures).toHaveLength(1);
    const [signature] = result.signatures;
    if (!signature) throw new Error('no signature');
    expect(verifyCosignature(log.checkpointText(), signature, key).valid).toBe(true);

    // With the witness's key given, the same answer is checked; under another key it is not accepted.
    log.grow(6);
    const request = {
      oldSize: 4,
      consistencyProof: log.tree.consistencyProof(4),
      signedCheckpoint: log.checkpoint(),
    };
    expect((await requestCosignature(witness.url, request, { witnessKey: key })).ok).toBe(true);
    const other = parseVerifierKey(witnessKeys().verifierKey);
    const again = await requestCosignature(
      witness.url,
      { ...request, oldSize: 6, consistencyProof: [] },
      {
        witnessKey: other,
      },
    );
    expect(again).toMatchObject({ ok: false, status: 200 });
  });

  it('reports the size of a 409 and the reason of a refusal', async () => {
    const log = new TestLog().grow(5);
    const witness = await witnessFor(log);
    expect((await postCheckpoint(witness.url, log.body(0, 2))).status).toBe(200);
    const conflict = await requestCosignature(witness.url, {
      oldSize: 0,
      consistencyProof: [],
      signedCheckpoint: log.checkpoint(),
    });
    expect(conflict).toEqual({
      ok: false,
      status: 409,
      conflictSize: 2,
      reason: 'The witness last cosigned size 2.',
    });
    const stranger = new TestLog('log.example/stranger').grow(1);
    const refused = await requestCosignature(witness.url, {
      oldSize: 0,
      consistencyProof: [],
      signedCheckpoint: stranger.checkpoint(),
    });
    expect(refused).toMatchObject({ ok: false, status: 404 });
    expect(refused.ok || refused.reason).toMatch(/^The witness answered 404: .*log/);
  });

  it('never throws: refused connection, timeout, oversized or garbled answers', async () => {
    const log = new TestLog().grow(1);
    const request = { oldSize: 0, consistencyProof: [], signedCheckpoint: log.checkpoint() };
    const closed = await fakeWitness((_req, res) => res.end());
    await closers.pop()?.();
    expect(await requestCosignature(closed, request)).toMatchObject({
      ok: false,
      status: 0,
      reason: expect.stringContaining('could not be reached'),
    });

    const silent = await fakeWitness(() => undefined);
    expect(await requestCosignature(silent, request, { timeoutMs: 200 })).toMatchObject({
      ok: false,
      status: 0,
      reason: 'The witness did not answer within 200 ms.',
    });

    const flood = await fakeWitness((_req, res) => res.end('— x '.repeat(40_000)));
    expect(await requestCosignature(flood, request)).toMatchObject({ ok: false, status: 200 });

    const garbled = await fakeWitness((_req, res) => res.end('not a signature\n'));
    expect(await requestCosignature(garbled, request)).toMatchObject({ ok: false, status: 200 });

    const badConflict = await fakeWitness((_req, res) => res.writeHead(409).end('lots\n'));
    expect(await requestCosignature(badConflict, request)).toMatchObject({ ok: false, status: 409 });
    expect(await requestCosignature(badConflict, request)).not.toHaveProperty('conflictSize');

    const thrown = await requestCosignature(silent, request, {
      fetch: () => Promise.reject(new TypeError('fetch failed')),
    });
    expect(thrown).toMatchObject({ ok: false, status: 0 });
  });

  it('sends exactly the tlog-witness body', async () => {
    const log = new TestLog().grow(5);
    let received = '';
    const url = await fakeWitness((req, res) => {
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => {
        received += chunk;
      });
      req.on('end', () => res.writeHead(req.url === '/prefix/add-checkpoint' ? 409 : 404).end('3\n'));
    });
    const proof = log.tree.consistencyProof(3);
    const result = await requestCosignature(`${url}/prefix//`, {
      oldSize: 3,
      consistencyProof: proof,
      signedCheckpoint: log.checkpoint(),
    });
    expect(result).toMatchObject({ ok: false, status: 409, conflictSize: 3 });
    expect(received).toBe(log.body(3));
  });
});

describe('collectCosignatures', () => {
  it('asks every witness, retrying once from the size a 409 reports', async () => {
    const log = new TestLog().grow(9);
    const fresh = await witnessFor(log, 'witness.example/fresh');
    const current = await witnessFor(log, 'witness.example/current');
    const behind = await witnessFor(log, 'witness.example/behind');
    expect((await postCheckpoint(current.url, log.body(0, 6))).status).toBe(200);
    expect((await postCheckpoint(behind.url, log.body(0, 2))).status).toBe(200);
    const witnesses = [fresh, current, behind].map((w) => ({
      url: w.url,
      key: parseVerifierKey(w.verifierKey),
    }));

    const outcomes = await collectCosignatures(witnesses, {
      signedCheckpoint: log.checkpoint(),
      previousSize: 6,
      proofFrom: proofFrom(log),
    });
    expect(outcomes.map((o) => [o.url, o.ok])).toEqual(witnesses.map((w) => [w.url, true]));
    for (const [i, outcome] of outcomes.entries()) {
      const key = witnesses[i]?.key;
      if (!outcome.ok || !key) throw new Error('not cosigned');
      expect(outcome.signatures.every((s) => verifyCosignature(log.checkpointText(), s, key).valid)).toBe(
        true,
      );
    }
  });

  it('reports, without retrying, a witness that cosigned a bigger tree, and a witness that is down', async () => {
    const log = new TestLog().grow(9);
    const ahead = await witnessFor(log);
    expect((await postCheckpoint(ahead.url, log.body(0, 9))).status).toBe(200);
    const down = await fakeWitness(() => undefined);
    await closers.pop()?.();

    const outcomes = await collectCosignatures([{ url: ahead.url }, { url: down }], {
      signedCheckpoint: log.checkpoint(5),
      previousSize: 3,
      proofFrom: (oldSize) => log.tree.consistencyProof(oldSize, 5),
    });
    expect(outcomes[0]).toMatchObject({
      url: ahead.url,
      ok: false,
      status: 409,
      conflictSize: 9,
      reason: "The witness has cosigned size 9, more than this checkpoint's 5.",
    });
    expect(outcomes[1]).toMatchObject({ url: down, ok: false, status: 0 });
  });
});
