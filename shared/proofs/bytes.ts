/** The byte framing of protocol v2 (spec: "Notation"): `u32be`, `item` and concatenation. */

const utf8 = new TextEncoder();

export function u32be(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > 0xffff_ffff)
    throw new RangeError('u32be needs an integer in [0, 2³²).');
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, n);
  return bytes;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((length, part) => length + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** item(x) = u32be(len(x)) ‖ x; a string is its UTF-8 bytes. */
export function item(x: Uint8Array | string): Uint8Array {
  const bytes = typeof x === 'string' ? utf8.encode(x) : x;
  return concatBytes([u32be(bytes.length), bytes]);
}
