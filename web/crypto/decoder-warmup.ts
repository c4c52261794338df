/**
 * Builds the additive decoder's baby-step table in the worker's idle time, before the first result
 * needs it: for the widest output range in the catalog (Framingham's, 3·10^9 values), a table of
 * 4√n entries cuts the giant steps of every decode to a quarter, at ~1 s of background work and
 * ~10 MB. The table is the same on every device and for every key, so once built it is kept in
 * IndexedDB and later pages adopt it in a few milliseconds instead of computing it again.
 * Work is done in short slices, and only while the worker has nothing else to do, so a patient's
 * computation never waits behind it.
 */

import { createStore, get, set } from 'idb-keyval';
import { COMPUTATIONS } from '../../shared/computations/catalog.js';
import {
  additiveDecodingWidth,
  adoptAdditiveDecoding,
  checkAdditiveDecodingKeys,
  exportAdditiveDecoding,
  prepareAdditiveDecoding,
} from '../../shared/encoding.js';

const MAX_ENTRIES = 2 ** 18;
/** ~1.5 ms of curve arithmetic per slice, or ~2 ms of adopting stored keys. */
const ENTRIES_PER_SLICE = 256;
const STORED_ENTRIES_PER_SLICE = 16_384;
/** How long to wait before looking again while the worker is busy. */
const BUSY_RETRY_MS = 100;

/** Its own database: public constants only, never keys or results. */
const store = createStore('sealed-vitals-decoder', 'tables');
/** Names the key function of shared/encoding.ts: a new one must use a new name. */
const STORED_TABLE = 'ristretto255-baby-steps-v1';

function widestAdditiveRange(): number {
  const sizes = COMPUTATIONS.filter((c) => c.scheme === 'additive').flatMap((c) =>
    c.outputs.map((o) => o.max - o.min + 1),
  );
  return Math.max(1, ...sizes);
}

async function storedKeys(): Promise<Float64Array | undefined> {
  try {
    const keys: unknown = await get(STORED_TABLE, store);
    return checkAdditiveDecodingKeys(keys) ? keys : undefined;
  } catch {
    return undefined;
  }
}

/** Runs `step` in idle slices until it returns true, then resolves. */
function inIdleSlices(isBusy: () => boolean, step: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const slice = () => {
      if (isBusy()) setTimeout(slice, BUSY_RETRY_MS);
      else if (step()) resolve();
      else setTimeout(slice, 0);
    };
    setTimeout(slice, 0);
  });
}

export async function warmAdditiveDecoder(isBusy: () => boolean): Promise<void> {
  const width = Math.min(MAX_ENTRIES, 4 * Math.ceil(Math.sqrt(widestAdditiveRange())));
  const stored = await storedKeys();
  if (stored) await inIdleSlices(isBusy, () => adoptAdditiveDecoding(stored, STORED_ENTRIES_PER_SLICE));
  await inIdleSlices(isBusy, () => prepareAdditiveDecoding(width, ENTRIES_PER_SLICE));
  if (additiveDecodingWidth() > (stored?.length ?? 0)) {
    // Storage full or refused: the next page builds the table again, nothing worse.
    await set(STORED_TABLE, exportAdditiveDecoding(), store).catch(() => undefined);
  }
}
