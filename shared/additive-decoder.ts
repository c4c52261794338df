/**
 * The additive encoding's decoder (spec: "Plaintext encodings"): m from m·G by a bounded baby-step
 * giant-step search. Its baby-step table is built once and reused by every later decode, so it is an
 * object its owner holds: the web worker keeps one for the page's life (built ahead in idle time and
 * stored, web/crypto/decoder-warmup.ts); the service's tests, scripts and benchmarks make their own.
 *
 * Only public data is handled here (a result the patient already decrypted), so the search runs on
 * Edwards points with variable-time arithmetic, and compares them by a key that needs no per-point
 * inversion (see `stepKeys`) rather than by encoding each point, which costs far more per step.
 */

import { ed25519 } from '@noble/curves/ed25519.js';
import { type IntegerRange, outOfRange } from './encoding.js';
import { type RistrettoPoint, ristretto255Group } from './groups/ristretto255.js';

const Edwards = ed25519.Point;
type EdwardsPoint = InstanceType<typeof Edwards>;
const Fp = Edwards.Fp;
const ORDER = Edwards.Fn.ORDER;
/** Points whose Z coordinates share one field inversion (Montgomery's batch trick). */
const CHUNK = 1024;
const FIRST_CHUNK = 32;
const KEY_MASK = (1n << 52n) - 1n;
const MAX_KEY = Number(KEY_MASK);
/** Keys whose j·G are recomputed to check stored keys before adopting any of them. */
const SPOT_CHECKS = 32;

/** One direction of the giant-step walk: `point` = element − anchor·G, and `move` = −stride·G. */
interface Walker {
  anchor: bigint;
  point: EdwardsPoint;
  readonly stride: bigint;
  readonly move: EdwardsPoint;
}

export class AdditiveDecoder {
  /** key(j·G) → j, for every j below `width` (the first j where two keys collide). */
  readonly #indexOf = new Map<number, number>();
  #width = 0;
  /** width·G, where the next extension starts. */
  #next: EdwardsPoint = Edwards.ZERO;

  /** How wide the baby-step table is now: an anchor finds values less than this far from it. */
  get width(): number {
    return this.#width;
  }

