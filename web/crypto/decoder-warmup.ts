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
import { additiveDecodingTableWidth } from '../../shared/computations/catalog.js';
import {
  additiveDecodingWidth,
  adoptAdditiveDecoding,
  checkAdditiveDecodingKeys,
  exportAdditiveDecoding,
  prepareAdditiveDecoding,
} from '../../shared/encoding.js';

/** ~1.5 ms of curve arithmetic per slice, or ~2 ms of adopting stored keys. */
const ENTRIES_PER_SLICE = 256;
const STORED_ENTRIES_PER_SLICE = 16_384;
/** How long to wait before looking again while the worker is busy. */
const BUSY_RETRY_MS = 100;

/** Its own database: public constants only, never keys or results. */
const store = createStore('sealed-vitals-decoder', 'tables');
/** Names the key function of shared/encoding.ts: a new one must use a new name. */
const STORED_TABLE = 'ristretto255-baby-steps-v1';

async function storedKeys(): Promise<Float64Array | undefined> {
  try {
    const keys: unknown = await get(STORED_TABLE, store);
    return checkAdditiveDecodingKeys(keys) ? keys : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The next slice as soon as the worker is free: a message to ourselves, because nested timers are
 * clamped to ≥ 4 ms and would stretch ~1.5 s of work over several seconds.
 */
const nextSlice = new MessageChannel();
let queued: (() => void) | undefined;
nextSlice.port1.onmessage = () => queued?.();

/** Runs `step` in idle slices until it returns true, then resolves. */
function inIdleSlices(isBusy: () => boolean, step: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const slice = () => {
      if (isBusy()) setTimeout(slice, BUSY_RETRY_MS);
      else if (step()) resolve();
      else nextSlice.port2.postMessage(undefined);
    };
    queued = slice;
    slice();
  });
}

/** Stored every this many new entries, so a page left early still saves what it built. */
const SAVE_EVERY = 2 ** 16;

async function save(): Promise<void> {
  // Storage full or refused: the next page builds the table again, nothing worse.
  await set(STORED_TABLE, exportAdditiveDecoding(), store).catch(() => undefined);
}

export async function warmAdditiveDecoder(isBusy: () => boolean): Promise<void> {
  const width = additiveDecodingTableWidth();
  const stored = await storedKeys();
  if (stored) await inIdleSlices(isBusy, () => adoptAdditiveDecoding(stored, STORED_ENTRIES_PER_SLICE));
  let saved = additiveDecodingWidth();
  while (additiveDecodingWidth() < width) {
    const checkpoint = Math.min(width, saved + SAVE_EVERY);
    await inIdleSlices(isBusy, () => prepareAdditiveDecoding(checkpoint, ENTRIES_PER_SLICE));
    await save();
    saved = additiveDecodingWidth();
  }
}
