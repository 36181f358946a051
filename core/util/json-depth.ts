// How deep JSON text nests, found by one scan of the text (no parse, no recursion): input nested
// deeper than any legitimate document is refused before anything recursive (the parsers with
// positions, the checks, JSON.stringify of copies) can run out of stack on it.

/** The nesting no document or request body of ours needs to exceed. */
export const MAX_JSON_DEPTH = 64;

/**
 * The offset of the first `[` or `{` that opens a level deeper than `max` (brackets inside
 * strings do not count), or -1 when the text never nests that deep. The text need not be valid
 * JSON: unclosed brackets count as open.
 */
export function deeperThan(text: string, max: number = MAX_JSON_DEPTH): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return i;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return -1;
}
