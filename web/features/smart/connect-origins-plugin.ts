/**
 * Writes `smart-origins.json` into the build: the origins this build's SMART configuration lets the
 * page fetch from (its issuers' and VITE_SMART_AUTH_ORIGINS). The service reads it to widen the
 * page's CSP `connect-src` by exactly these (server/plugins/spa.ts), so the policy and the build's
 * configuration cannot disagree. A build without SMART configuration writes none.
 */

import type { Plugin } from 'vite';
import { parseSmartConfig } from './config.js';

export const SMART_ORIGINS_FILE = 'smart-origins.json';

export function smartConnectOrigins(): Plugin {
  let origins: readonly string[] = [];
  return {
    name: 'sealed-vitals-smart-origins',
    apply: 'build',
    configResolved(config) {
      origins = parseSmartConfig(config.env)?.connectOrigins ?? [];
    },
    generateBundle() {
      if (origins.length === 0) return;
      this.emitFile({
        type: 'asset',
        fileName: SMART_ORIGINS_FILE,
        source: `${JSON.stringify({ connect: origins })}\n`,
      });
    },
  };
}
