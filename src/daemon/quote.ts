/**
 * Untrusted text (nicknames, versions, fields: anything from the network) made safe to
 * print in a log line or a terminal.
 */

/** Longest untrusted string shown in a message; the JSON field holds it whole. */
export const MAX_QUOTED_CHARS = 64

/**
 * An untrusted string for a log message: in double quotes, cut at MAX_QUOTED_CHARS,
 * with quotes, backslashes and every non-printing or direction-changing character escaped.
 */
export function quote (text: string, max = MAX_QUOTED_CHARS): string {
  const chars = [...text]
  const cut = chars.length > max ? chars.slice(0, max).join('') + '…' : text
  // \p{C}: control, format (incl. bidi overrides), private use, unassigned, surrogates; \p{Z} but space: line/paragraph separators
  return `"${cut.replace(/[\\"\p{C}\p{Zl}\p{Zp}]|(?! )\p{Zs}/gu, c => c === '\\' || c === '"' ? `\\${c}` : `\\u{${c.codePointAt(0)?.toString(16)}}`)}"`
}
