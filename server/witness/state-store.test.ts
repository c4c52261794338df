/** The witness's durable state: what it saved it reads back, and what it cannot read it never takes for "new". */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileStateStore, originHash, StateStoreError } from './state-store.js';

const temporaryDir = () => mkdtempSync(join(tmpdir(), 'witness-state-'));
const ORIGIN = 'log.example/vitals';
const state = { origin: ORIGIN, size: 7, root: new Uint8Array(32).fill(9), checkpoint: 'cosigned note\n' };

describe('FileStateStore', () => {
  it('reads back what it saved, owner-only, with no temporary file left', async () => {
    const dir = join(temporaryDir(), 'state');
    const store = await FileStateStore.open(dir);
    expect(await store.load(ORIGIN)).toBeUndefined();
    await store.save(state);
    await store.save({ ...state, size: 8 });
    expect(await store.load(ORIGIN)).toEqual({ ...state, size: 8 });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, `${originHash(ORIGIN)}.json`)).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).sort()).toEqual([`${originHash(ORIGIN)}.json`, 'witness.lock']);
    await store.close();
    expect(readdirSync(dir)).toEqual([`${originHash(ORIGIN)}.json`]);
    const reopened = await FileStateStore.open(dir);
    expect(await reopened.load(ORIGIN)).toEqual({ ...state, size: 8 });
    await reopened.close();
  });

  it('refuses a damaged record rather than start the log afresh', async () => {
    const dir = temporaryDir();
    const store = await FileStateStore.open(dir);
    await store.save(state);
    const file = join(dir, `${originHash(ORIGIN)}.json`);
    const saved = readFileSync(file, 'utf8');
    for (const damaged of [
      saved.slice(0, 20),
      saved.replace('"size":7', '"size":-1'),
      saved.replace(ORIGIN, 'log.example/other'),
    ]) {
      writeFileSync(file, damaged);
      await expect(store.load(ORIGIN)).rejects.toThrow(StateStoreError);
    }
    await store.close();
  });

  it('takes over the lock of a witness that died, not of one that runs', async () => {
    const dir = temporaryDir();
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    writeFileSync(join(dir, 'witness.lock'), `${child.stdout}\n`);
    const store = await FileStateStore.open(dir);
    await expect(FileStateStore.open(dir)).rejects.toThrow(/Another witness \(process \d+\)/);
    await store.close();
  });
});
