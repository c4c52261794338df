/**
 * The witness as a log and an attacker meet it: real keys, a real Merkle tree, real HTTP on loopback.
 * Each refusal is the status C2SP tlog-witness (add-checkpoint) prescribes; the state survives a restart.
 */

import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyCosignature } from '../../shared/log/cosignature.js';
import {
  formatNote,
  generateSignerKey,
  parseNote,
  parseVerifierKey,
  signNote,
} from '../../shared/log/note.js';
import { type RunningWitness, startWitness } from './http.js';
import { originHash, StateStoreError } from './state-store.js';
import { postCheckpoint, TestLog, temporaryDir, witnessKeys } from './test-support.js';
import { WitnessConfigError, type WitnessEvent } from './witness.js';

const running: RunningWitness[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((witness) => witness.close()));
});

async function witnessFor(
  log: TestLog,
  stateDir = temporaryDir(),
  keys = witnessKeys(),
  onEvent?: (event: WitnessEvent) => void,
): Promise<RunningWitness> {
  const witness = await startWitness({
    signerKey: keys.signerKey,
    logs: [{ origin: log.origin, logKey: log.verifierKey }],
    stateDir,
    ...(onEvent ? { onEvent } : {}),
  });
  running.push(witness);
  return witness;
}

/** The answer's cosignatures, verified under the witness's key with the checkpoint's text. */
function verifiedTimestamps(witness: RunningWitness, checkpointText: string, answer: string): number[] {
  const key = parseVerifierKey(witness.verifierKey);
  const { signatures } = parseNote(`${checkpointText}\n${answer}`);
  return signatures.map((signature) => {
    const { valid, timestamp } = verifyCosignature(checkpointText, signature, key);
    expect(valid).toBe(true);
    return timestamp;
  });
}

