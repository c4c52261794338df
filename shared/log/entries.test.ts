import { describe, expect, it } from 'vitest';
import {
  entryBytes,
  hashFromBase64Url,
  hashToBase64Url,
  type LogEntry,
  LogEntryError,
  modelLogEntry,
  parseLogEntry,
} from './entries.js';

const text = (entry: LogEntry) => new TextDecoder().decode(entryBytes(entry));
const HEX = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('entryBytes', () => {
  // RFC 8785 §3.2.4 (Serialization of Strings and Numbers): the example input and its canonical form.
  it('is the RFC 8785 canonical JSON of the entry (RFC 8785 §3.2.4 example inside a model entry)', () => {
    const entry = JSON.parse(
      '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],' +
        '"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}',
    ) as Record<string, unknown>;
    expect(text({ kind: 'model', entry })).toBe(
      '{"entry":{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"},"kind":"model"}',
    );
  });

  it('sorts members by UTF-16 code units, whatever the order they were written in', () => {
    const a = text({ kind: 'web', release: '1.2.0', files: { '/b': HEX, '/a': HEX } });
    expect(a).toBe(`{"files":{"/a":"${HEX}","/b":"${HEX}"},"kind":"web","release":"1.2.0"}`);
  });

  it('refuses what has no canonical JSON', () => {
    expect(() => entryBytes({ kind: 'model', entry: { x: Number.NaN } })).toThrow(LogEntryError);
    expect(() => entryBytes({ kind: 'model', entry: { x: '\ud800' } })).toThrow(LogEntryError);
  });
});

describe('modelLogEntry', () => {
  it('drops the log member and nothing else', () => {
    const catalogEntry = { id: 'framingham', version: 2, log: { index: 3 } };
    expect(modelLogEntry(catalogEntry)).toEqual({ kind: 'model', entry: { id: 'framingham', version: 2 } });
    expect(catalogEntry.log).toEqual({ index: 3 });
  });
});

describe('parseLogEntry', () => {
  it('accepts both kinds, and what it returns has the same bytes', () => {
    for (const value of [
      { kind: 'model', entry: { id: 'x' } },
      { kind: 'web', release: '1.0.0', files: { '/index.html': HEX } },
      { kind: 'web', release: '1.0.0', files: {} },
    ]) {
      const entry = parseLogEntry(value);
      expect(text(entry)).toBe(text(value as LogEntry));
    }
  });

  it.each([
    ['not an object', [], /JSON object/],
    ['an unknown kind', { kind: 'other' }, /kind/],
    ['no kind', { entry: {} }, /kind/],
    ['an extra member', { kind: 'model', entry: {}, extra: 1 }, /"extra"/],
    ['a missing entry', { kind: 'model' }, /"entry"/],
    ['an entry that is a list', { kind: 'model', entry: [] }, /entry/],
    ['an entry with its log member', { kind: 'model', entry: { log: {} } }, /log member/],
    ['a missing release', { kind: 'web', files: {} }, /"release"/],
    ['an empty release', { kind: 'web', release: '', files: {} }, /release/],
    ['files that are a list', { kind: 'web', release: '1', files: [] }, /files/],
    ['a path without /', { kind: 'web', release: '1', files: { 'index.html': HEX } }, /does not start with/],
    ['an uppercase hash', { kind: 'web', release: '1', files: { '/a': HEX.toUpperCase() } }, /lowercase hex/],
    ['a short hash', { kind: 'web', release: '1', files: { '/a': HEX.slice(2) } }, /64/],
    ['a hash that is a number', { kind: 'web', release: '1', files: { '/a': 5 } }, /64/],
  ])('refuses %s', (_, value, message) => {
    expect(() => parseLogEntry(value)).toThrow(message);
    expect(() => parseLogEntry(value)).toThrow(LogEntryError);
  });
});

describe('hash base64url', () => {
  it('round-trips 32 bytes without padding', () => {
    const hash = Uint8Array.from({ length: 32 }, (_, i) => i * 8 + 3);
    const encoded = hashToBase64Url(hash);
    expect(encoded).toHaveLength(43);
    expect(encoded).not.toMatch(/[+/=]/);
    expect(hashFromBase64Url(encoded)).toEqual(hash);
  });

  it.each([
    ['padding', `${hashToBase64Url(new Uint8Array(32))}=`],
    ['standard base64 characters', `+${hashToBase64Url(new Uint8Array(32)).slice(1)}`],
    ['31 bytes', hashToBase64Url(new Uint8Array(32)).slice(0, 42)],
    ['stray bits in the last character', `${hashToBase64Url(new Uint8Array(32)).slice(0, 42)}B`],
    ['nothing', ''],
  ])('refuses %s', (_, value) => {
    expect(() => hashFromBase64Url(value)).toThrow(LogEntryError);
  });

  it('refuses to encode a hash that is not 32 bytes', () => {
    expect(() => hashToBase64Url(new Uint8Array(31))).toThrow(RangeError);
  });
});
