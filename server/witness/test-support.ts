/** What the witness tests share: a log with a real Merkle tree and real keys, and a raw POST. */

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatCheckpoint } from '../../shared/log/checkpoint.js';
import { leafHash, MerkleTree } from '../../shared/log/merkle.js';
import {
  COSIGNATURE_V1_KEY_TYPE,
  formatNote,
  generateSignerKey,
  parseSignerKey,
  type SignerKey,
  signNote,
} from '../../shared/log/note.js';

const encoder = new TextEncoder();

export function temporaryDir(prefix = 'witness-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function witnessKeys(name = 'witness.example/w1'): { signerKey: string; verifierKey: string } {
  return generateSignerKey(name, COSIGNATURE_V1_KEY_TYPE);
}

/** A log: an origin, an Ed25519 note key, and a tree of made-up entries (`variant` tells forks apart). */
export class TestLog {
  readonly tree = new MerkleTree();
  readonly key: SignerKey;

  constructor(
    readonly origin = 'log.example/vitals',
    private readonly keys = generateSignerKey(origin),
    private readonly variant = '',
  ) {
    this.key = parseSignerKey(keys.signerKey);
  }

  get verifierKey(): string {
    return this.keys.verifierKey;
  }

  /** The same log key and origin over other entries: what a log showing a split view signs. */
  fork(variant: string): TestLog {
    return new TestLog(this.origin, this.keys, variant);
  }

  grow(size: number): this {
    while (this.tree.size < size)
      this.tree.append(leafHash(encoder.encode(`${this.variant}entry ${this.tree.size}`)));
    return this;
  }

  checkpointText(size = this.tree.size): string {
    return formatCheckpoint({ origin: this.origin, size, root: this.tree.root(size), extensions: [] });
  }

  /** The checkpoint at `size` signed by the log's key (or another). */
  checkpoint(size = this.tree.size, key: SignerKey = this.key): string {
    const text = this.checkpointText(size);
    return formatNote({ text, signatures: [signNote(text, key)] });
  }

  /** An add-checkpoint body from `old` to `size`, with the honest proof. */
  body(old: number, size = this.tree.size): string {
    const proof = this.tree.consistencyProof(old, size).map((h) => `${Buffer.from(h).toString('base64')}\n`);
    return `old ${old}\n${proof.join('')}\n${this.checkpoint(size)}`;
  }
}

export interface Answer {
  readonly status: number;
  readonly type: string | null;
  readonly text: string;
}

export async function postCheckpoint(url: string, body: string | Uint8Array): Promise<Answer> {
  const response = await fetch(`${url}/add-checkpoint`, {
    method: 'POST',
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}
