/**
 * The Merkle tree of RFC 9162 §2.1: leaf and node hashes (§2.1.1), the tree head MTH (§2.1.1),
 * inclusion proofs (§2.1.3) and consistency proofs (§2.1.4). Pure math over hashes, no I/O: storage
 * and transport belong to the caller.
 *
 * Sizes and indices are plain numbers; the verifiers use arithmetic, not 32-bit bitwise operators, so
 * they stay correct for any safe-integer tree size.
 */

import { sha256 } from '@noble/hashes/sha2.js';

/** A 32-byte SHA-256 value. */
export type Hash = Uint8Array;

const HASH_BYTES = 32;
// RFC 9162 §2.1.1: the 0x00 / 0x01 prefixes keep a leaf from ever being read as an interior node.
const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;

/** MTH({}) = SHA-256() (RFC 9162 §2.1.1). */
export const EMPTY_ROOT: Hash = sha256(new Uint8Array(0));

export function leafHash(entry: Uint8Array): Hash {
  const input = new Uint8Array(1 + entry.length);
  input[0] = LEAF_PREFIX;
  input.set(entry, 1);
  return sha256(input);
}

export function nodeHash(left: Hash, right: Hash): Hash {
  const input = new Uint8Array(1 + left.length + right.length);
  input[0] = NODE_PREFIX;
  input.set(left, 1);
  input.set(right, 1 + left.length);
  return sha256(input);
}

/** Compares without an early exit, so timing does not tell how many leading bytes matched. */
export function hashesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return difference === 0;
}

/** The largest power of two strictly below n (n ≥ 2): the split point k of RFC 9162 §2.1.1. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** Exact for safe integers: a rounding Math.log2 is checked by raising 2 back to it. */
function isPowerOfTwo(n: number): boolean {
  return n >= 1 && 2 ** Math.round(Math.log2(n)) === n;
}

function isHash(h: unknown): h is Hash {
  return h instanceof Uint8Array && h.length === HASH_BYTES;
}

function requireHash(h: Hash, what: string): void {
  if (!isHash(h)) throw new TypeError(`${what} must be a 32-byte hash.`);
}

/**
 * An append-only tree held in memory. `levels[h][i]` is the hash of the complete subtree of 2^h
 * leaves starting at leaf i·2^h, kept as soon as it is complete; any other subtree the RFC's
 * recursion asks for is then at most log n cached hashes away, so a root is O(log n) and a proof
 * O(log² n).
 */
export class MerkleTree {
  readonly #leaves: Hash[] = [];
  readonly #levels: Hash[][] = [this.#leaves];

  constructor(leafHashes?: Iterable<Hash>) {
    for (const hash of leafHashes ?? []) this.append(hash);
  }

  get size(): number {
    return this.#leaves.length;
  }

  append(leafHash: Hash): void {
    requireHash(leafHash, 'A leaf hash');
    let hash: Hash = leafHash.slice();
    for (let height = 0; ; height++) {
      let level = this.#levels[height];
      if (level === undefined) {
        level = [];
        this.#levels.push(level);
      }
      level.push(hash);
      if (level.length % 2 === 1) return;
      hash = nodeHash(level[level.length - 2] as Hash, hash);
    }
  }

  leaf(index: number): Hash {
    if (!Number.isInteger(index) || index < 0 || index >= this.size)
      throw new RangeError(`Leaf index ${index} is outside the tree of ${this.size} leaves.`);
    return (this.#leaves[index] as Hash).slice();
  }

  /** MTH(D[0:size]). */
  root(size: number = this.size): Hash {
    this.#checkSize(size, 'size');
    return size === 0 ? EMPTY_ROOT.slice() : this.#subtree(0, size).slice();
  }

  /** PATH(index, D[0:size]) of RFC 9162 §2.1.3.1, deepest sibling first. */
  inclusionProof(index: number, size: number = this.size): Hash[] {
    this.#checkSize(size, 'size');
    if (!Number.isInteger(index) || index < 0 || index >= size)
      throw new RangeError(`Leaf index ${index} is outside the tree of ${size} leaves.`);
    const proof: Hash[] = [];
    this.#path(index, 0, size, proof);
    return proof.map((h) => h.slice());
  }

  /** PROOF(from, D[0:to]) of RFC 9162 §2.1.4.1. */
  consistencyProof(from: number, to: number = this.size): Hash[] {
    this.#checkSize(to, 'to');
    if (!Number.isInteger(from) || from < 0 || from > to)
      throw new RangeError(`Consistency from size ${from} to size ${to} needs 0 ≤ from ≤ to.`);
    const proof: Hash[] = [];
    if (from > 0 && from < to) this.#subproof(from, 0, to, true, proof);
    return proof.map((h) => h.slice());
  }

  #checkSize(size: number, what: string): void {
    if (!Number.isInteger(size) || size < 0 || size > this.size)
      throw new RangeError(`The ${what} ${size} is outside the tree of ${this.size} leaves.`);
  }

