/**
 * The trust policy this app was built with (web/transparency/log-policy-plugin.ts): the log's key,
 * its witnesses' keys and how many of them must cosign a checkpoint. A policy the build marks local
 * is the one `npm start` makes on one machine: its witnesses run beside the service, so the app says so.
 */

import { type LogPolicy, parseLogPolicy } from '../../shared/log/checkpoint.js';

declare const __SEALED_VITALS_LOG_POLICY__: unknown;

function builtPolicy(): LogPolicy | undefined {
  try {
    return parseLogPolicy(__SEALED_VITALS_LOG_POLICY__);
  } catch {
    return undefined;
  }
}

export const LOG_POLICY: LogPolicy | undefined = builtPolicy();
