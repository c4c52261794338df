/**
 * The service's side of the log at start (server/log/transparency.ts): the policy and log key files
 * it refuses (naming the setting, never repeating a secret), publishing with the local policy or
 * without the WITNESSES a deployment's policy needs, and what is logged for each catalog entry:
 * exactly what GET /api/v2/computations serves, without its `log` member.
 */

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CATALOG_PATH_V2 } from '../../shared/api.js';
import { verifyCheckpoint } from '../../shared/log/checkpoint.js';
import { entryBytes, modelLogEntry } from '../../shared/log/entries.js';
import { COSIGNATURE_V1_KEY_TYPE, generateSignerKey } from '../../shared/log/note.js';
import { loadServedCatalog } from '../served-catalog.js';
import { buildTestApp } from '../test-support.js';
import { ensureLocalLog, LOG_KEY_FILE, localLogDir, POLICY_FILE } from './local-log.js';
import { readLog } from './log-files.js';
import {
  LogSettingError,
  readLogKey,
  readTrustPolicy,
  servedEntries,
  startPublishing,
} from './transparency.js';
import { readWebRelease } from './web-release.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function temporaryDir(prefix = 'transparency-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

/** A local log's keys and policy in a data directory of the test's own, as `npm start` makes them. */
function localLog() {
  const dataDir = temporaryDir('transparency-data-');
  ensureLocalLog(dataDir);
  const policyFile = join(localLogDir(dataDir), POLICY_FILE);
  const logKeyFile = join(localLogDir(dataDir), LOG_KEY_FILE);
  return { dataDir, policyFile, logKeyFile, logDir: join(dataDir, 'log') };
}

/** A policy file like the local one but for a deployment: `local` left out. */
function deploymentPolicy(policyFile: string): string {
  const { local: _local, ...policy } = JSON.parse(readFileSync(policyFile, 'utf8')) as Record<
    string,
    unknown
  >;
  const file = join(temporaryDir(), 'policy.json');
  writeFileSync(file, JSON.stringify(policy));
  return file;
}

// Real files, servers and processes: generous time for a loaded CI machine.
describe('readTrustPolicy', { timeout: 30_000 }, () => {
  it('reads the policy, local only when it says so', () => {
    const { policyFile } = localLog();
    const local = readTrustPolicy(policyFile);
    expect(local).toMatchObject({ quorum: 2, local: true });
    expect(local.witnesses).toHaveLength(3);
    expect(readTrustPolicy(deploymentPolicy(policyFile))).toEqual({ ...local, local: false });
  });

  it('refuses a missing file, one that is not JSON and one that is not a policy, naming LOG_POLICY_FILE', () => {
    const dir = temporaryDir();
    const missing = join(dir, 'missing.json');
    expect(() => readTrustPolicy(missing)).toThrow(LogSettingError);
    expect(() => readTrustPolicy(missing)).toThrow(`LOG_POLICY_FILE ${missing} cannot be read as JSON`);

    const garbled = join(dir, 'garbled.json');
    writeFileSync(garbled, '{"origin": ');
    expect(() => readTrustPolicy(garbled)).toThrow(`LOG_POLICY_FILE ${garbled} cannot be read as JSON`);

    const { policyFile } = localLog();
    const policy = JSON.parse(readFileSync(policyFile, 'utf8')) as Record<string, unknown>;
    const wrong = join(dir, 'wrong.json');
    for (const [change, why] of [
      [{ quorum: 4 }, "the policy's quorum is not an integer from 1 to 3"],
      [{ logKey: (policy.witnesses as string[])[0] }, "the policy's logKey is not a type 0x01 key"],
      [{ quorom: 2 }, 'the policy has an unknown member "quorom"'],
    ] as const) {
      writeFileSync(wrong, JSON.stringify({ ...policy, ...change }));
      expect(() => readTrustPolicy(wrong)).toThrow(LogSettingError);
      expect(() => readTrustPolicy(wrong)).toThrow(`LOG_POLICY_FILE ${wrong}: ${why}.`);
    }
  });
});