describe('add-checkpoint: an honest log', () => {
  it('cosigns 0 → 3 → 7 → 7 again, each cosignature verifying with a current timestamp', async () => {
    const log = new TestLog();
    const witness = await witnessFor(log);
    const before = Math.floor(Date.now() / 1000);
    for (const [old, size] of [
      [0, 3],
      [3, 7],
      [7, 7],
    ] as const) {
      log.grow(size);
      const answer = await postCheckpoint(witness.url, log.body(old, size));
      expect(answer.status).toBe(200);
      expect(answer.text).toMatch(/^— witness\.example\/w1 [A-Za-z0-9+/]+=*\n$/);
      for (const timestamp of verifiedTimestamps(witness, log.checkpointText(size), answer.text)) {
        expect(timestamp).toBeGreaterThanOrEqual(before);
        expect(timestamp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
      }
    }
  });

  it('serves the latest cosigned checkpoint with the log signature and its cosignature', async () => {
    const log = new TestLog().grow(5);
    const witness = await witnessFor(log);
    expect((await fetch(`${witness.url}/${originHash(log.origin)}/checkpoint`)).status).toBe(404);
    expect((await postCheckpoint(witness.url, log.body(0))).status).toBe(200);
    const served = parseNote(
      await (await fetch(`${witness.url}/${originHash(log.origin)}/checkpoint`)).text(),
    );
    expect(served.text).toBe(log.checkpointText());
    expect(served.signatures.map((s) => s.name)).toEqual([log.origin, 'witness.example/w1']);
    const [, cosignature] = served.signatures;
    if (!cosignature) throw new Error('no cosignature');
    expect(verifyCosignature(served.text, cosignature, parseVerifierKey(witness.verifierKey)).valid).toBe(
      true,
    );
  });

  it('accepts an empty tree first, with the empty root', async () => {
    const log = new TestLog();
    const witness = await witnessFor(log);
    expect((await postCheckpoint(witness.url, log.body(0, 0))).status).toBe(200);
    // As bytes, without a Content-Type: the body is the protocol's whatever the header says.
    expect((await postCheckpoint(witness.url, Buffer.from(log.grow(2).body(0, 2)))).status).toBe(200);
  });
});

describe('add-checkpoint: what a witness must refuse', () => {
  it('refuses a fork: another root for a size it cosigned (422), or a tree extending it (422)', async () => {
    const log = new TestLog().grow(7);
    const split = log.fork('other ').grow(9);
    const events: WitnessEvent[] = [];
    const witness = await witnessFor(log, temporaryDir(), witnessKeys(), (event) => events.push(event));
    expect((await postCheckpoint(witness.url, log.body(0))).status).toBe(200);

    const sameSize = await postCheckpoint(witness.url, split.body(7, 7));
    expect(sameSize.status).toBe(422);
    expect(sameSize.text).toContain('fork');
    expect((await postCheckpoint(witness.url, split.body(7, 9))).status).toBe(422);
    // The log's signed split view is kept as evidence in the operator's log.
    expect(events.filter((e) => e.status === 422).map((e) => e.evidence)).toEqual([
      split.checkpoint(7),
      split.checkpoint(9),
    ]);
  });

  it('refuses a rollback: a smaller tree from its size (400), or from the smaller size (409)', async () => {
    const log = new TestLog().grow(7);
    const witness = await witnessFor(log);
    expect((await postCheckpoint(witness.url, log.body(0))).status).toBe(200);
    const fromCurrent = `old 7\n\n${log.checkpoint(3)}`;
    expect((await postCheckpoint(witness.url, fromCurrent)).status).toBe(400);
    const fromSmaller = await postCheckpoint(witness.url, log.body(3, 3));
    expect(fromSmaller).toEqual({ status: 409, type: 'text/x.tlog.size', text: '7\n' });
  });

  it('answers 409 with its size, as text/x.tlog.size, when old is not the size it cosigned', async () => {
    const log = new TestLog().grow(10);
    const witness = await witnessFor(log);
    expect(await postCheckpoint(witness.url, log.body(4))).toEqual({
      status: 409,
      type: 'text/x.tlog.size',
      text: '0\n',
    });
    expect((await postCheckpoint(witness.url, log.body(0, 4))).status).toBe(200);
    expect(await postCheckpoint(witness.url, log.body(0))).toEqual({
      status: 409,
      type: 'text/x.tlog.size',
      text: '4\n',
    });
  });

  it('refuses a checkpoint without a valid signature of the log key (403)', async () => {
    const log = new TestLog().grow(3);
    const witness = await witnessFor(log);
    const impostor = new TestLog(log.origin).grow(3);
    // Same name, another key: an unknown key, ignored, so no trusted signature remains.
    expect((await postCheckpoint(witness.url, `old 0\n\n${impostor.checkpoint()}`)).status).toBe(403);
    // The log's name and key ID with a signature that does not verify.
    const text = log.checkpointText();
    const signature = signNote(text, log.key);
    const tampered = { ...signature, signature: signature.signature.map((b, i) => (i === 0 ? b ^ 1 : b)) };
    expect(
      (await postCheckpoint(witness.url, `old 0\n\n${formatNote({ text, signatures: [tampered] })}`)).status,
    ).toBe(403);
    // A good log signature does not excuse a bad one beside it.
    const both = formatNote({ text, signatures: [signature, tampered] });
    expect((await postCheckpoint(witness.url, `old 0\n\n${both}`)).status).toBe(403);
    // A signature by some other key beside the log's is ignored.
    const extra = formatNote({ text, signatures: [signNote(text, impostor.key), signature] });
    expect((await postCheckpoint(witness.url, `old 0\n\n${extra}`)).status).toBe(200);
  });

  it('answers 404 for a log it does not witness', async () => {
    const witness = await witnessFor(new TestLog());
    const stranger = new TestLog('log.example/stranger').grow(2);
    const answer = await postCheckpoint(witness.url, stranger.body(0));
    expect(answer.status).toBe(404);
    expect(answer.type).toMatch(/^text\/plain/);
  });

  it('refuses a consistency proof that does not verify, or one where none belongs (422)', async () => {
    const log = new TestLog().grow(3);
    const witness = await witnessFor(log);
    const withProof = `old 0\n${Buffer.alloc(32).toString('base64')}\n\n${log.checkpoint()}`;
    expect((await postCheckpoint(witness.url, withProof)).status).toBe(422);
    expect((await postCheckpoint(witness.url, log.body(0))).status).toBe(200);
    log.grow(7);
    const [first, ...rest] = log.tree.consistencyProof(3, 7);
    if (!first) throw new Error('no proof');
    const flipped = [first.map((b, i) => (i === 31 ? b ^ 0x80 : b)), ...rest];
    const bad = `old 3\n${flipped.map((h) => `${Buffer.from(h).toString('base64')}\n`).join('')}\n${log.checkpoint()}`;
    expect((await postCheckpoint(witness.url, bad)).status).toBe(422);
    const truncated = `old 3\n${rest.map((h) => `${Buffer.from(h).toString('base64')}\n`).join('')}\n${log.checkpoint()}`;
    expect((await postCheckpoint(witness.url, truncated)).status).toBe(422);
    expect((await postCheckpoint(witness.url, log.body(3))).status).toBe(200);
  });

  it('refuses an empty tree with another root than the empty one (422)', async () => {
    const log = new TestLog().grow(1);
    const witness = await witnessFor(log);
    const text = `${log.origin}\n0\n${Buffer.from(log.tree.root()).toString('base64')}\n`;
    const note = formatNote({ text, signatures: [signNote(text, log.key)] });
    expect((await postCheckpoint(witness.url, `old 0\n\n${note}`)).status).toBe(422);
  });

  it('answers 400 to a malformed body', async () => {
    const log = new TestLog().grow(3);
    const witness = await witnessFor(log);
    const checkpoint = log.checkpoint();
    const hash = `${Buffer.alloc(32, 7).toString('base64')}\n`;
    const malformed: (string | Uint8Array)[] = [
      '',
      checkpoint,
      `old 0\n${checkpoint}`,
      `old 00\n\n${checkpoint}`,
      `old -1\n\n${checkpoint}`,
      `old 1e3\n\n${checkpoint}`,
      `Old 0\n\n${checkpoint}`,
      `old 0 \n\n${checkpoint}`,
      `old 0\nnot base64\n\n${checkpoint}`,
      `old 0\n${Buffer.alloc(31).toString('base64')}\n\n${checkpoint}`,
      `old 0\n${hash.replace('=', 'B')}\n${checkpoint}`,
      `old 0\n${hash.repeat(64)}\n${checkpoint}`,
      `old 0\n\n${log.checkpointText()}`,
      `old 0\n\n${checkpoint.replace('\n3\n', '\n03\n')}`,
      `old 0\r\n\r\n${checkpoint}`,
      new Uint8Array([...Buffer.from('old 0\n\n'), 0xff, ...Buffer.from(checkpoint)]),
    ];
    for (const body of malformed) {
      const answer = await postCheckpoint(witness.url, body);
      expect({ body: String(body), status: answer.status }).toEqual({ body: String(body), status: 400 });
      expect(answer.type).toMatch(/^text\/plain/);
    }
    // Its own size stayed 0 through all that.
    expect((await postCheckpoint(witness.url, log.body(0))).status).toBe(200);
  });

  it('bounds the body (413) and accepts 63 proof lines', async () => {
    const log = new TestLog().grow(3);
    const witness = await witnessFor(log);
    expect((await postCheckpoint(witness.url, `old 0\n\n${'x'.repeat(70_000)}`)).status).toBe(413);
    const hash = `${Buffer.alloc(32, 7).toString('base64')}\n`;
    // Well-formed, so past the parser: 422 because from 0 the proof must be empty.
    expect((await postCheckpoint(witness.url, `old 0\n${hash.repeat(63)}\n${log.checkpoint()}`)).status).toBe(
      422,
    );
  });
});

describe('startWitness', () => {
  it('names a bad log key or origin, never the witness key, and creates no state for it', async () => {
    const keys = witnessKeys();
    const stateDir = join(temporaryDir(), 'state');
    const start = (logs: { origin: string; logKey: string }[], signerKey = keys.signerKey) =>
      startWitness({ signerKey, logs, stateDir });
    const log = new TestLog();
    await expect(start([{ origin: log.origin, logKey: 'garbage' }])).rejects.toThrow(
      'The key of the log log.example/vitals is not a signed-note verifier key',
    );
    await expect(start([{ origin: 'two\nlines', logKey: log.verifierKey }])).rejects.toThrow(
      WitnessConfigError,
    );
    await expect(start([])).rejects.toThrow('at least one log');
    const noteKey = generateSignerKey('witness.example/w1').signerKey;
    const wrongType = start([{ origin: log.origin, logKey: log.verifierKey }], noteKey);
    await expect(wrongType).rejects.toThrow('type 0x04');
    await expect(wrongType).rejects.not.toThrow(noteKey.split('+').slice(4).join('+'));
    expect(existsSync(stateDir)).toBe(false);
  });
});

describe('add-checkpoint: state', () => {
  it('after a restart over the same state, still refuses the fork and continues from its size', async () => {
    const log = new TestLog().grow(7);
    const stateDir = temporaryDir();
    const keys = witnessKeys();
    const first = await witnessFor(log, stateDir, keys);
    expect((await postCheckpoint(first.url, log.body(0))).status).toBe(200);
    await first.close();

    const second = await witnessFor(log, stateDir, keys);
    expect(second.verifierKey).toBe(first.verifierKey);
    expect((await postCheckpoint(second.url, log.fork('other ').grow(7).body(7, 7))).status).toBe(422);
    expect(await postCheckpoint(second.url, log.body(0, 7))).toMatchObject({ status: 409, text: '7\n' });
    expect((await postCheckpoint(second.url, log.grow(12).body(7))).status).toBe(200);
    expect(readdirSync(stateDir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('lets one witness at a time use a state directory', async () => {
    const log = new TestLog();
    const stateDir = temporaryDir();
    await witnessFor(log, stateDir);
    await expect(witnessFor(log, stateDir)).rejects.toThrow(StateStoreError);
  });

  it('cosigns only one of concurrent updates from the same old size', async () => {
    const log = new TestLog().grow(20);
    const witness = await witnessFor(log);
    expect((await postCheckpoint(witness.url, log.body(0, 3))).status).toBe(200);
    const sizes = [5, 6, 7, 8, 9, 10, 11, 12, 13, 14];
    const answers = await Promise.all(sizes.map((size) => postCheckpoint(witness.url, log.body(3, size))));
    const cosigned = answers.flatMap((answer, i) => (answer.status === 200 ? [sizes[i]] : []));
    expect(cosigned).toHaveLength(1);
    for (const answer of answers.filter((a) => a.status !== 200)) {
      expect(answer).toEqual({ status: 409, type: 'text/x.tlog.size', text: `${cosigned[0]}\n` });
    }
  });
});
