/**
 * Builds the app with its transparency log's trust policy (docs/TRANSPARENCY.md): `VITE_LOG_POLICY`
 * (the policy's JSON), or the file `LOG_POLICY_FILE`, or else the local log that `npm start` makes
 * under `DATA_DIR` (made here if it is not there yet, so the build and the service agree). The
 * policy is compiled into the app, and written to the site as /log-policy.json, which the service
 * compares with its own at start.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Plugin } from 'vite';
import { ensureLocalLog, localLogDir, POLICY_FILE } from '../../server/log/local-log.js';
import { parseLogPolicy } from '../../shared/log/checkpoint.js';

export const LOG_POLICY_DEFINE = '__SEALED_VITALS_LOG_POLICY__';

function policyText(repoRoot: string): { text: string; from: string } {
  if (process.env.VITE_LOG_POLICY) return { text: process.env.VITE_LOG_POLICY, from: 'VITE_LOG_POLICY' };
  let file = process.env.LOG_POLICY_FILE;
  if (!file) {
    const dataDir = process.env.DATA_DIR || join(repoRoot, 'data');
    ensureLocalLog(dataDir);
    file = join(localLogDir(dataDir), POLICY_FILE);
  }
  return { text: readFileSync(file, 'utf8'), from: file };
}

export function logPolicy(repoRoot: string): Plugin {
  let policy: unknown;
  return {
    name: 'sealed-vitals-log-policy',
    config() {
      const { text, from } = policyText(repoRoot);
      try {
        policy = JSON.parse(text);
        parseLogPolicy(policy);
      } catch (error) {
        throw new Error(`The log policy in ${from} is refused: ${(error as Error).message}`);
      }
      return { define: { [LOG_POLICY_DEFINE]: JSON.stringify(policy) } };
    },
    generateBundle() {
      this.emitFile({
        type: 'asset',
        fileName: 'log-policy.json',
        source: `${JSON.stringify(policy, null, 2)}\n`,
      });
    },
  };
}