describe('readLogKey', { timeout: 30_000 }, () => {
  it('reads the log key the policy names', () => {
    const { policyFile, logKeyFile } = localLog();
    const policy = readTrustPolicy(policyFile);
    expect(readLogKey(logKeyFile, policy).text).toBe(policy.logKey);
  });

  it('refuses a missing file, a file that is no key and another key, naming LOG_KEY_FILE and no secret', () => {
    const { policyFile, logKeyFile } = localLog();
    const policy = readTrustPolicy(policyFile);
    const dir = temporaryDir();
    const missing = join(dir, 'missing.key');
    expect(() => readLogKey(missing, policy)).toThrow(LogSettingError);
    expect(() => readLogKey(missing, policy)).toThrow(`LOG_KEY_FILE ${missing} cannot be read`);

    const own = readFileSync(logKeyFile, 'utf8').trim();
    const damaged = join(dir, 'damaged.key');
    const damagedText = `${own.slice(0, -3)}!!!`;
    writeFileSync(damaged, damagedText);
    const other = join(dir, 'other.key');
    // The same name, another key: what a wrong file looks like.
    const otherKey = generateSignerKey(policy.origin);
    writeFileSync(other, `${otherKey.signerKey}\n`);
    const witnessKey = join(dir, 'witness.key');
    const witness = generateSignerKey('local-witness-1', COSIGNATURE_V1_KEY_TYPE);
    writeFileSync(witnessKey, witness.signerKey);

    for (const [file, secret, message] of [
      [damaged, damagedText, `LOG_KEY_FILE ${damaged} is not a signer key`],
      [other, otherKey.signerKey, `LOG_KEY_FILE ${other} is not the log key that the policy's logKey names`],
      [
        witnessKey,
        witness.signerKey,
        `LOG_KEY_FILE ${witnessKey} is not the log key that the policy's logKey names`,
      ],
    ] as const) {
      let error: unknown;
      try {
        readLogKey(file, policy);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(LogSettingError);
      const text = (error as Error).message;
      expect(text).toContain(message);
      // Neither the whole secret nor its key material: the base64 after PRIVATE+KEY+<name>+<hash>+,
      // which may itself hold a '+' (so not "after the last +": a fragment that short may turn up
      // in the message by chance), less the damaged file's last three characters.
      expect(text).not.toContain(secret);
      expect(text).not.toContain(secret.split('+').slice(4).join('+').slice(0, -3));
    }
  });
});

describe('startPublishing', { timeout: 30_000 }, () => {
  it('with the local policy, runs its witnesses and publishes a checkpoint cosigned by all three', async () => {
    const { dataDir, policyFile, logKeyFile, logDir } = localLog();
    const policy = readTrustPolicy(policyFile);
    const entries = await servedEntries(loadServedCatalog(), undefined);
    const lines: string[] = [];
    const publishing = await startPublishing(
      { dataDir, logDir, policyFile, logKeyFile, publish: true },
      policy,
      entries,
      (line) => lines.push(line),
    );
    await publishing.close();
    expect(publishing.result).toMatchObject({ size: entries.length, quorum: true });
    expect(publishing.result?.cosignedBy).toHaveLength(3);
    expect(lines.at(-1)).toBe(
      `Transparency log: checkpoint of ${entries.length} entries, cosigned by 3 of 3 witnesses`,
    );
    expect(lines.slice(0, -1)).toHaveLength(entries.length);
    const log = readLog(logDir);
    expect(log.entries).toEqual(entries);
    expect(verifyCheckpoint(log.signedCheckpoint ?? '', policy).cosignedBy).toHaveLength(3);
  });

  it('refuses a policy that is not local without WITNESSES, naming WITNESSES', async () => {
    const { dataDir, policyFile, logKeyFile, logDir } = localLog();
    const deployment = deploymentPolicy(policyFile);
    const policy = readTrustPolicy(deployment);
    const start = startPublishing(
      { dataDir, logDir, policyFile: deployment, logKeyFile, publish: true },
      policy,
      await servedEntries(loadServedCatalog(), undefined),
      () => undefined,
    );
    await expect(start).rejects.toThrow(LogSettingError);
    await expect(start).rejects.toThrow(/^WITNESSES must list the URLs of the policy's 3 witnesses/);
    expect(readLog(logDir).entries).toEqual([]);
  });

  it('below the quorum, serves the checkpoint it has and says it will ask again', async () => {
    const { dataDir, policyFile, logKeyFile, logDir } = localLog();
    const deployment = deploymentPolicy(policyFile);
    const policy = readTrustPolicy(deployment);
    // A witness that drops every connection.
    const down = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(down.address() as AddressInfo).port}`;
    const lines: string[] = [];
    try {
      const publishing = await startPublishing(
        { dataDir, logDir, policyFile: deployment, logKeyFile, publish: true, witnesses: [url] },
        policy,
        await servedEntries(loadServedCatalog(), undefined),
        (line) => lines.push(line),
      );
      await publishing.close();
      expect(publishing.result).toMatchObject({ quorum: false, cosignedBy: [] });
      expect(lines.at(-1)).toMatch(
        /checkpoint of \d+ entries cosigned by 0 of 3 witnesses, 2 needed; asking again every 30 s\. http:\/\/127\.0\.0\.1:\d+: The witness could not be reached/,
      );
      expect(readLog(logDir).checkpoint?.size).toBe(publishing.result?.size);
    } finally {
      await new Promise((resolve) => down.close(resolve));
    }
  });

  it('publishes nothing and reads no key on an instance that only serves (LOG_PUBLISH=false)', async () => {
    const { dataDir, policyFile, logDir } = localLog();
    const publishing = await startPublishing(
      { dataDir, logDir, policyFile, logKeyFile: join(dataDir, 'no-such.key'), publish: false },
      readTrustPolicy(policyFile),
      [],
      () => undefined,
    );
    expect(publishing.result).toBeUndefined();
    await publishing.close();
    expect(readLog(logDir).checkpoint).toBeUndefined();
  });
});

describe('servedEntries', { timeout: 30_000 }, () => {
  it('logs each catalog entry exactly as GET /api/v2/computations serves it, without log', async () => {
    const app = await buildTestApp();
    let served: Record<string, unknown>[];
    try {
      served = (await app.inject({ method: 'GET', url: CATALOG_PATH_V2 })).json<{
        computations: Record<string, unknown>[];
      }>().computations;
    } finally {
      await app.close();
    }
    const entries = await servedEntries(loadServedCatalog(), undefined);
    expect(entries).toStrictEqual(served.map((entry) => ({ kind: 'model', entry })));
    const decoder = new TextDecoder();
    expect(entries.map((e) => decoder.decode(entryBytes(e)))).toEqual(
      served.map((entry) => decoder.decode(entryBytes(modelLogEntry({ ...entry, log: { index: 0 } })))),
    );
  });

  it('logs the site after the models, as its web release', async () => {
    const site = temporaryDir('transparency-site-');
    mkdirSync(join(site, 'assets'));
    writeFileSync(join(site, 'index.html'), '<!doctype html>');
    writeFileSync(join(site, 'assets', 'app.js'), 'console.log(1)');
    const entries = await servedEntries(loadServedCatalog(), { dir: site, appVersion: '9.9.9' });
    const models = await servedEntries(loadServedCatalog(), undefined);
    expect(entries).toEqual([...models, await readWebRelease(site, '9.9.9')]);
  });
});
