/**
 * Python 3 `str` semantics that ERGO's reference code relies on and JavaScript lacks.
 */

/**
 * Python's `\s` / `str.isspace()`: JavaScript's `\s` differs (it has U+FEFF, lacks U+001C-U+001F
 * and U+0085). As a regex character-class body.
 */
export const PY_SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

/** Python's `\d` for `str` patterns: any Unicode decimal digit (category Nd). Needs the `u` flag. */
export const PY_DIGIT = '\\p{Nd}';

const isDigit = (codePoint: number): boolean => /\p{Nd}/u.test(String.fromCodePoint(codePoint));

/**
 * Value of one Unicode decimal digit, as Python's `int()` reads it. Nd digits come in contiguous
 * runs of ten starting at zero (a Unicode stability guarantee), so the value is the position in
 * the run.
 */
function digitValue(codePoint: number): number {
  let run = 0;
  while (isDigit(codePoint - run - 1)) run += 1;
  return run % 10;
}

/** Python's `int(s)` for a string of Unicode decimal digits (as matched by `PY_DIGIT+`). */
export function parseUnicodeInt(digits: string): number {
  let value = 0;
  for (const char of digits) {
    const code = char.codePointAt(0)!;
    value = value * 10 + (code >= 0x30 && code <= 0x39 ? code - 0x30 : digitValue(code));
  }
  return value;
}

const EDGE_SPACE = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'g');

/** Python's `str.strip()` with no argument (JavaScript's `trim` has a different whitespace set). */
export function pyStrip(text: string): string {
  return text.replace(EDGE_SPACE, '');
}
