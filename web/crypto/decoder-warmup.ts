/**
 * Builds the additive decoder's baby-step table in the worker's idle time, before the first result
 * needs it: for the widest output range in the catalog (Framingham's, 3·10^9 values), a table of
 * 4√n entries cuts the giant steps of every decode to a quarter, at ~1 s of background work once
 * per page and ~10 MB. It works in slices of ~5 ms and only while the worker has nothing else to
 * do, so a patient's computation never waits behind it.
 */

import { COMPUTATIONS } from '../../shared/computations/catalog.js';
import { prepareAdditiveDecoding } from '../../shared/encoding.js';

const MAX_ENTRIES = 2 ** 18;
const ENTRIES_PER_SLICE = 256;
/** How long to wait before looking again while the worker is busy. */
const BUSY_RETRY_MS = 100;

function widestAdditiveRange(): number {
  const sizes = COMPUTATIONS.filter((c) => c.scheme === 'additive').flatMap((c) =>
    c.outputs.map((o) => o.max - o.min + 1),
  );
  return Math.max(1, ...sizes);
}

export function warmAdditiveDecoder(isBusy: () => boolean): void {
  const width = Math.min(MAX_ENTRIES, 4 * Math.ceil(Math.sqrt(widestAdditiveRange())));
  const slice = () => {
    if (isBusy()) setTimeout(slice, BUSY_RETRY_MS);
    else if (!prepareAdditiveDecoding(width, ENTRIES_PER_SLICE)) setTimeout(slice, 0);
  };
  setTimeout(slice, 0);
}