  /** MTH(D[start:start+n]), n ≥ 1, where start is a multiple of the largest power of two ≤ n. */
  #subtree(start: number, n: number): Hash {
    if (isPowerOfTwo(n)) return this.#levels[Math.round(Math.log2(n))]?.[start / n] as Hash;
    const k = splitPoint(n);
    return nodeHash(this.#subtree(start, k), this.#subtree(start + k, n - k));
  }

  #path(m: number, start: number, n: number, out: Hash[]): void {
    if (n === 1) return;
    const k = splitPoint(n);
    if (m < k) {
      this.#path(m, start, k, out);
      out.push(this.#subtree(start + k, n - k));
    } else {
      this.#path(m - k, start + k, n - k, out);
      out.push(this.#subtree(start, k));
    }
  }

  /** SUBPROOF(m, D[start:start+n], b). */
  #subproof(m: number, start: number, n: number, b: boolean, out: Hash[]): void {
    if (m === n) {
      if (!b) out.push(this.#subtree(start, n));
      return;
    }
    const k = splitPoint(n);
    if (m <= k) {
      this.#subproof(m, start, k, b, out);
      out.push(this.#subtree(start + k, n - k));
    } else {
      this.#subproof(m - k, start + k, n - k, false, out);
      out.push(this.#subtree(start, k));
    }
  }
}

function isTreeSize(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

function isProof(proof: readonly Hash[]): boolean {
  // Each proof hash halves sn at least once, so no valid proof for a safe-integer size has more than
  // 54; the cap keeps a hostile proof from costing more than a glance.
  return Array.isArray(proof) && proof.length <= 64 && proof.every(isHash);
}

/** Halves fn and sn together (a right shift of both, RFC 9162 §2.1.3.2 and §2.1.4.2). */
function half(n: number): number {
  return Math.floor(n / 2);
}

/** RFC 9162 §2.1.3.2. Returns false, never throws, on malformed input. */
export function verifyInclusion(
  index: number,
  size: number,
  leaf: Hash,
  proof: readonly Hash[],
  root: Hash,
): boolean {
  if (!isTreeSize(index) || !isTreeSize(size) || index >= size) return false;
  if (!isHash(leaf) || !isHash(root) || !isProof(proof)) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && hashesEqual(r, root);
}

/** RFC 9162 §2.1.4.2, with the equal-size and empty-tree cases it leaves to the caller. */
export function verifyConsistency(
  from: number,
  to: number,
  proof: readonly Hash[],
  fromRoot: Hash,
  toRoot: Hash,
): boolean {
  if (!isTreeSize(from) || !isTreeSize(to) || from > to) return false;
  if (!isHash(fromRoot) || !isHash(toRoot) || !isProof(proof)) return false;
  if (from === to) return proof.length === 0 && hashesEqual(fromRoot, toRoot);
  // Every tree extends the empty one; there is nothing to prove.
  if (from === 0) return proof.length === 0;
  if (proof.length === 0) return false;
  // A power-of-two old tree is a complete subtree of the new one, so its root is the proof's first node.
  const path = isPowerOfTwo(from) ? [fromRoot, ...proof] : proof;
  let fn = from - 1;
  let sn = to - 1;
  while (fn % 2 === 1) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0] as Hash;
  let sr = fr;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && hashesEqual(fr, fromRoot) && hashesEqual(sr, toRoot);
}
