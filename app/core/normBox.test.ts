import { describe, expect, it } from 'vitest';
import { cropRect } from './crop';
import { boxIn } from './geometry';
import { coarseToNorm, normToCoarse } from './normBox';

describe('0-1000 normalized boxes', () => {
  it('maps to coarse pixels and back', () => {
    // 250/1000 * 840 = 210, 500/1000 * 588 = 294
    expect(normToCoarse(boxIn('norm1000', [250, 500, 1000, 1000]), { width: 840, height: 588 })).toEqual([210, 294, 840, 588]);
    expect(coarseToNorm(boxIn('coarse', [210, 294, 840, 588]), { width: 840, height: 588 })).toEqual([250, 500, 1000, 1000]);
  });

  it('keeps fractions so the crop truncates once, in the original frame', () => {
    // 333/1000 * 840 = 279.72; 667/1000 * 840 = 560.28
    const box = normToCoarse(boxIn('norm1000', [333, 0, 667, 1000]), { width: 840, height: 588 });
    expect(box[0]).toBeCloseTo(279.72, 10);
    expect(box[2]).toBeCloseTo(560.28, 10);
    // sx = 2246/840: 279.72 * sx = 747.918 -> 747; 560.28 * sx = 1498.082 -> 1498 (as 333/1000 and 667/1000 of 2246)
    expect(cropRect(box, { width: 2246, height: 1582 }, { width: 840, height: 588 })).toEqual({ x1: 747, y1: 0, x2: 1498, y2: 1582 });
  });
});
