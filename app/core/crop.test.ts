import { describe, expect, it } from 'vitest';
import { cropRect } from './crop';
import { boxIn } from './geometry';

const original = { width: 3840, height: 2160 };
const coarse = { width: 1344, height: 756 }; // ergoSmartResize(2160, 3840)

describe('cropRect', () => {
  it('scales by original/coarse and truncates', () => {
    // sx = 3840/1344 = 2.857142..., sy = 2160/756 = 2.857142...; 100*sx = 285.71 -> 285, 700*sx = 2000
    expect(cropRect(boxIn('coarse', [100, 100, 700, 500]), original, coarse)).toEqual({ x1: 285, y1: 285, x2: 2000, y2: 1428 });
  });

  it('clamps huge boxes to the image and never pads', () => {
    expect(cropRect(boxIn('coarse', [0, 0, 1e9, 1e9]), original, coarse)).toEqual({ x1: 0, y1: 0, x2: 3840, y2: 2160 });
    expect(cropRect(boxIn('coarse', [1344, 0, 2000, 10]), original, coarse)).toBeNull(); // starts at the right edge: empty
  });

  it('maps boxes on the coarse edges onto the original edges', () => {
    // 1344 * (3840/1344) = 3840.0, 756 * (2160/756) = 2160.0: the whole image
    expect(cropRect(boxIn('coarse', [0, 0, 1344, 756]), original, coarse)).toEqual({ x1: 0, y1: 0, x2: 3840, y2: 2160 });
    // last coarse pixel: 1343 * sx = 3837.14 -> 3837, 755 * sy = 2157.14 -> 2157
    expect(cropRect(boxIn('coarse', [1343, 755, 1344, 756]), original, coarse)).toEqual({ x1: 3837, y1: 2157, x2: 3840, y2: 2160 });
    // first coarse pixel: 1 * sx = 2.857 -> 2
    expect(cropRect(boxIn('coarse', [0, 0, 1, 1]), original, coarse)).toEqual({ x1: 0, y1: 0, x2: 2, y2: 2 });
    // starts on the bottom edge: y1 = 756 * sy = 2160 = H, so b <= t
    expect(cropRect(boxIn('coarse', [0, 756, 1344, 800]), original, coarse)).toBeNull();
    // a box entirely past the image: x1 clamps to W as well
    expect(cropRect(boxIn('coarse', [1e30, 0, 1e31, 10]), original, coarse)).toBeNull();
  });

  it('is null for reversed, zero-width and sub-pixel boxes', () => {
    expect(cropRect(boxIn('coarse', [500, 100, 100, 500]), original, coarse)).toBeNull();
    expect(cropRect(boxIn('coarse', [100, 100, 100, 500]), original, coarse)).toBeNull();
    // 1x1 original seen as 56x56: sx = 1/56; [0, 0, 28, 28] -> [0, 0, 0.5, 0.5] -> truncated to 0: empty
    expect(cropRect(boxIn('coarse', [0, 0, 28, 28]), { width: 1, height: 1 }, { width: 56, height: 56 })).toBeNull();
    expect(cropRect(boxIn('coarse', [0, 0, 56, 56]), { width: 1, height: 1 }, { width: 56, height: 56 })).toEqual({ x1: 0, y1: 0, x2: 1, y2: 1 });
    // [27, 27, 29, 29] -> [0.48, 0.48, 0.52, 0.52] -> [0, 0, 0, 0]: inside the one pixel, but empty after truncation
    expect(cropRect(boxIn('coarse', [27, 27, 29, 29]), { width: 1, height: 1 }, { width: 56, height: 56 })).toBeNull();
  });
});
