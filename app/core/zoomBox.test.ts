// Expected values computed with the reference Python (re + int) on the same strings.
import { describe, expect, it } from 'vitest';
import { parseZoom, parseZoomBox } from './zoomBox';
import { normToCoarse, coarseToNorm } from './normBox';
import { parseUnicodeInt, pyStrip } from './pythonText';

describe('parseZoomBox: Python semantics', () => {
  it('reads Unicode digits as Python int() does', () => {
    expect(parseZoomBox('<zoom>[\u0661\u0662, 2, 3, 4]</zoom>')).toEqual([12, 2, 3, 4]); // Arabic-Indic 1 2
    expect(parseZoomBox('<zoom>[\u{1D7D9}, 2, 3, \u{1D7CE}]</zoom>')).toEqual([1, 2, 3, 0]); // mathematical double-struck 1, bold 0
    expect(parseUnicodeInt('\uff10\uff17')).toBe(7); // fullwidth "07"
  });

  it("uses Python's whitespace set, not JavaScript's", () => {
    expect(parseZoomBox('<zoom>[1,\x1c2, 3, 4]</zoom>')).toEqual([1, 2, 3, 4]); // U+001C is Python whitespace
    expect(parseZoomBox('<zoom>[1, 2, 3, 4]\x85</zoom>')).toEqual([1, 2, 3, 4]); // NEL too
    expect(parseZoomBox('<zoom>[1,\ufeff2, 3, 4]</zoom>')).toBeNull(); // BOM is JS whitespace only
    expect(pyStrip('\ufeff x \x1c')).toBe('\ufeff x');
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

describe('0-1000 normalized boxes', () => {
  it('maps to coarse pixels and back', () => {
    // 250/1000 * 840 = 210, 500/1000 * 588 = 294
    expect(normToCoarse([250, 500, 1000, 1000], { width: 840, height: 588 })).toEqual([210, 294, 840, 588]);
    expect(coarseToNorm([210, 294, 840, 588], { width: 840, height: 588 })).toEqual([250, 500, 1000, 1000]);
  });
});
