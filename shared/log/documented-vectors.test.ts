/** The vectors docs/TRANSPARENCY.md prints, for auditors written from that page alone. */

import { describe, expect, it } from 'vitest';
import { catalogEntryFingerprint } from '../proofs/fingerprint.js';
import { entryBytes, hashToBase64Url } from './entries.js';
import { leafHash, MerkleTree } from './merkle.js';

const ENTRY = {
  kind: 'model' as const,
  entry: {
    version: 1,
    id: 'x',
    evaluation: { kind: 'private-linear', commitment: 'AA' },
    inputs: [],
    outputs: [],
  },
};

describe('docs/TRANSPARENCY.md vectors', () => {
  it('entry bytes, leaf hash, a two-leaf root and the fingerprint', () => {
    const bytes = entryBytes(ENTRY);
    expect(new TextDecoder().decode(bytes)).toBe(
      '{"entry":{"evaluation":{"commitment":"AA","kind":"private-linear"},"id":"x","inputs":[],"outputs":[],"version":1},"kind":"model"}',
    );
    const leaf = leafHash(bytes);
    expect(hashToBase64Url(leaf)).toBe('200u49i7Qa_z6WtI6M2ldBwnVvMQ6m_-6M6LZSHgNFo');
    expect(hashToBase64Url(new MerkleTree([leaf, leaf]).root())).toBe(
      'TqHsT_gidCYAnN-3TsqMnaPlcZUtFqkoxdhiHkQEYAw',
    );
    expect(catalogEntryFingerprint(ENTRY.entry)).toBe('624d 666d 6b4d 0c1d 8e7f 759a 2dfb dc42');
  });
});
