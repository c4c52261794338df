/**
 * A release of the web app: every file the site serves, by the SHA-256 of its bytes, and the id that
 * names them. The build writes it into the service worker, which serves a cached file only if its hash
 * is the one listed; the service reads the same from the built site and appends it to the transparency
 * log as `{"kind":"web","release":R,"files":{…}}` (issue 17). Both compute it with these functions.
 *
 * The id covers every file but `/sw.js`: the service worker holds the id and the hashes, so it cannot
 * be part of what they hash. It holds nothing else: its code is a file of the release like any other
 * (web/pwa/service-worker-plugin.ts), so every byte the site serves follows from the id. The log entry
 * still lists `/sw.js` with the rest, as served.
 */

import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

export const SERVICE_WORKER_PATH = '/sw.js';

/** Files keyed by path (`/index.html`, `/assets/index-Bx7f3k2a.js`) → lowercase hex SHA-256. */
export type ReleaseFiles = Readonly<Record<string, string>>;

export interface WebRelease {
  /** `<app version>+<16 hex digits>`, e.g. `0.1.0+3f2a9c0d5e6b7a81`. */
  readonly release: string;
  readonly files: ReleaseFiles;
}

export interface WebLogEntry {
  readonly kind: 'web';
  readonly release: string;
  readonly files: Record<string, string>;
}

/** What a page posts to its service worker to learn the release it serves (answered with a WebRelease). */
export const RELEASE_QUERY = 'sealed-vitals-release';
export type ReleaseQuery = typeof RELEASE_QUERY;

const FILE_HASH = /^[0-9a-f]{64}$/;

/** Whether the site serves a built file: none with a path part starting with a dot (server/plugins/spa.ts). */
export function isServedPath(path: string): boolean {
  return !path.split('/').some((part) => part.startsWith('.'));
}

/** The hash a release lists for a file's bytes. */
export function fileHash(bytes: Uint8Array): string {
  return bytesToHex(sha256(bytes));
}

/**
 * The release id: the app version, `+`, and the first 8 bytes (16 hex digits) of SHA-256 over the
 * lines `<path> <hex>\n` of every file but /sw.js, sorted by path in code-unit order.
 */
export function releaseId(appVersion: string, files: ReleaseFiles): string {
  if (appVersion === '') throw new Error('A release needs the app version.');
  const lines = sortedPaths(files)
    .filter((path) => path !== SERVICE_WORKER_PATH)
    .map((path) => `${path} ${files[path]}\n`)
    .join('');
  return `${appVersion}+${bytesToHex(sha256(utf8ToBytes(lines))).slice(0, 16)}`;
}

/** The log entry of a release; throws unless `release` is the id its files give. */
export function webLogEntry(release: string, files: ReleaseFiles): WebLogEntry {
  const separator = release.lastIndexOf('+');
  if (separator <= 0 || releaseId(release.slice(0, separator), files) !== release) {
    throw new Error(`Release ${JSON.stringify(release)} is not the id of the files given.`);
  }
  const sorted: Record<string, string> = {};
  for (const path of sortedPaths(files)) sorted[path] = files[path] as string;
  return { kind: 'web', release, files: sorted };
}

/** Checks every path and hash once; the paths sorted by code unit (what `sort()` does by default). */
function sortedPaths(files: ReleaseFiles): string[] {
  const paths = Object.keys(files);
  for (const path of paths) {
    // A line per file: a newline in a path would let two different lists hash alike.
    if (!path.startsWith('/') || path.includes('\n')) {
      throw new Error(`Not a file path: ${JSON.stringify(path)}`);
    }
    if (!FILE_HASH.test(files[path] ?? '')) throw new Error(`${path}: not a lowercase hex SHA-256.`);
  }
  return paths.sort();
}
