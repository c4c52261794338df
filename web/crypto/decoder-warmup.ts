/**
 * Builds the worker's additive decoder's baby-step table in idle time, before the first result needs
 * it: for the widest additive output range of the catalog the app has (the service's, including the
 * model files it loads, or the last one kept; the shipped computations when it never saw one), a table
 * of 4√n entries cuts the giant steps of every decode to a quarter (docs/PERFORMANCE.md). The table is
 * the same on every device and for every key, so once built it is kept in IndexedDB and later pages
 * adopt it, checked, instead of computing it again. Work is done in short slices, and only while the
 * worker has nothing else to do, so a patient's computation never waits behind it.
 */

import { createStore, get, set } from 'idb-keyval';
import { type AdditiveDecoder, checkStoredKeys } from '../../shared/additive-decoder.js';
import { additiveDecodingTableWidth } from '../../shared/computations/catalog.js';
import type { Computation } from '../../shared/computations/computation.js';

/** Slices short enough that a message arriving meanwhile is not noticeably delayed. */
const ENTRIES_PER_SLICE = 256;
/** Adopting a stored key is a map insertion, no curve arithmetic: many more fit in a slice. */
const STORED_ENTRIES_PER_SLICE = 16_384;
/** How long to wait before looking again while the worker is busy. */
const BUSY_RETRY_MS = 100;

/** Its own database: public constants only, never keys or results. */
const store = createStore('sealed-vitals-decoder', 'tables');
/** Names the key function of shared/additive-decoder.ts: a new one must use a new name. */
const STORED_TABLE = 'ristretto255-baby-steps-v1';

async function storedKeys(): Promise<Float64Array | undefined> {
  try {
    const keys: unknown = await get(STORED_TABLE, store);
    return checkStoredKeys(keys) ? keys : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The next slice as soon as the worker is free: a message to ourselves, because nested timers are
 * clamped to ≥ 4 ms, which over thousands of slices would stretch the work many times over.
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

async function save(decoder: AdditiveDecoder): Promise<void> {
  // Storage full or refused: the next page builds the table again, nothing worse.
  await set(STORED_TABLE, decoder.exportKeys(), store).catch(() => undefined);
}

/**
 * Widens `decoder` (the worker's own) for `catalog()`'s computations: adopts the stored table first,
 * then builds on, saving as it goes.
 */
export async function warmAdditiveDecoder(
  decoder: AdditiveDecoder,
  catalog: () => Promise<readonly Computation[]>,
  isBusy: () => boolean,
): Promise<void> {
  const [width, stored] = await Promise.all([catalog().then(additiveDecodingTableWidth), storedKeys()]);
  if (stored) await inIdleSlices(isBusy, () => decoder.adopt(stored, STORED_ENTRIES_PER_SLICE));
  let saved = decoder.width;
  while (decoder.width < width) {
    const checkpoint = Math.min(width, saved + SAVE_EVERY);
    await inIdleSlices(isBusy, () => decoder.prepare(checkpoint, ENTRIES_PER_SLICE));
    await save(decoder);
    saved = decoder.width;
  }
}
