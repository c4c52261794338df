/**
 * The web release the service serves, read from the built site (`dist/web`): every file the SPA
 * plugin serves (server/plugins/spa.ts serves each file of the folder, dotfiles aside), hashed as
 * served. The same release id the build wrote into /sw.js (shared/web-release.ts).
 */

import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import {
  fileHash,
  isServedPath,
  releaseId,
  type WebLogEntry,
  webLogEntry,
} from '../../shared/web-release.js';

/** `siteDir`: the built site, e.g. `dist/web`; `appVersion`: package.json's `version`. */
export async function readWebRelease(siteDir: string, appVersion: string): Promise<WebLogEntry> {
  const files: Record<string, string> = {};
  for (const entry of await readdir(siteDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = join(entry.parentPath, entry.name);
    const path = `/${relative(siteDir, file).split(sep).join('/')}`;
    if (isServedPath(path)) files[path] = fileHash(await readFile(file));
  }
  if (!files['/index.html']) throw new Error(`${siteDir} holds no built site (no index.html).`);
  return webLogEntry(releaseId(appVersion, files), files);
}
