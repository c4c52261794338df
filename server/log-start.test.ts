/**
 * The transparency log at the service's start (server/main.ts, run as in production): with the local
 * policy it publishes what it serves and its three local witnesses cosign it; a restart appends
 * nothing; a model changed under a logged version, a deployment's policy without WITNESSES, a log key
 * that is not the policy's and a WITNESSES that is not a URL each stop the start, naming what is wrong.
 * Each service gets a LOG_DIR of its own; the local keys and policy are the ones under ./data, which
 * the web build (if any) was made with.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { verifyCheckpoint } from '../shared/log/checkpoint.js';
import { generateSignerKey } from '../shared/log/note.js';
import { ensureLocalLog, localLogDir, POLICY_FILE } from './log/local-log.js';
import { readLog } from './log/log-files.js';
import { DEFAULT_DATA_DIR, openLocalTransparency } from './log/test-support.js';
import { readTrustPolicy } from './log/transparency.js';
import { DEFAULT_MODELS_DIR } from './served-catalog.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const webBuild = join(repoRoot, 'dist', 'web');
/** tsx compiles the service on each start, three local witnesses start and the log is published. */
const START_MS = 90_000;

const children = new Set<ChildProcess>();
const dirs: string[] = [];
let localPolicyFile: string;

beforeAll(() => {
  ensureLocalLog(DEFAULT_DATA_DIR);
  localPolicyFile = join(localLogDir(DEFAULT_DATA_DIR), POLICY_FILE);
});

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function temporaryDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

/** Resolves with the first line of the service's output that matches. */
function lineMatching(output: string[], waiters: ((line: string) => boolean)[], pattern: RegExp) {
  return new Promise<string>((resolve) => {
    const seen = output.find((line) => pattern.test(line));
    if (seen) return resolve(seen);
    waiters.push((line) => {
      if (!pattern.test(line)) return false;
      resolve(line);
      return true;
    });
  });
}

function startService(env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: repoRoot,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', WORKERS: '1', NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  // 'close': the process has exited and its output has all been read.
  const exited = once(child, 'close').then(([code]) => {
    children.delete(child);
    return code as number | null;
  });
  const output: string[] = [];
  let waiters: ((line: string) => boolean)[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) {
        output.push(line);
        waiters = waiters.filter((waiter) => !waiter(line));
      }
    });
  }
  return { child, output, exited, waitFor: (pattern: RegExp) => lineMatching(output, waiters, pattern) };
}

/** A start that must fail: its exit code and everything it wrote. */
async function failedStart(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const service = startService(env);
  const code = await service.exited;
  const output = service.output.join('\n');
  expect(output).not.toMatch(/Sealed Vitals (app and )?API on/);
  return { code, output };
}

const LISTENING = /Sealed Vitals .* on http:\/\/127\.0\.0\.1:(\d+)/;
const CHECKPOINT = /Transparency log: checkpoint of (\d+) entries, cosigned by 3 of 3 witnesses/;

/** Starts the service on `logDir`, returns the checkpoint line's size and the output, then stops it. */
async function startAndStop(logDir: string) {
  const service = startService({ LOG_DIR: logDir });
  const listening = await service.waitFor(LISTENING);
  const port = Number(LISTENING.exec(listening)?.[1]);
  const size = Number(CHECKPOINT.exec(await service.waitFor(CHECKPOINT))?.[1]);
  const served = await (await fetch(`http://127.0.0.1:${port}/api/v2/log/checkpoint`)).text();
  service.child.kill('SIGTERM');
  expect(await service.exited).toBe(0);
  return {
    size,
    served,
    logged: service.output.filter((line) => /Transparency log: .* logged at \d+/.test(line)),
  };
}

