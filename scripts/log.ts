/**
 * The operator's and the auditor's command for the transparency log (docs/TRANSPARENCY.md):
 *   npm run log -- keygen --origin ORIGIN --out FILE   a log key (Ed25519); prints its verifier key
 *   npm run log -- init-local                            the local log's keys and policy under DATA_DIR
 *   npm run log -- publish                               what the service would log at start, now
 *                                                        (same settings: LOG_DIR, LOG_POLICY_FILE, LOG_KEY_FILE,
 *                                                        WITNESSES, MODELS_DIR, DATA_DIR)
 *   npm run log -- monitor URL [--policy FILE] [--state FILE]
 *                                                        fetch and check the whole log; exit 0 only if it holds
 */

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureLocalLog, LOG_KEY_FILE, localLogDir, POLICY_FILE } from '../server/log/local-log.js';
import { readTrustPolicy, servedEntries, startPublishing } from '../server/log/transparency.js';
import { loadServedCatalog } from '../server/served-catalog.js';
import { ED25519_KEY_TYPE, generateSignerKey } from '../shared/log/note.js';
import { MonitorFailure, monitor } from './log-monitor.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

function usage(): never {
  console.error(
    readFileSync(fileURLToPath(import.meta.url), 'utf8')
      .split('*/')[0]
      ?.replace(/^\/\*\*\n/, '')
      .replace(/^ \* ?/gm, ''),
  );
  process.exit(2);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const dataDir = process.env.DATA_DIR || join(repoRoot, 'data');
  switch (command) {
    case 'keygen': {
      const { values } = parseArgs({
        args: rest,
        options: { origin: { type: 'string' }, out: { type: 'string' } },
      });
      if (!values.origin || !values.out) usage();
      if (existsSync(values.out)) throw new Error(`${values.out} exists; a log key is never overwritten.`);
      const key = generateSignerKey(values.origin, ED25519_KEY_TYPE);
      writeFileSync(values.out, `${key.signerKey}\n`, { mode: 0o600 });
      console.info(key.verifierKey);
      return;
    }
    case 'init-local':
      ensureLocalLog(dataDir);
      console.info(join(localLogDir(dataDir), POLICY_FILE));
      return;
    case 'publish': {
      const policyFile = process.env.LOG_POLICY_FILE || join(localLogDir(dataDir), POLICY_FILE);
      if (!process.env.LOG_POLICY_FILE) ensureLocalLog(dataDir);
      const policy = readTrustPolicy(policyFile);
      const witnesses = process.env.WITNESSES?.split(',').map((url) => url.trim());
      const site = join(repoRoot, 'dist', 'web');
      const appVersion = (
        JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }
      ).version;
      const entries = await servedEntries(
        loadServedCatalog(process.env.MODELS_DIR || undefined),
        existsSync(join(site, 'index.html')) ? { dir: site, appVersion } : undefined,
      );
      const publishing = await startPublishing(
        {
          dataDir,
          logDir: process.env.LOG_DIR || join(dataDir, 'log'),
          policyFile,
          logKeyFile: process.env.LOG_KEY_FILE || join(localLogDir(dataDir), LOG_KEY_FILE),
          publish: true,
          ...(witnesses ? { witnesses } : {}),
        },
        policy,
        entries,
        console.info,
      );
      await publishing.close();
      if (!publishing.result?.quorum) process.exitCode = 1;
      return;
    }
    case 'monitor': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { policy: { type: 'string' }, state: { type: 'string' } },
      });
      const [url] = positionals;
      if (!url || !URL.canParse(url)) usage();
      await monitor({
        url,
        print: (line) => console.info(line),
        ...(values.policy ? { policyFile: values.policy } : {}),
        ...(values.state ? { stateFile: values.state } : {}),
      });
      return;
    }
    default:
      usage();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  // Whatever stops the monitor is a failed check: a malformed answer as much as a fork.
  const prefix = error instanceof MonitorFailure || process.argv[2] === 'monitor' ? 'FAILED: ' : '';
  console.error(`${prefix}${(error as Error).message}`);
  process.exit(1);
});
