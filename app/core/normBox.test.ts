import { describe, expect, it } from 'vitest';
import { coarseToNorm, normToCoarse } from './normBox';

describe('0-1000 normalized boxes', () => {
  it('maps to coarse pixels and back', () => {
    // 250/1000 * 840 = 210, 500/1000 * 588 = 294
    expect(normToCoarse([250, 500, 1000, 1000], { width: 840, height: 588 })).toEqual([210, 294, 840, 588]);
    expect(coarseToNorm([210, 294, 840, 588], { width: 840, height: 588 })).toEqual([250, 500, 1000, 1000]);
  });
});
