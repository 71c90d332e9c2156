/**
 * Python 3 `str` semantics that ERGO's reference code relies on and JavaScript lacks. The sets are
 * pinned to the reference interpreter (CPython 3.11, Unicode 14.0) instead of taken from the JS
 * engine, whose Unicode version varies between Node and browsers.
 */

/**
 * Python's `\s` / `str.isspace()` / what `str.strip()` removes, as a regex character-class body.
 * JavaScript's `\s` differs: it has U+FEFF and lacks U+001C-U+001F and U+0085.
 */
export const PY_SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

/**
 * Code points of Python's `\d` / `str.isdecimal()` (category Nd, Unicode 14.0: 660 digits), as
 * inclusive ranges. `\p{Nd}` is not used: Node 20's Unicode 17 has 110 more (Kawi, Garay, ...),
 * which the reference does not read as digits. Each range is whole runs of ten ordered 0 to 9 (a
 * Unicode stability guarantee), which is how a digit's value is found.
 */
const PY_DIGIT_RANGES: readonly (readonly [first: number, last: number])[] = [
  [0x30, 0x39], [0x660, 0x669], [0x6f0, 0x6f9], [0x7c0, 0x7c9], [0x966, 0x96f], [0x9e6, 0x9ef],
  [0xa66, 0xa6f], [0xae6, 0xaef], [0xb66, 0xb6f], [0xbe6, 0xbef], [0xc66, 0xc6f], [0xce6, 0xcef],
  [0xd66, 0xd6f], [0xde6, 0xdef], [0xe50, 0xe59], [0xed0, 0xed9], [0xf20, 0xf29], [0x1040, 0x1049],
  [0x1090, 0x1099], [0x17e0, 0x17e9], [0x1810, 0x1819], [0x1946, 0x194f], [0x19d0, 0x19d9], [0x1a80, 0x1a89],
  [0x1a90, 0x1a99], [0x1b50, 0x1b59], [0x1bb0, 0x1bb9], [0x1c40, 0x1c49], [0x1c50, 0x1c59], [0xa620, 0xa629],
  [0xa8d0, 0xa8d9], [0xa900, 0xa909], [0xa9d0, 0xa9d9], [0xa9f0, 0xa9f9], [0xaa50, 0xaa59], [0xabf0, 0xabf9],
  [0xff10, 0xff19], [0x104a0, 0x104a9], [0x10d30, 0x10d39], [0x11066, 0x1106f], [0x110f0, 0x110f9],
  [0x11136, 0x1113f], [0x111d0, 0x111d9], [0x112f0, 0x112f9], [0x11450, 0x11459], [0x114d0, 0x114d9],
  [0x11650, 0x11659], [0x116c0, 0x116c9], [0x11730, 0x11739], [0x118e0, 0x118e9], [0x11950, 0x11959],
  [0x11c50, 0x11c59], [0x11d50, 0x11d59], [0x11da0, 0x11da9], [0x16a60, 0x16a69], [0x16ac0, 0x16ac9],
  [0x16b50, 0x16b59], [0x1d7ce, 0x1d7ff], [0x1e140, 0x1e149], [0x1e2f0, 0x1e2f9], [0x1e950, 0x1e959],
  [0x1fbf0, 0x1fbf9],
];

const escape = (codePoint: number): string => `\\u{${codePoint.toString(16)}}`;

/** Python's `\d` for `str` patterns, as a regex character-class body. Needs the `u` flag. */
export const PY_DIGIT = PY_DIGIT_RANGES.map(([first, last]) => `${escape(first)}-${escape(last)}`).join('');

/** Value 0-9 of a Python decimal digit, undefined for any other code point. */
function digitValue(codePoint: number): number | undefined {
  const range = PY_DIGIT_RANGES.find(([first, last]) => codePoint >= first && codePoint <= last);
  return range && (codePoint - range[0]) % 10;
}

/**
 * Python's `float(int(s))` for a string of Python decimal digits (as matched by `[PY_DIGIT]+`):
 * exact up to 2^53, beyond that the nearest double, as Python's `int * float` arithmetic in the
 * crop sees it. Going through an ASCII string keeps that rounding correct, where accumulating
 * `value * 10 + digit` would round at every step. `Infinity` past 1.8e308 (Python raises
 * OverflowError there, and `int()` itself refuses more than 4300 digits). NaN for an empty string
 * or a non-digit.
 */
export function parseUnicodeInt(digits: string): number {
  let ascii = '';
  for (const char of digits) {
    const value = digitValue(char.codePointAt(0)!);
    if (value === undefined) return NaN;
    ascii += value;
  }
  return ascii === '' ? NaN : Number(ascii);
}

const EDGE_SPACE = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'g');

/** Python's `str.strip()` with no argument (JavaScript's `trim` has a different whitespace set). */
export function pyStrip(text: string): string {
  return text.replace(EDGE_SPACE, '');
}
