// Bytes → text, strictly: a byte that is not UTF-8 is an error at its line and column, never
// a silent U+FFFD (which a later rewrite of the file would then write back as a different
// byte). A leading BOM is kept, so a file written back keeps it too.

export type Utf8Result =
  { ok: true; text: string } | { ok: false; offset: number; line: number; col: number; byte: number };

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export function decodeUtf8(bytes: Uint8Array): Utf8Result {
  try {
    return { ok: true, text: decoder.decode(bytes) };
  } catch {
    const offset = firstInvalidByte(bytes);
    // Everything before the bad byte is valid, so it decodes; columns count UTF-16 units as
    // the YAML parser's positions do.
    const before = decoder.decode(bytes.subarray(0, offset));
    const lineStart = before.lastIndexOf("\n") + 1;
    const line = before.split("\n").length;
    return { ok: false, offset, line, col: before.length - lineStart + 1, byte: bytes[offset] ?? 0 };
  }
}

/** The offset of the first byte that does not start or continue a valid UTF-8 sequence. */
export function firstInvalidByte(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const length = sequenceLength(bytes, i);
    if (length === 0) return i;
    i += length;
  }
  return bytes.length;
}

/** Length of the valid sequence at `i` (RFC 3629: no overlongs, surrogates or > U+10FFFF), or 0. */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i]!;
  if (b0 < 0x80) return 1;
  const tail = (at: number, low = 0x80, high = 0xbf) => {
    const b = bytes[i + at];
    return b !== undefined && b >= low && b <= high;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) return tail(1) ? 2 : 0;
  if (b0 === 0xe0) return tail(1, 0xa0) && tail(2) ? 3 : 0;
  if (b0 === 0xed) return tail(1, 0x80, 0x9f) && tail(2) ? 3 : 0;
  if (b0 >= 0xe1 && b0 <= 0xef) return tail(1) && tail(2) ? 3 : 0;
  if (b0 === 0xf0) return tail(1, 0x90) && tail(2) && tail(3) ? 4 : 0;
  if (b0 >= 0xf1 && b0 <= 0xf3) return tail(1) && tail(2) && tail(3) ? 4 : 0;
  if (b0 === 0xf4) return tail(1, 0x80, 0x8f) && tail(2) && tail(3) ? 4 : 0;
  return 0;
}

export function describeBadByte(result: { byte: number; line: number; col: number }): string {
  const hex = result.byte.toString(16).toUpperCase().padStart(2, "0");
  return `not UTF-8 text: byte 0x${hex} at line ${result.line}, column ${result.col} (save the file as UTF-8)`;
}
