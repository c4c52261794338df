import { describe, expect, test } from 'vitest';
import { isHistoryEntry } from './entry.js';

const KEY = { group: 'ristretto255', y: 'key' } as const;
const CIPHERTEXT = { a: 'a', b: 'b' };

/** An entry as an earlier version of the app kept it: the answer and its key only. */
const OLD = {
  id: 'e1',
  computationId: 'cha2ds2-vasc',
  computationVersion: 1,
  computedAt: '2026-03-01T10:00:00.000Z',
  inputs: { age: { value: 71, unit: 'years' }, female: true },
  result: { value: 3, display: '3', category: 'High', severity: 'warning', explanation: '…' },
  sealed: { publicKey: KEY, response: { outputs: { score: CIPHERTEXT } } },
};

const REQUEST = { publicKey: KEY, inputs: { age: CIPHERTEXT } };
const CATALOG_ENTRY = { id: 'cha2ds2-vasc', version: 1 };
const withSealed = (sealed: Record<string, unknown>) => ({ ...OLD, sealed: { ...OLD.sealed, ...sealed } });

describe('a history entry', () => {
  test('is one with the request and catalog entry its proof is bound to, or with neither (kept earlier)', () => {
    expect(isHistoryEntry(OLD)).toBe(true);
    expect(isHistoryEntry(withSealed({ request: REQUEST, catalogEntry: CATALOG_ENTRY }))).toBe(true);
  });

  test('is not one with only one of them, or with a request to another key than its answer’s', () => {
    expect(isHistoryEntry(withSealed({ request: REQUEST }))).toBe(false);
    expect(isHistoryEntry(withSealed({ catalogEntry: CATALOG_ENTRY }))).toBe(false);
    const otherKey = { ...REQUEST, publicKey: { ...KEY, y: 'other' } };
    expect(isHistoryEntry(withSealed({ request: otherKey, catalogEntry: CATALOG_ENTRY }))).toBe(false);
    const noCiphertext = { ...REQUEST, inputs: { age: 'a' } };
    expect(isHistoryEntry(withSealed({ request: noCiphertext, catalogEntry: CATALOG_ENTRY }))).toBe(false);
  });
});
