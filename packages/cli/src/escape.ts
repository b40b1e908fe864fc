/**
 * Escaping of untrusted text before it reaches a log or a terminal. A client chooses names, paths
 * and messages; written raw, a newline forges a log line and ESC/CSI (or a C1 control such as
 * 0x9b) drives the reader's terminal. Every C0 control (tab and newline included), DEL, every C1
 * control, the Unicode line/paragraph separators and the bidirectional overrides become visible
 * escapes: `\n`, `\r`, `\t`, `\xNN` (up to 0xff) or `\uNNNN`. Backslash itself is left alone, so
 * escaping is idempotent (text that went through a log line's escaping and a name's escaping reads
 * the same) and no escape can produce a control character.
 */

// C0, DEL, C1, U+2028/2029 (line breaks for some readers), U+202A-202E and U+2066-2069 (bidi
// embeddings/overrides/isolates, "Trojan source").
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeOne(c: string): string {
  const short = SHORT[c];
  if (short) return short;
  const n = c.charCodeAt(0);
  return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
}

/** `s` with every control character (see the module doc) replaced by a visible escape. */
export function escapeControl(s: string): string {
  return s.replace(UNSAFE, escapeOne);
}