  /**
   * Finds m in [min, max] with m·G = element: a table of w ≥ ⌈√n / 4⌉ baby steps j·G (extended when a
   * wider range needs it) and giant steps between anchors. Throws `DecodeRangeError` when no m in the
   * range fits: it never searches further.
   *
   * The table's key is the same for P and −P, so an anchor a finds every m with |m − a| < w, and anchors
   * are 2w − 1 apart: about n / 2w giant steps. They start at `likely` (default: the middle of the range)
   * and walk outward both ways alternately, so a value near where results usually lie is found first.
   */
  decode(
    element: RistrettoPoint,
    range: IntegerRange,
    likely: bigint = range.min + (range.max - range.min) / 2n,
  ): bigint {
    const count = range.max - range.min + 1n;
    if (count < 1n) throw new RangeError('An empty decode range.');
    this.#grow(Number(minimumTableWidth(count)), Number.POSITIVE_INFINITY);
    const reach = BigInt(this.#width) - 1n;
    const stride = 2n * reach + 1n;
    const first = likely < range.min ? range.min : likely > range.max ? range.max : likely;
    const target = Edwards.fromAffine(element.toAffine());
    const start = target.subtract(multiplyBase(first));
    const strideG = multiplyBase(stride);
    // The upward walker starts at `first`, the downward one a stride below it.
    const up: Walker = { anchor: first, point: start, stride, move: strideG.negate() };
    const down: Walker = {
      anchor: first - stride,
      point: start.add(strideG),
      stride: -stride,
      move: strideG,
    };
    const live = (w: Walker) =>
      w.stride > 0n ? w.anchor - reach <= range.max : w.anchor + reach >= range.min;

    // Chunks grow from small, so that a value near `likely` costs few steps, to CHUNK for the batch inversion.
    for (let size = FIRST_CHUNK; live(up) || live(down); size = Math.min(2 * size, CHUNK)) {
      const anchors: bigint[] = [];
      const points: EdwardsPoint[] = [];
      for (let i = 0; i < size && (live(up) || live(down)); i += 2) {
        for (const w of [up, down]) {
          if (!live(w)) continue;
          anchors.push(w.anchor);
          points.push(w.point);
          w.anchor += w.stride;
          w.point = w.point.add(w.move);
        }
      }
      const keys = stepKeys(points);
      for (let i = 0; i < points.length; i++) {
        const j = this.#indexOf.get(keys[i] as number);
        if (j === undefined) continue;
        const anchor = anchors[i] as bigint;
        // A key match means element − anchor·G = ±(j·G) up to torsion (or a rare truncated-key
        // collision): confirm each candidate exactly, and only inside the range.
        for (const m of [anchor + BigInt(j), anchor - BigInt(j)]) {
          if (m >= range.min && m <= range.max && multiplyBaseRistretto(m).equals(element)) return m;
        }
      }
    }
    throw outOfRange(range);
  }

  /**
   * Widens the table ahead of need, at most `maxNewEntries` per call so that a worker can do it in
   * idle slices between messages; returns whether `width` is reached. A table w entries wide makes a
   * range of n values cost at most n / w giant steps: 4√n entries cut the steps to a quarter of √n.
   */
  prepare(width: number, maxNewEntries: number): boolean {
    this.#grow(width, maxNewEntries);
    return this.#width >= width;
  }

  /**
   * The table's keys by j (0 where a key collided with an earlier one): all a cache needs to rebuild
   * the table later without any curve arithmetic (`adopt`). Nothing in it is secret: it is the same on
   * every device.
   */
  exportKeys(): Float64Array {
    const keys = new Float64Array(this.#width);
    for (const [key, j] of this.#indexOf) keys[j] = key;
    return keys;
  }

  /**
   * Widens the table from stored keys that `checkStoredKeys` accepted instead of computing them (a
   * map insertion per entry, no curve arithmetic), at most `maxNewEntries` per call; returns whether
   * all are adopted.
   */
  adopt(keys: Float64Array, maxNewEntries: number): boolean {
    const target = Math.min(keys.length, this.#width + maxNewEntries);
    if (this.#width >= target) return this.#width >= keys.length;
    let j = this.#width;
    for (; j < target; j++) {
      const key = keys[j] as number;
      if (!this.#indexOf.has(key)) this.#indexOf.set(key, j);
    }
    this.#width = j;
    this.#next = multiplyBase(BigInt(j));
    return j >= keys.length;
  }

  #grow(width: number, maxNewEntries: number): void {
    const target = Math.min(width, this.#width + maxNewEntries);
    let j = this.#width;
    let point = this.#next;
    while (j < target) {
      const chunk: EdwardsPoint[] = [];
      for (let i = 0; i < CHUNK && j + i < target; i++) {
        chunk.push(point);
        point = point.add(Edwards.BASE);
      }
      // On a 52-bit key collision (chance about width²/2^53: 10^-5 for 2^18 entries) the first j wins and
      // the other becomes undecodable, reported as out of range: the exact check means never a wrong value.
      for (const key of stepKeys(chunk)) {
        if (!this.#indexOf.has(key)) this.#indexOf.set(key, j);
        j++;
      }
    }
    this.#width = j;
    this.#next = point;
  }
}

/**
 * Whether `keys` look like `exportKeys`'s output: integers of the key's width, with a sample of them
 * (the first, the last, and random ones) recomputed from j·G. A damaged cache is refused as a whole;
 * it could never cause a wrong result anyway (every match is confirmed exactly).
 */
export function checkStoredKeys(keys: unknown): keys is Float64Array {
  if (!(keys instanceof Float64Array) || keys.length === 0) return false;
  for (const key of keys) if (!Number.isInteger(key) || key < 0 || key > MAX_KEY) return false;
  const sample = [0, keys.length - 1];
  for (let i = 0; i < SPOT_CHECKS; i++) sample.push(Math.floor(Math.random() * keys.length));
  const expected = stepKeys(sample.map((j) => multiplyBase(BigInt(j))));
  // 0 at j > 0 marks a collision, whose own key is not stored.
  return sample.every((j, i) => keys[j] === expected[i] || (j > 0 && keys[j] === 0));
}

function reduced(k: bigint): bigint {
  return ((k % ORDER) + ORDER) % ORDER;
}

function multiplyBase(k: bigint): EdwardsPoint {
  return Edwards.BASE.multiplyUnsafe(reduced(k));
}

function multiplyBaseRistretto(k: bigint): RistrettoPoint {
  return ristretto255Group.generator.multiplyUnsafe(reduced(k));
}

/**
 * (x·y)² of each point, truncated to 52 bits. For a ristretto255 element the Edwards representative
 * is fixed only up to the 4-torsion, which maps (x, y) to (−x, −y) or (±iy, ±ix): (x·y)² is the same
 * for all of them (and for the negation), so equal elements get equal keys whatever the representative.
 * x·y = T/Z in extended coordinates, so a batch of points needs a single inversion.
 */
function stepKeys(points: readonly EdwardsPoint[]): number[] {
  const inverses = Fp.invertBatch(points.map((p) => p.Z));
  return points.map((p, i) => {
    const xy = Fp.mul(p.T, inverses[i] as bigint);
    return Number(Fp.sqr(xy) & KEY_MASK);
  });
}

/**
 * How wide a table a decode builds before searching, when none as wide was built ahead (the web worker
 * does that, or adopts a stored one): ⌈√n / 4⌉. Building costs about as much per entry as a giant
 * step, and a result usually lies near `likely`, so a narrower table found faster wins on the usual
 * case; the worst case (a result at the far end) costs about twice the √n table's total.
 */
function minimumTableWidth(count: bigint): bigint {
  const width = (squareRootCeil(count) + 3n) / 4n;
  return width < 1n ? 1n : width;
}

function squareRootCeil(n: bigint): bigint {
  if (n < 2n) return 1n;
  let x = BigInt(Math.ceil(Math.sqrt(Number(n))));
  while (x * x < n) x++;
  while ((x - 1n) * (x - 1n) >= n) x--;
  return x;
}
