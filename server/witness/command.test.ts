/**
 * `npm run witness` (scripts/witness.ts) as an operator runs it: keygen writes an owner-only key and
 * prints its verifier key; serve names what is wrong with a key or a setting without quoting a secret,
 * cosigns once up, and stops cleanly on SIGTERM.
 */

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  COSIGNATURE_V1_KEY_TYPE,
  generateSignerKey,
  parseSignerKey,
  parseVerifierKey,
} from '../../shared/log/note.js';
import { requestCosignature } from '../log/witness-client.js';
import { TestLog, temporaryDir } from './test-support.js';

const run = promisify(execFile);
const SCRIPT = ['--import', 'tsx', 'scripts/witness.ts'];

async function witness(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [...SCRIPT, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

/** The base64 of the seed: the part of a signer key that must never be printed. */
const secretOf = (signerKey: string) => signerKey.split('+').slice(4).join('+');

/** Everything the child prints, and a wait for a line of it. */
function output(child: ChildProcess) {
  let text = '';
  const waiting = new Set<() => void>();
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      text += chunk;
      for (const check of waiting) check();
    });
  }
  return {
    text: () => text,
    waitFor: (pattern: RegExp) =>
      new Promise<RegExpMatchArray>((resolve, reject) => {
        const check = () => {
          const match = text.match(pattern);
          if (match) {
            waiting.delete(check);
            resolve(match);
          }
        };
        waiting.add(check);
        check();
        child.once('exit', (code) => reject(new Error(`exited ${code} before ${pattern}: ${text}`)));
      }),
  };
}

describe('npm run witness -- keygen', () => {
  it('writes a cosignature key, owner-only, and prints its verifier key; never overwrites one', async () => {
    const file = join(temporaryDir(), 'witness.key');
    const made = await witness('keygen', '--name', 'witness.example/w9', '--out', file);
    expect(made.code).toBe(0);
    const signerKey = parseSignerKey(readFileSync(file, 'utf8').trim());
    expect(signerKey.type).toBe(COSIGNATURE_V1_KEY_TYPE);
    expect(made.stdout).toBe(`${signerKey.text}\n`);
    expect(parseVerifierKey(made.stdout.trim()).name).toBe('witness.example/w9');
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const again = await witness('keygen', '--name', 'witness.example/w9', '--out', file);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`${file} exists`);
    expect(parseSignerKey(readFileSync(file, 'utf8').trim()).text).toBe(signerKey.text);
  }, 120_000);

  it('refuses a key name with a space', async () => {
    const result = await witness('keygen', '--name', 'my witness', '--out', join(temporaryDir(), 'k'));
    expect(result).toMatchObject({ code: 1, stderr: expect.stringContaining('--name') });
  }, 120_000);
});

describe('npm run witness -- serve', () => {
  it('names a bad key file or setting, and quotes no key', async () => {
    const dir = temporaryDir();
    const log = new TestLog();
    const logFlag = `${log.origin}=${log.verifierKey}`;
    const noteKey = generateSignerKey('witness.example/w1');
    const witnessKey = generateSignerKey('witness.example/w1', COSIGNATURE_V1_KEY_TYPE);
    const cases: [string[], string][] = [
      [['--key', join(dir, 'absent'), '--state', dir, '--log', logFlag], 'Cannot read the key file'],
      [['--key', join(dir, 'garbled'), '--state', dir, '--log', logFlag], 'does not hold a signer key'],
      [['--key', join(dir, 'note.key'), '--state', dir, '--log', logFlag], 'type 0x04'],
      [['--key', join(dir, 'witness.key'), '--state', dir], 'at least one log'],
      [
        ['--key', join(dir, 'witness.key'), '--state', dir, '--log', 'no-key', '--port', '70000'],
        'ORIGIN=VKEY',
      ],
      [['--state', dir, '--log', logFlag], '--key is required'],
    ];
    writeFileSync(join(dir, 'garbled'), `${noteKey.signerKey.slice(0, -3)}!!!\n`, { mode: 0o600 });
    writeFileSync(join(dir, 'note.key'), `${noteKey.signerKey}\n`, { mode: 0o600 });
    writeFileSync(join(dir, 'witness.key'), `${witnessKey.signerKey}\n`, { mode: 0o600 });
    const results = await Promise.all(cases.map(([args]) => witness('serve', ...args)));
    for (const [i, [args, message]] of cases.entries()) {
      const result = results[i] ?? { code: 0, stdout: '', stderr: '' };
      expect({ args, code: result.code, stderr: result.stderr }).toMatchObject({
        args,
        code: 1,
        stderr: expect.stringContaining(message),
      });
      for (const { signerKey } of [noteKey, witnessKey]) {
        expect(result.stdout + result.stderr).not.toContain(secretOf(signerKey).slice(0, 20));
      }
    }
  }, 120_000);

  it('prints its key and URL, cosigns, logs each request and stops on SIGTERM', async () => {
    const dir = temporaryDir();
    const keyFile = join(dir, 'witness.key');
    const made = await witness('keygen', '--name', 'witness.example/w1', '--out', keyFile);
    const log = new TestLog().grow(3);
    const args = ['serve', '--key', keyFile, '--state', join(dir, 'state'), '--port', '0'];
    args.push('--log', `${log.origin}=${log.verifierKey}`);
    const child = spawn(process.execPath, [...SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const printed = output(child);
    try {
      const [, url] = await printed.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      expect(printed.text()).toContain(`witness ${made.stdout.trim()}`);
      const result = await requestCosignature(
        url ?? '',
        { oldSize: 0, consistencyProof: [], signedCheckpoint: log.checkpoint() },
        { witnessKey: parseVerifierKey(made.stdout.trim()) },
      );
      expect(result.ok).toBe(true);
      await printed.waitFor(/cosigned size 3/);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(0);
    expect(printed.text()).not.toContain(secretOf(readFileSync(keyFile, 'utf8').trim()));
  }, 120_000);
});
