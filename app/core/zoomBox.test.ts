// Expected values computed with the reference Python (re + int) on the same strings.
import { describe, expect, it } from 'vitest';
import { parseZoom, parseZoomBox } from './zoomBox';

describe('parseZoomBox: Python semantics', () => {
  it('reads Unicode digits as Python int() does', () => {
    expect(parseZoomBox('<zoom>[\u0661\u0662, 2, 3, 4]</zoom>')).toEqual([12, 2, 3, 4]); // Arabic-Indic 1 2
    expect(parseZoomBox('<zoom>[\u{1D7D9}, 2, 3, \u{1D7CE}]</zoom>')).toEqual([1, 2, 3, 0]); // mathematical double-struck 1, bold 0
  });

  it("uses Python's whitespace set, not JavaScript's", () => {
    expect(parseZoomBox('<zoom>[1,\x1c2, 3, 4]</zoom>')).toEqual([1, 2, 3, 4]); // U+001C is Python whitespace
    expect(parseZoomBox('<zoom>[1, 2, 3, 4]\x85</zoom>')).toEqual([1, 2, 3, 4]); // NEL too
    expect(parseZoomBox('<zoom>[1,\ufeff2, 3, 4]</zoom>')).toBeNull(); // BOM is JS whitespace only
  });

  it('takes the first zoom tag, non-greedy, across newlines', () => {
    expect(parseZoomBox('<zoom><zoom>[1, 2, 3, 4]</zoom></zoom>')).toEqual([1, 2, 3, 4]);
    expect(parseZoomBox('<zoom>[5, 6, 7, 8]\n</zoom> then <zoom>[1, 2, 3, 4]</zoom>')).toEqual([5, 6, 7, 8]);
    expect(parseZoomBox('<zoom>bad</zoom><zoom>[1, 2, 3, 4]</zoom>')).toBeNull();
  });

  it('rejects what the reference rejects', () => {
    for (const text of [
      '',
      '<zoom>[1.5, 2, 3, 4]</zoom>',
      '<zoom>[-1, 2, 3, 4]</zoom>',
      '<zoom>[1, 2, 3, 4]', // unclosed
      '<zoom>[1 , 2, 3, 4]</zoom>', // space before the comma
      '<zoom>(1, 2, 3, 4)</zoom>',
      '<zoom>[1, 2, 3, 4, 5]</zoom>',
    ]) {
      expect(parseZoomBox(text), JSON.stringify(text)).toBeNull();
    }
  });

  it('matches the reference on edge cases (CPython 3.11 re.search / re.match / re.findall + int)', () => {
    const cases: [text: string, expected: readonly number[] | null][] = [
      ['<zoom></zoom>', null],
      ['<zoom>   </zoom>', null],
      ['<zoom>[1,2,3,4]</zoom>', [1, 2, 3, 4]], // \s* allows no space at all
      ['<zoom>  [1,   2,\t3,\n4]  </zoom>', [1, 2, 3, 4]], // any whitespace run after a comma, newlines too
      ['<zoom>[1,\r\n2, 3, 4]</zoom>', [1, 2, 3, 4]],
      ['<zoom>\n\n[1, 2, 3, 4]\n\n</zoom>', [1, 2, 3, 4]],
      ['<zoom>[ 1, 2, 3, 4]</zoom>', null], // no whitespace allowed after "["
      ['<zoom>1, 2, 3, 4</zoom>', null], // missing brackets
      ['<zoom>[1, 2, 3, 4</zoom>', null], // missing closing bracket
      ['<zoom>[1, 2, 3, 4]]</zoom>', [1, 2, 3, 4]], // not whole, but exactly one box inside
      ['<zoom>[[1, 2, 3, 4]]</zoom>', [1, 2, 3, 4]],
      ['<zoom>box: [1, 2, 3, 4].</zoom>', [1, 2, 3, 4]],
      ['<zoom>[1, 2, 3, 4][5, 6, 7, 8]</zoom>', null], // two boxes
      ['<zoom>[1, 2, 3, +4]</zoom>', null],
      ['<zoom>[1e3, 2, 3, 4]</zoom>', null],
      ['<zoom>[1_000, 2, 3, 4]</zoom>', null], // int() would take "1_000", \d does not
      ['<zoom>[0x10, 2, 3, 4]</zoom>', null],
      ['<zoom>[007, 0, 00, 10]</zoom>', [7, 0, 0, 10]], // leading zeros: int('007') = 7
      ['<zoom>[\u0967\u0966, \u09e8, \u0e53, \uff14\uff12]</zoom>', [10, 2, 3, 42]], // Devanagari 10, Bengali 2, Thai 3, fullwidth 42
      ['<zoom>[\u{116c1}, 2, 3, 4]</zoom>', [1, 2, 3, 4]], // TAKRI DIGIT ONE (astral)
      ['<zoom>[\u{1f7e1}, 2, 3, 4]</zoom>', null], // an emoji, not a digit
      ['<zoom>[\u{11f51}, 2, 3, 4]</zoom>', null], // KAWI DIGIT ONE: Unicode 15, not a digit for the reference
      ['<zoom>[1, 2, 3, 4]</zoom', null], // unclosed
      ['<zoom>[1, 2, 3, 4]</Zoom>', null], // tags are case-sensitive
      ['< zoom>[1, 2, 3, 4]</zoom>', null],
      ['</zoom><zoom>[1, 2, 3, 4]</zoom>', [1, 2, 3, 4]], // a stray closing tag first
      ['<zoom>[1, 2, 3, 4]\u2003</zoom>', [1, 2, 3, 4]], // EM SPACE is Python whitespace
      ['<zoom>[1, 2, 3, 4]\ufeff</zoom>', [1, 2, 3, 4]], // BOM is not, but the box is the only one inside
      ['<zoom>[1,\u00a0\u00a02, 3, 4]</zoom>', [1, 2, 3, 4]],
      ['<zoom>[1, 2, 3, 4]</zoom>\n<zoom>[5, 6, 7, 8]</zoom>', [1, 2, 3, 4]], // first tag wins
      // int() keeps 12345678901234567890123 exact; as a double it is 1.2345678901234568e+22 (float(int(..)))
      ['<zoom>[12345678901234567890123, 2, 3, 4]</zoom>', [1.2345678901234568e22, 2, 3, 4]],
    ];
    for (const [text, expected] of cases) expect(parseZoomBox(text), JSON.stringify(text)).toEqual(expected);
  });

  it('says why no box came out', () => {
    expect(parseZoom('I cannot tell.')).toEqual({ kind: 'none', reason: 'no-zoom' });
    expect(parseZoom('<zoom>[1, 2]</zoom>')).toEqual({ kind: 'none', reason: 'malformed' });
    expect(parseZoom('<zoom>[1, 2, 3, 4] or [5, 6, 7, 8]</zoom>')).toEqual({ kind: 'none', reason: 'malformed' });
    expect(parseZoom('<think>x</think><zoom>[10, 20, 30, 40]</zoom>')).toEqual({ kind: 'box', box: [10, 20, 30, 40] });
  });

  it('returns reversed and huge boxes as written (the crop decides)', () => {
    expect(parseZoomBox('<zoom>[300, 400, 10, 20]</zoom>')).toEqual([300, 400, 10, 20]);
    expect(parseZoomBox('<zoom>[0, 0, 999999999999, 5]</zoom>')).toEqual([0, 0, 999999999999, 5]);
  });
});
