// Expected values are CPython 3.11 round() on the same doubles.
import { describe, expect, it } from 'vitest';
import { roundHalfEven } from './roundHalfEven';

describe('roundHalfEven (Python round)', () => {
  it('rounds exact halves to the even neighbour', () => {
    expect([0.5, 1.5, 2.5, 3.5, 56.5, -1.5].map(roundHalfEven)).toEqual([0, 2, 2, 4, 56, -2]);
    expect([2.4999999999999996, 2.5000000000000004].map(roundHalfEven)).toEqual([2, 3]);
    // Python: round(0.49999999999999994) = 0 (floor(x + 0.5) would give 1); halves near 2^52 stay exact
    expect(roundHalfEven(0.49999999999999994)).toBe(0);
    expect([4503599627370494.5, 4503599627370495.5].map(roundHalfEven)).toEqual([4503599627370494, 4503599627370496]);
  });

  it('rounds the double H/F, as Python does', () => {
    // 238/28 = 8.5 exactly -> 8; 42/28 = 1.5 -> 2; 14/28 = 0.5 -> 0
    expect([238 / 28, 42 / 28, 14 / 28].map(roundHalfEven)).toEqual([8, 2, 0]);
  });
});
