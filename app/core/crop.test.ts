import { describe, expect, it } from 'vitest';
import { cropRect } from './crop';

const original = { width: 3840, height: 2160 };
const coarse = { width: 1344, height: 756 }; // ergoSmartResize(2160, 3840)

describe('cropRect', () => {
  it('scales by original/coarse and truncates', () => {
    // sx = 3840/1344 = 2.857142..., sy = 2160/756 = 2.857142...; 100*sx = 285.71 -> 285, 700*sx = 2000
    expect(cropRect([100, 100, 700, 500], original, coarse)).toEqual({ x1: 285, y1: 285, x2: 2000, y2: 1428 });
  });

  it('clamps huge boxes to the image and never pads', () => {
    expect(cropRect([0, 0, 1e9, 1e9], original, coarse)).toEqual({ x1: 0, y1: 0, x2: 3840, y2: 2160 });
    expect(cropRect([1344, 0, 2000, 10], original, coarse)).toBeNull(); // starts at the right edge: empty
  });

  it('is null for reversed, zero-width and sub-pixel boxes', () => {
    expect(cropRect([500, 100, 100, 500], original, coarse)).toBeNull();
    expect(cropRect([100, 100, 100, 500], original, coarse)).toBeNull();
    // 1x1 original seen as 56x56: sx = 1/56; [0, 0, 28, 28] -> [0, 0, 0.5, 0.5] -> truncated to 0: empty
    expect(cropRect([0, 0, 28, 28], { width: 1, height: 1 }, { width: 56, height: 56 })).toBeNull();
    expect(cropRect([0, 0, 56, 56], { width: 1, height: 1 }, { width: 56, height: 56 })).toEqual({ x1: 0, y1: 0, x2: 1, y2: 1 });
  });
});
