/**
 * The service's side of the transparency log at start: read the trust policy and the log key, and
 * (unless this instance only serves a log another one writes) publish what is served now — every
 * catalog entry and the web build — and gather the witnesses' cosignatures, retrying in the
 * background while fewer than the quorum answered. With the local policy that `npm start` makes,
 * its three witnesses run here, on loopback (server/log/local-log.ts).
 */

import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { computationToWireV2 } from '../../shared/computations/catalog.js';
import { type LogPolicy, parseLogPolicy } from '../../shared/log/checkpoint.js';
import { type LogEntry, modelLogEntry } from '../../shared/log/entries.js';
import { parseSignerKey, type SignerKey } from '../../shared/log/note.js';
import type { ServedComputation } from '../served-catalog.js';
import { type RunningWitness, startWitness } from '../witness/http.js';
import { localWitnessKeys } from './local-log.js';
import { entryKey, type PublishResult, publish, type WitnessSession } from './publish.js';
import { readWebRelease } from './web-release.js';

/** A log setting or file that stops the start; the message names it and never holds a secret. */
export class LogSettingError extends Error {
  override readonly name = 'LogSettingError';
}

export interface LogSettings {
  /** Holds the local log's keys and policy when none is configured. */
  readonly dataDir: string;
  /** LOG_DIR: the log's files (server/log/log-files.ts). */
  readonly logDir: string;
  readonly policyFile: string;
  readonly logKeyFile: string;
  /** WITNESSES: the witnesses' URLs; absent with the local policy, whose witnesses run here. */
  readonly witnesses?: readonly string[];
  /** LOG_PUBLISH=false: this instance serves the log that another one publishes. */
  readonly publish: boolean;
}

export type TrustPolicy = LogPolicy & { readonly local: boolean };

export function readTrustPolicy(file: string): TrustPolicy {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new LogSettingError(
      `LOG_POLICY_FILE ${file} cannot be read as JSON (${(error as Error).message}).`,
    );
  }
  try {
    const policy = parseLogPolicy(value);
    return { ...policy, local: policy.local === true };
  } catch (error) {
    throw new LogSettingError(`LOG_POLICY_FILE ${file}: ${(error as Error).message}.`);
  }
}

/** The log's signer key, which must be the key the policy names. */
export function readLogKey(file: string, policy: LogPolicy): SignerKey {
  let key: SignerKey;
  try {
    key = parseSignerKey(readFileSync(file, 'utf8').trim());
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code ? 'cannot be read' : 'is not a signer key';
    throw new LogSettingError(`LOG_KEY_FILE ${file} ${why} (npm run log -- keygen makes one).`);
  }
  if (key.text !== policy.logKey)
    throw new LogSettingError(`LOG_KEY_FILE ${file} is not the log key that the policy's logKey names.`);
  return key;
}

/** What is served now, as log entries: every catalog entry as the v2 catalog serves it, then the site. */
export async function servedEntries(
  served: ReadonlyMap<string, ServedComputation>,
  site: { dir: string; appVersion: string } | undefined,
): Promise<LogEntry[]> {
  const models = [...served.values()].map(({ computation }) =>
    // As served: through JSON, so the bytes logged are the entry a client receives.
    modelLogEntry(JSON.parse(JSON.stringify(computationToWireV2(computation))) as Record<string, unknown>),
  );
  return site ? [...models, await readWebRelease(site.dir, site.appVersion)] : models;
}

export interface PublishingLog {
  readonly result: PublishResult | undefined;
  close(): Promise<void>;
}

/** How often a publish that missed its quorum asks the witnesses again. */
const RETRY_MS = 30_000;

export async function startPublishing(
  settings: LogSettings,
  policy: TrustPolicy,
  entries: readonly LogEntry[],
  log: (message: string) => void,
): Promise<PublishingLog> {
  if (!settings.publish) return { result: undefined, close: async () => undefined };
  const logKey = readLogKey(settings.logKeyFile, policy);
  mkdirSync(settings.logDir, { recursive: true });
  const { witnesses: urls } = settings;
  if (urls === undefined && !policy.local)
    throw new LogSettingError(
      `WITNESSES must list the URLs of the policy's ${policy.witnesses.length} witnesses ` +
        '(only a local policy runs its witnesses in the service).',
    );
  // Local witnesses run only while a checkpoint is cosigned: instances sharing the log take turns.
  const witnesses =
    urls === undefined
      ? () => startLocalWitnesses(settings, policy)
      : async () => ({ urls, close: async () => undefined });
  const options = { dir: settings.logDir, logKey, policy, entries, witnesses };
  const result = await publish(options);
  report(result, policy, log);
  let timer: NodeJS.Timeout | undefined;
  if (!result.quorum) {
    timer = setInterval(() => {
      publish(options).then(
        (again) => {
          if (again.quorum) {
            clearInterval(timer);
            report(again, policy, log);
          }
        },
        (error: unknown) => log(`Transparency log: publishing failed again (${(error as Error).message})`),
      );
    }, RETRY_MS);
    timer.unref();
  }
  return { result, close: async () => clearInterval(timer) };
}

function report(result: PublishResult, policy: LogPolicy, log: (message: string) => void): void {
  for (const { index, entry } of result.appended)
    log(`Transparency log: ${entryKey(entry)} logged at ${index}`);
  const cosigned = `cosigned by ${result.cosignedBy.length} of ${policy.witnesses.length} witnesses`;
  if (result.quorum) log(`Transparency log: checkpoint of ${result.size} entries, ${cosigned}`);
  else
    log(
      `Transparency log: checkpoint of ${result.size} entries ${cosigned}, ${policy.quorum} needed; ` +
        `asking again every ${RETRY_MS / 1000} s. ${result.refusals.join('; ')}`,
    );
}

async function startLocalWitnesses(settings: LogSettings, policy: LogPolicy): Promise<WitnessSession> {
  const keys = localWitnessKeys(settings.dataDir);
  if (keys.length === 0)
    throw new LogSettingError(`The local policy's witness keys are missing from ${settings.dataDir}.`);
  const logs = [{ origin: policy.origin, logKey: policy.logKey }];
  const running: RunningWitness[] = [];
  try {
    for (const [i, signerKey] of keys.entries()) {
      const stateDir = join(settings.logDir, 'local-witnesses', String(i + 1));
      running.push(await startWitness({ signerKey, logs, stateDir }));
    }
  } catch (error) {
    await Promise.all(running.map((w) => w.close()));
    throw error;
  }
  return {
    urls: running.map((w) => w.url),
    close: () => Promise.all(running.map((w) => w.close())).then(() => undefined),
  };
}
