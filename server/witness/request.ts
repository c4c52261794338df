/**
 * The body of C2SP tlog-witness `add-checkpoint`, decoded and checked at the edge: an `old <size>` line,
 * up to 63 consistency-proof lines (standard base64 of one 32-byte hash each), an empty line, then the
 * signed checkpoint note. Each line ends in U+000A. Anything else is a 400; the note itself is parsed by
 * the signed-note code, which rejects what the note spec forbids.
 */

import type { Hash } from '../../shared/log/merkle.js';

/** tlog-witness: "The client MUST NOT send more than 63 consistency proof lines." */
export const MAX_PROOF_LINES = 63;

export interface AddCheckpointRequest {
  readonly oldSize: number;
  readonly proof: readonly Hash[];
  /** The signed checkpoint note, as sent. */
  readonly note: string;
}

export class MalformedRequestError extends Error {
  override readonly name = 'MalformedRequestError';
}

// ASCII decimal without leading zeroes ("0" alone for zero).
const SIZE_PATTERN = /^(0|[1-9][0-9]{0,15})$/;
// 32 bytes in standard base64 are 43 characters and one pad; the last character carries 2 spare bits,
// which canonical base64 leaves zero (RFC 4648 §3.5), so only these 16 are allowed there.
const HASH_PATTERN = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

// Fatal: a signed note MUST be valid UTF-8 (C2SP signed-note), and a replacement character would
// silently change the signed bytes.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Parses a decimal tree size as the tlog specs write it; undefined if it is not one. */
export function parseTreeSize(text: string): number | undefined {
  if (!SIZE_PATTERN.test(text)) return undefined;
  const size = Number(text);
  return Number.isSafeInteger(size) ? size : undefined;
}

function parseHash(line: string): Hash {
  if (!HASH_PATTERN.test(line)) {
    throw new MalformedRequestError('A consistency proof line is not the base64 of a 32-byte hash.');
  }
  return new Uint8Array(Buffer.from(line, 'base64'));
}

export function parseAddCheckpointRequest(body: Uint8Array): AddCheckpointRequest {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new MalformedRequestError('The body is not UTF-8.');
  }
  // The header lines are never empty, so the first empty line ends them.
  const headerEnd = text.indexOf('\n\n');
  if (headerEnd < 0) {
    throw new MalformedRequestError(
      'The body needs an old size line, proof lines, an empty line, then the checkpoint.',
    );
  }
  const [oldLine = '', ...proofLines] = text.slice(0, headerEnd).split('\n');
  const note = text.slice(headerEnd + 2);
  if (!oldLine.startsWith('old ')) throw new MalformedRequestError('The first line must be "old <size>".');
  const oldSize = parseTreeSize(oldLine.slice('old '.length));
  if (oldSize === undefined) {
    throw new MalformedRequestError('The old size must be a decimal number without leading zeroes.');
  }
  if (proofLines.length > MAX_PROOF_LINES) {
    throw new MalformedRequestError(`At most ${MAX_PROOF_LINES} consistency proof lines are allowed.`);
  }
  return { oldSize, proof: proofLines.map(parseHash), note };
}
