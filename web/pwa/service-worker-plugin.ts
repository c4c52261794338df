/**
 * Builds the service worker. Its code (service-worker.ts, next to this file) is a file of the build
 * like any other, `/assets/service-worker-<hash>.js`; `/sw.js`, the script the page registers, is
 * written last and holds only the release (shared/web-release.ts): its id and the SHA-256 of every
 * other file of the build, which the code checks each cached file against. So the release id covers
 * every byte the site serves except the id and hashes themselves, the worker's code included.
 * Every file the build writes is listed, so the list is what the service reads from disk
 * (server/log/web-release.ts). Production builds only: `vite dev` has no build to cache.
 */

import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin, ResolvedConfig } from 'vite';
import {
  fileHash,
  isServedPath,
  releaseId,
  SERVICE_WORKER_PATH,
  webLogEntry,
} from '../../shared/web-release.js';

const SERVICE_WORKER_CODE = fileURLToPath(new URL('./service-worker.ts', import.meta.url));
const PACKAGE_JSON = new URL('../../package.json', import.meta.url);
/** The global through which /sw.js hands the release to the worker's code (declared there). */
const RELEASE_GLOBAL = 'SEALED_VITALS_RELEASE';

export function serviceWorker(): Plugin {
  let config: ResolvedConfig;
  let code: string;
  return {
    name: 'sealed-vitals-service-worker',
    apply: 'build',
    configResolved(resolved) {
      config = resolved;
    },
    buildStart() {
      code = this.emitFile({ type: 'chunk', id: SERVICE_WORKER_CODE, name: 'service-worker' });
    },
    generateBundle: {
      // After Vite has written index.html into the bundle.
      order: 'post',
      async handler(_options, bundle) {
        const encoder = new TextEncoder();
        const files: Record<string, string> = {};
        for (const output of Object.values(bundle)) {
          const content = output.type === 'chunk' ? output.code : output.source;
          files[`/${output.fileName}`] = fileHash(
            typeof content === 'string' ? encoder.encode(content) : content,
          );
        }
        for (const [path, content] of await publicFiles(config.publicDir)) files[path] = fileHash(content);
        for (const path of Object.keys(files)) if (!isServedPath(path)) delete files[path];

        const codePath = `/${this.getFileName(code)}`;
        const codeChunk = bundle[this.getFileName(code)];
        if (codeChunk?.type !== 'chunk' || !codeChunk.code.includes(RELEASE_GLOBAL)) {
          throw new Error(`${codePath} does not read the release from ${RELEASE_GLOBAL}.`);
        }
        if (files[SERVICE_WORKER_PATH]) throw new Error(`${SERVICE_WORKER_PATH} is the build's to write.`);
        const { version } = JSON.parse(await readFile(PACKAGE_JSON, 'utf8')) as { version: string };
        const release = releaseId(version, files);
        const listed = webLogEntry(release, files).files;
        this.emitFile({
          type: 'asset',
          fileName: SERVICE_WORKER_PATH.slice(1),
          source: [
            `// Sealed Vitals ${release}: every other file the site serves, by SHA-256 (shared/web-release.ts).`,
            `const ${RELEASE_GLOBAL} = ${JSON.stringify({ release, files: listed })};`,
            `importScripts(${JSON.stringify(codePath)});`,
            '',
          ].join('\n'),
        });
      },
    },
  };
}

/** Files Vite copies from the public folder as they are, keyed by their path on the site. */
async function publicFiles(publicDir: string): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  if (!publicDir) return files;
  for (const entry of await readdir(publicDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(`/${relative(publicDir, path).split(sep).join('/')}`, await readFile(path));
  }
  return files;
}
