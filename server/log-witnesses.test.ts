/**
 * A deployment's log, as docs/OPERATIONS.md sets one up: a log key of its own, three witnesses each
 * running as its own `npm run witness -- serve` process on loopback, a 2-of-3 policy that is not
 * local, and the service started with LOG_POLICY_FILE, LOG_KEY_FILE and WITNESSES. Its checkpoint is
 * cosigned by the three; with one witness stopped, a restart that logs a new version still reaches
 * the quorum; with two stopped, it serves the checkpoint below the quorum and says so.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyCheckpoint } from '../shared/log/checkpoint.js';
import { generateSignerKey } from '../shared/log/note.js';
import { DEFAULT_MODELS_DIR } from './served-catalog.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const ORIGIN = 'vitals.test/log';
const children: ChildProcess[] = [];

/** Resolves with the first match of `pattern` in the child's output; rejects if it exits first. */
function waitFor(child: ChildProcess, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let output = '';
    const look = (chunk: Buffer) => {
      output += chunk.toString();
      const match = output.match(pattern);
      if (match) resolve(match);
    };
    child.stdout?.on('data', look);
    child.stderr?.on('data', look);
    child.once('exit', (code) => reject(new Error(`exited (${code}) before ${pattern}:\n${output}`)));
  });
}

function run(args: readonly string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return child;
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

afterAll(async () => {
  await Promise.all(children.map(stop));
});

const dir = mkdtempSync(join(tmpdir(), 'sealed-vitals-deployment-'));
const logKey = generateSignerKey(ORIGIN, 0x01);
writeFileSync(join(dir, 'log.key'), `${logKey.signerKey}\n`, { mode: 0o600 });

async function startWitness(name: string): Promise<{ child: ChildProcess; url: string; vkey: string }> {
  const keyFile = join(dir, `${name}.key`);
  const key = generateSignerKey(name, 0x04);
  writeFileSync(keyFile, `${key.signerKey}\n`, { mode: 0o600 });
  const child = run([
    'scripts/witness.ts',
    'serve',
    '--key',
    keyFile,
    '--state',
    join(dir, `${name}-state`),
    '--log',
    `${ORIGIN}=${logKey.verifierKey}`,
    '--port',
    '0',
  ]);
  const [, url] = (await waitFor(child, /listening on (http:\/\/[^\s]+)/)) as [string, string];
  return { child, url, vkey: key.verifierKey };
}

/** Starts the service on this log; resolves with its port and what it said about the checkpoint. */
async function startService(modelsDir: string, witnessUrls: readonly string[]) {
  const child = run(['server/main.ts'], {
    PORT: '0',
    HOST: '127.0.0.1',
    WORKERS: '1',
    WEB_DIR: join(dir, 'no-site'),
    MODELS_DIR: modelsDir,
    LOG_DIR: join(dir, 'log'),
    LOG_POLICY_FILE: join(dir, 'policy.json'),
    LOG_KEY_FILE: join(dir, 'log.key'),
    WITNESSES: witnessUrls.join(','),
  });
  const [said] = await waitFor(child, /Transparency log: checkpoint of \d+ entries[^\n]*/);
  const [, port] = (await waitFor(child, /API on http:\/\/127\.0\.0\.1:(\d+)/)) as [string, string];
  return { child, said, base: `http://127.0.0.1:${port}` };
}

describe('a deployment with three witnesses of its own', () => {
  it('is cosigned by them, keeps its quorum with one down, and says so below it', async () => {
    const witnesses = await Promise.all(['alpha', 'beta', 'gamma'].map(startWitness));
    const policy = {
      origin: ORIGIN,
      logKey: logKey.verifierKey,
      witnesses: witnesses.map((w) => w.vkey),
      quorum: 2,
    };
    writeFileSync(join(dir, 'policy.json'), JSON.stringify(policy));

    const first = await startService(
      DEFAULT_MODELS_DIR,
      witnesses.map((w) => w.url),
    );
    expect(first.said).toMatch(/cosigned by 3 of 3 witnesses/);
    const checkpoint = await (await fetch(`${first.base}/api/v2/log/checkpoint`)).text();
    const verified = verifyCheckpoint(checkpoint, policy);
    expect(verified.cosignedBy.map((c) => c.name).sort()).toEqual(['alpha', 'beta', 'gamma']);
    expect(await (await fetch(`${first.base}/api/v2/log`)).json()).toEqual({
      origin: ORIGIN,
      logKey: logKey.verifierKey,
      witnesses: policy.witnesses,
      quorum: 2,
    });
    await stop(first.child);

    // A new version of a public model file, and one witness down: two still cosign the extension.
    const models = mkdtempSync(join(dir, 'models-'));
    for (const name of ['cha2ds2-vasc.model.json']) {
      const file = JSON.parse(readFileSync(join(DEFAULT_MODELS_DIR, name), 'utf8')) as { version: number };
      writeFileSync(join(models, name), JSON.stringify({ ...file, version: file.version + 1 }));
    }
    await stop((witnesses[2] as { child: ChildProcess }).child);
    const second = await startService(
      models,
      witnesses.map((w) => w.url),
    );
    expect(second.said).toMatch(
      new RegExp(`checkpoint of ${verified.checkpoint.size + 1} entries, cosigned by 2 of 3`),
    );
    await stop(second.child);

    // Two down: the new checkpoint is served below the quorum, and the service says it asks again.
    await stop((witnesses[1] as { child: ChildProcess }).child);
    writeFileSync(
      join(models, 'cha2ds2-vasc.model.json'),
      JSON.stringify({
        ...JSON.parse(readFileSync(join(models, 'cha2ds2-vasc.model.json'), 'utf8')),
        version: 3,
      }),
    );
    const third = await startService(
      models,
      witnesses.map((w) => w.url),
    );
    expect(third.said).toMatch(/cosigned by 1 of 3 witnesses, 2 needed; asking again every 30 s/);
    expect(() => verifyCheckpoint(readFileSync(join(dir, 'log', 'checkpoint'), 'utf8'), policy)).toThrow(
      /cosigned by 1 of the 3 witnesses; 2 are needed/,
    );
  }, 180_000);
});
