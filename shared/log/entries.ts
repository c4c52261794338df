/**
 * What the transparency log holds: one entry per served model (a v2 catalog entry) or web release,
 * and its leaf bytes, the UTF-8 of its RFC 8785 canonical JSON (JCS), so that anyone holding the
 * same entry computes the same RFC 9162 leaf hash.
 */

import { base64urlnopad } from '@scure/base';
import canonicalize from 'canonicalize';
import type { Hash } from './merkle.js';

export type LogEntry =
  /** A v2 catalog entry without its `log` member (which points back into the log). */
  | { readonly kind: 'model'; readonly entry: Readonly<Record<string, unknown>> }
  /** A web release: "/path" → lowercase hex SHA-256 of the file served there. */
  | { readonly kind: 'web'; readonly release: string; readonly files: Readonly<Record<string, string>> };

/** A value that is not a log entry; the message names what is wrong. */
export class LogEntryError extends Error {
  override readonly name = 'LogEntryError';
}

const HASH_BYTES = 32;
const SHA256_HEX = /^[0-9a-f]{64}$/;
const utf8 = new TextEncoder();

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function entryBytes(entry: LogEntry): Uint8Array {
  let json: string | undefined;
  try {
    json = canonicalize(entry);
  } catch (error) {
    // JCS refuses what JSON cannot carry exactly: NaN, infinities, lone surrogates, cycles.
    throw new LogEntryError(`the log entry has no canonical JSON (${(error as Error).message})`);
  }
  if (json === undefined) throw new LogEntryError('the log entry has no canonical JSON');
  return utf8.encode(json);
}

export function modelLogEntry(catalogEntry: Readonly<Record<string, unknown>>): LogEntry {
  if (!isRecord(catalogEntry)) throw new LogEntryError('a catalog entry is a JSON object');
  // The `log` member says where the entry sits in the log, so it cannot be part of what is logged.
  const { log: _log, ...entry } = catalogEntry;
  return { kind: 'model', entry };
}

function checkMembers(value: Record<string, unknown>, expected: readonly string[]): void {
  const keys = Object.keys(value);
  const unknown = keys.find((key) => !expected.includes(key));
  if (unknown !== undefined)
    throw new LogEntryError(`a ${String(value.kind)} log entry has an unknown member "${unknown}"`);
  const missing = expected.find((key) => !keys.includes(key));
  if (missing !== undefined) throw new LogEntryError(`a ${String(value.kind)} log entry has no "${missing}"`);
}

/** Checks a log entry read from JSON, exactly: its kind, its members and their shapes. */
export function parseLogEntry(value: unknown): LogEntry {
  if (!isRecord(value)) throw new LogEntryError('a log entry is a JSON object');
  if (value.kind === 'model') {
    checkMembers(value, ['kind', 'entry']);
    const { entry } = value;
    if (!isRecord(entry)) throw new LogEntryError("a model log entry's entry is not a JSON object");
    if ('log' in entry) throw new LogEntryError("a model log entry's entry has a log member");
    return { kind: 'model', entry };
  }
  if (value.kind === 'web') {
    checkMembers(value, ['kind', 'release', 'files']);
    const { release, files } = value;
    if (typeof release !== 'string' || release === '')
      throw new LogEntryError('a web log entry has an empty release');
    if (!isRecord(files)) throw new LogEntryError("a web log entry's files is not a JSON object");
    for (const [path, hash] of Object.entries(files)) {
      if (!path.startsWith('/'))
        throw new LogEntryError(`the web log entry's file path "${path}" does not start with /`);
      if (typeof hash !== 'string' || !SHA256_HEX.test(hash))
        throw new LogEntryError(`the hash of ${path} is not 64 lowercase hex digits`);
    }
    return { kind: 'web', release, files: files as Record<string, string> };
  }
  throw new LogEntryError('a log entry is of kind "model" or "web"');
}

export function hashToBase64Url(h: Hash): string {
  if (!(h instanceof Uint8Array) || h.length !== HASH_BYTES) throw new RangeError('A hash is 32 bytes.');
  return base64urlnopad.encode(h);
}

export function hashFromBase64Url(s: string): Hash {
  let bytes: Uint8Array;
  try {
    bytes = base64urlnopad.decode(s);
  } catch {
    throw new LogEntryError('a hash is not canonical unpadded base64url');
  }
  if (bytes.length !== HASH_BYTES) throw new LogEntryError('a hash is not 32 bytes');
  return bytes;
}
