/**
 * Where this running app is in the transparency log: its release (from the service worker that
 * checked every file it serves, web/app/release.ts) found among the log's web entries, with the
 * files it runs being the ones logged, and an inclusion proof in a checkpoint that the log signed
 * and a quorum of witnesses cosigned. How it works says the answer, plainly when it is not logged.
 */

import {
  LOG_CHECKPOINT_PATH,
  LOG_ENTRIES_PAGE,
  LOG_ENTRIES_PATH,
  LOG_INCLUSION_PATH,
} from '../../shared/api.js';
import { verifyCheckpoint } from '../../shared/log/checkpoint.js';
import { entryBytes, hashFromBase64Url, parseLogEntry } from '../../shared/log/entries.js';
import { leafHash, verifyInclusion } from '../../shared/log/merkle.js';
import { isRecord } from '../../shared/records.js';
import { currentRelease } from '../app/release.js';
import { apiUrl } from '../crypto/exchange.js';
import { LOG_POLICY } from './policy.js';

export type ReleaseInLog =
  | {
      readonly status: 'logged';
      readonly release: string;
      readonly index: number;
      readonly size: number;
      readonly cosignedBy: readonly string[];
    }
  | { readonly status: 'not-logged'; readonly release: string | undefined; readonly reason: string };

async function getJson(path: string): Promise<unknown> {
  const response = await fetch(apiUrl(path), { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.json();
}

export async function findReleaseInLog(): Promise<ReleaseInLog> {
  const running = await currentRelease();
  if (!running)
    return {
      status: 'not-logged',
      release: undefined,
      reason:
        'this page is not served by the app’s offline worker yet (a first visit, or a development build), so it cannot say which release it is',
    };
  const { release } = running;
  const notLogged = (reason: string): ReleaseInLog => ({ status: 'not-logged', release, reason });
  if (!LOG_POLICY) return notLogged('this app was built without a transparency log');
  let size: number;
  let root: Uint8Array;
  let cosignedBy: string[];
  try {
    const response = await fetch(apiUrl(LOG_CHECKPOINT_PATH), { headers: { accept: 'text/plain' } });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const verified = verifyCheckpoint(await response.text(), LOG_POLICY);
    ({ size, root } = verified.checkpoint);
    cosignedBy = verified.cosignedBy.map((c) => c.name);
  } catch (error) {
    return notLogged(`the log has no checkpoint this app accepts (${(error as Error).message})`);
  }
  try {
    // Newest first: a running release is usually the last one logged.
    for (let end = size; end > 0; end -= LOG_ENTRIES_PAGE) {
      const start = Math.max(0, end - LOG_ENTRIES_PAGE);
      const page = await getJson(`${LOG_ENTRIES_PATH}?start=${start}&end=${end}`);
      const entries = isRecord(page) && Array.isArray(page.entries) ? page.entries : [];
      for (let i = entries.length - 1; i >= 0; i--) {
        const entry = parseLogEntry(entries[i]);
        if (entry.kind !== 'web' || entry.release !== release) continue;
        const index = start + i;
        const same = Object.entries(running.files).every(([path, hash]) => entry.files[path] === hash);
        if (!same) return notLogged(`the log holds release ${release} with other files than this app runs`);
        const proof = await getJson(`${LOG_INCLUSION_PATH}?index=${index}&size=${size}`);
        const hashes =
          isRecord(proof) && Array.isArray(proof.proof)
            ? proof.proof.map((h) => hashFromBase64Url(String(h)))
            : [];
        if (!verifyInclusion(index, size, leafHash(entryBytes(entry)), hashes, root))
          return notLogged('the log’s proof for this release does not check');
        return { status: 'logged', release, index, size, cosignedBy };
      }
    }
  } catch (error) {
    return notLogged(`the log could not be read (${(error as Error).message})`);
  }
  return notLogged(`the log’s witnessed checkpoint of ${size} entries does not hold this release`);
}
