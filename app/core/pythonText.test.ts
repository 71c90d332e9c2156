// Expected values printed by CPython 3.11.2 (Unicode 14.0), the reference interpreter.
import { describe, expect, it } from 'vitest';
import { parseUnicodeInt, PY_DIGIT, PY_SPACE, pyStrip } from './pythonText';

const MAX_CODE_POINT = 0x10ffff;

/** Every code point (lone surrogates included) for which `pattern` matches the whole one-character string. */
function codePointsMatching(pattern: RegExp): number[] {
  const found: number[] = [];
  for (let codePoint = 0; codePoint <= MAX_CODE_POINT; codePoint += 1) {
    if (pattern.test(String.fromCodePoint(codePoint))) found.push(codePoint);
  }
  return found;
}

describe('PY_SPACE', () => {
  it("is exactly Python's str.isspace() set over all code points", () => {
    // [c for c in range(0x110000) if chr(c).isspace()] (the same list re's \s and str.strip() use)
    const python = [
      0x9, 0xa, 0xb, 0xc, 0xd, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003,
      0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
    ];
    expect(codePointsMatching(new RegExp(`^[${PY_SPACE}]$`, 'u'))).toEqual(python);
  });
});

describe('PY_DIGIT', () => {
  const digits = codePointsMatching(new RegExp(`^[${PY_DIGIT}]$`, 'u'));

  it("is Python's \\d set (category Nd, Unicode 14.0), not the JS engine's \\p{Nd}", () => {
    // len(nd) = 660 and sum(nd) = 30806570 for nd = [c for c in range(0x110000) if unicodedata.category(chr(c)) == 'Nd']
    expect(digits.length).toBe(660);
    expect(digits.reduce((sum, codePoint) => sum + codePoint, 0)).toBe(30806570);
    expect(digits).not.toContain(0x11f51); // KAWI DIGIT ONE: Unicode 15, \p{Nd} in Node 20, not a digit for Python 3.11
    expect(digits).toContain(0x16ac1); // TANGSA DIGIT ONE: Unicode 14
  });

  it('reads every digit as int() does: position in its run of ten', () => {
    // all(int(chr(c)) == unicodedata.decimal(chr(c)) == (position in run) for c in nd)
    const values = digits.map((codePoint) => parseUnicodeInt(String.fromCodePoint(codePoint)));
    expect(values).toEqual(digits.map((_, i) => i % 10));
  });
});

describe('parseUnicodeInt', () => {
  it("gives Python's float(int(s))", () => {
    expect(parseUnicodeInt('\uff10\uff17')).toBe(7); // fullwidth "07"
    expect(parseUnicodeInt('\u0661\u0662\u0663')).toBe(123); // Arabic-Indic
    expect(parseUnicodeInt('\u{1d7d9}\u{1d7ce}')).toBe(10); // mathematical double-struck 1, bold 0
    // Past 2^53 the nearest double: float(9007199254740993) = 9007199254740992.0
    expect(parseUnicodeInt('9007199254740993')).toBe(9007199254740992);
    // float(93974290130401534189774) = 9.397429013040154e+22; digit-by-digit accumulation gives ...152e+22
    expect(parseUnicodeInt('93974290130401534189774')).toBe(9.397429013040154e22);
    expect(parseUnicodeInt('\u0669'.repeat(20))).toBe(1e20); // float(int('٩' * 20)) = 1e+20
  });

  it('is NaN for what int() would refuse', () => {
    expect(parseUnicodeInt('')).toBeNaN();
    expect(parseUnicodeInt('1a')).toBeNaN();
    expect(parseUnicodeInt('\u{11f51}')).toBeNaN(); // Kawi digit: not a digit for the reference
  });
});

describe('pyStrip', () => {
  it("strips Python's whitespace, not JavaScript's", () => {
    expect(pyStrip('\ufeff x \x1c')).toBe('\ufeff x'); // U+FEFF is not Python whitespace, U+001C is
    expect(pyStrip('\x1c\x1d\x1e\x1f\x85 A \u3000\u2029')).toBe('A');
    expect(pyStrip('\u200b B \u200b')).toBe('\u200b B \u200b'); // zero-width space is not whitespace either
    expect(pyStrip('\t\n\v\f\r')).toBe('');
  });
});
