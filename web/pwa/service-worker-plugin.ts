/**
 * Builds the service worker (service-worker.ts, next to this file) to `/sw.js` and writes into it the list of
 * every file of the build and a hash of their contents. Production builds only: `vite dev` serves
 * modules one by one and has no build to cache.
 */

import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin, ResolvedConfig } from 'vite';

const SERVICE_WORKER_SOURCE = fileURLToPath(new URL('./service-worker.ts', import.meta.url));
const SERVICE_WORKER_FILE = 'sw.js';
/** Built files the app never loads: the shell must not wait for them. */
const NOT_CACHED = /\.map$/;

export function serviceWorker(): Plugin {
  let config: ResolvedConfig;
  return {
    name: 'sealed-vitals-service-worker',
    apply: 'build',
    configResolved(resolved) {
      config = resolved;
    },
    buildStart() {
      this.emitFile({ type: 'chunk', id: SERVICE_WORKER_SOURCE, fileName: SERVICE_WORKER_FILE });
    },
    generateBundle: {
      // After Vite has written index.html into the bundle.
      order: 'post',
      async handler(_options, bundle) {
        const files = new Map<string, string | Uint8Array>();
        for (const output of Object.values(bundle)) {
          if (output.fileName === SERVICE_WORKER_FILE || NOT_CACHED.test(output.fileName)) continue;
          files.set(output.fileName, output.type === 'chunk' ? output.code : output.source);
        }
        for (const [name, content] of await publicFiles(config.publicDir)) files.set(name, content);

        const paths = [...files.keys()].sort();
        const version = createHash('sha256');
        for (const path of paths) version.update(`${path}\n`).update(files.get(path) ?? '');

        const worker = bundle[SERVICE_WORKER_FILE];
        if (worker?.type !== 'chunk' || !/\bPRECACHE_PATHS\b/.test(worker.code)) {
          throw new Error(`${SERVICE_WORKER_FILE} was not built with its file list placeholder.`);
        }
        worker.code = worker.code
          .replace(/\bPRECACHE_PATHS\b/g, JSON.stringify(paths.map((path) => `/${path}`)))
          .replace(/\bBUILD_VERSION\b/g, JSON.stringify(version.digest('hex').slice(0, 16)));
      },
    },
  };
}

/** Files Vite copies from the public folder as they are, keyed by their path in the build. */
async function publicFiles(publicDir: string): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  if (!publicDir) return files;
  for (const entry of await readdir(publicDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(relative(publicDir, path).split(sep).join('/'), await readFile(path));
  }
  return files;
}