test(
  'publishes what it serves under the local policy, cosigned by 3 of 3; a restart appends nothing',
  async () => {
    const logDir = temporaryDir('log-start-');
    const first = await startAndStop(logDir);
    const log = readLog(logDir);
    expect(first.size).toBe(log.entries.length);
    expect(first.size).toBeGreaterThan(0);
    expect(first.logged).toHaveLength(first.size);
    const policy = readTrustPolicy(localPolicyFile);
    expect(verifyCheckpoint(first.served, policy).checkpoint.size).toBe(first.size);
    const lines = readFileSync(join(logDir, 'entries.jsonl'), 'utf8');
    const checkpoint = readFileSync(join(logDir, 'checkpoint'), 'utf8');

    const again = await startAndStop(logDir);
    expect(again.size).toBe(first.size);
    expect(again.logged).toEqual([]);
    expect(readFileSync(join(logDir, 'entries.jsonl'), 'utf8')).toBe(lines);
    expect(readFileSync(join(logDir, 'checkpoint'), 'utf8')).toBe(checkpoint);
    expect(again.served).toBe(checkpoint);
  },
  2 * START_MS,
);

test(
  'a model changed under the version already logged stops the start, naming it',
  async () => {
    const logDir = temporaryDir('log-start-');
    const staticDir = existsSync(join(webBuild, 'index.html')) ? webBuild : undefined;
    await (await openLocalTransparency({ logDir, staticDir })).close();
    const lines = readFileSync(join(logDir, 'entries.jsonl'), 'utf8');

    // One grade label of a public model changed, its version kept.
    const modelsDir = temporaryDir('log-start-models-');
    cpSync(DEFAULT_MODELS_DIR, modelsDir, { recursive: true });
    const file = join(modelsDir, 'cha2ds2-vasc.model.json');
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('"category": "Low risk"');
    writeFileSync(file, text.replace('"category": "Low risk"', '"category": "Low"'));

    const { code, output } = await failedStart({ LOG_DIR: logDir, MODELS_DIR: modelsDir });
    expect(code).not.toBe(0);
    expect(output).toMatch(
      /Cannot start: The model cha2ds2-vasc version 1 is already in the transparency log/,
    );
    expect(output).toMatch(/a changed model must come as a new version/);
    expect(readFileSync(join(logDir, 'entries.jsonl'), 'utf8')).toBe(lines);
  },
  START_MS,
);

test(
  "a deployment's policy without WITNESSES stops the start, naming WITNESSES",
  async () => {
    // The local policy, as a deployment's: the one the web app was built with, `local` left out.
    const { local: _local, ...policy } = JSON.parse(readFileSync(localPolicyFile, 'utf8')) as Record<
      string,
      unknown
    >;
    const policyFile = join(temporaryDir('log-start-policy-'), 'policy.json');
    writeFileSync(policyFile, JSON.stringify(policy));
    const { code, output } = await failedStart({
      LOG_DIR: temporaryDir('log-start-'),
      LOG_POLICY_FILE: policyFile,
    });
    expect(code).toBe(1);
    expect(output).toMatch(/^Cannot start: WITNESSES must list the URLs of the policy's 3 witnesses/m);
  },
  START_MS,
);

test(
  "a LOG_KEY_FILE that is not the policy's key stops the start, naming LOG_KEY_FILE and not the key",
  async () => {
    const policy = readTrustPolicy(localPolicyFile);
    const other = generateSignerKey(policy.origin);
    const keyFile = join(temporaryDir('log-start-key-'), 'log.key');
    writeFileSync(keyFile, `${other.signerKey}\n`, { mode: 0o600 });
    const { code, output } = await failedStart({
      LOG_DIR: temporaryDir('log-start-'),
      LOG_KEY_FILE: keyFile,
    });
    expect(code).toBe(1);
    expect(output).toContain(
      `Cannot start: LOG_KEY_FILE ${keyFile} is not the log key that the policy's logKey names`,
    );
    expect(output).not.toContain(other.signerKey.slice(other.signerKey.lastIndexOf('+') + 1));
  },
  START_MS,
);

test.each([
  'witness.example.org',
  'ftp://witness.example.org',
  'https://w.example.org/?log=1,http://ok.example',
])(
  'WITNESSES=%s stops the start, naming WITNESSES',
  async (witnesses) => {
    const { code, output } = await failedStart({ LOG_DIR: temporaryDir('log-start-'), WITNESSES: witnesses });
    expect(code).toBe(1);
    expect(output).toMatch(/^WITNESSES: ".*" is not an http\(s\) URL/m);
  },
  START_MS,
);
