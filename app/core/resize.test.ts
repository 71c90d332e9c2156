import { describe, expect, it } from 'vitest';
import { AspectRatioError, budgetPixels, ergoSmartResize, qwenSmartResize } from './resize';

const at = (tokens: number) => ({ maxPixels: budgetPixels(tokens) });

describe('ergoSmartResize', () => {
  it('keeps an image already under budget, rounding half-way sides to even', () => {
    // 1582/28 = 56.5 -> 56 (Math.round would give 57); 2246/28 = 80.21 -> 80. 56*80 = 4480 tokens > 1280,
    // so it is scaled at a 16384 budget only:
    expect(ergoSmartResize(1582, 2246, at(16384))).toEqual({ height: 1568, width: 2240 });
  });

  it('may exceed the budget after a downscale (round, not floor)', () => {
    // beta = sqrt(2160*3840 / 1003520) = 2.8628; 2160/beta/28 = 26.95 -> 27*28 = 756; 3840/beta/28 = 47.9 -> 48*28 = 1344
    const size = ergoSmartResize(2160, 3840);
    expect(size).toEqual({ height: 756, width: 1344 });
    expect((size.height / 28) * (size.width / 28)).toBe(1296); // > 1280
    expect(ergoSmartResize(4320, 7680)).toEqual({ height: 756, width: 1344 });
    expect(ergoSmartResize(2880, 5120, at(640))).toEqual({ height: 532, width: 952 });
  });

  it('scales tiny images up to the 4-token minimum', () => {
    // 1x1: 28x28 = 784 < 3136, beta = sqrt(3136) = 56, ceil(56/28)*28 = 56
    expect(ergoSmartResize(1, 1)).toEqual({ height: 56, width: 56 });
    expect(ergoSmartResize(70, 70)).toEqual({ height: 56, width: 56 });
    // 126x70 -> 112x56 = 8 tokens: above the minimum, no upscale
    expect(ergoSmartResize(126, 70)).toEqual({ height: 112, width: 56 });
    // 14x14: round(0.5) = 0 -> max(28, 0) = 28; 28*28 < 3136, beta = sqrt(3136/196) = 4, ceil(14*4/28) = 2 -> 56
    expect(ergoSmartResize(14, 14)).toEqual({ height: 56, width: 56 });
    // 42x42: round(1.5) = 2 -> 56x56 = 3136, exactly the minimum: kept
    expect(ergoSmartResize(42, 42)).toEqual({ height: 56, width: 56 });
    // 14x238: 28 x round(8.5)*28 = 28x224 = 6272 >= 3136: half-way sides, no upscale
    expect(ergoSmartResize(14, 238)).toEqual({ height: 28, width: 224 });
  });

  it('keeps an area exactly at the budget', () => {
    // 896x1120 = 32*40 = 1280 tokens: not over the budget, unchanged
    expect(ergoSmartResize(896, 1120)).toEqual({ height: 896, width: 1120 });
    // 1036x1120 = 37*40 = 1480 tokens: beta = sqrt(1160320/1003520) = 1.0753; 1036/beta/28 = 34.4 -> 34*28 = 952, 1120/beta/28 = 37.2 -> 37*28 = 1036
    expect(ergoSmartResize(1036, 1120)).toEqual({ height: 952, width: 1036 });
  });

  it('handles extreme aspect ratios without an error (no max(F, ...) in the downscale branch)', () => {
    // 1x10000: max(28, round(0.04)*28) = 28; round(10000/28 = 357.14) = 357 -> 9996; 1*357 tokens, under the budget
    expect(ergoSmartResize(1, 10000)).toEqual({ height: 28, width: 9996 });
    expect(ergoSmartResize(10000, 1)).toEqual({ height: 9996, width: 28 });
    // 50x10000 at 640 tokens: beta = sqrt(500000/501760) = 0.9982, 50/beta/28 = 1.79 -> 56; 10000/beta/28 = 357.8 -> 358*28 = 10024
    expect(ergoSmartResize(50, 10000, at(640))).toEqual({ height: 56, width: 10024 });
  });

  it('gives a zero side past 1:5120, as the reference does (no max(F, ...) on downscale)', () => {
    // 1x100000: 28x100016 = 3572 tokens > 1280; beta = sqrt(100000/1003520) = 0.3157; 1/beta/28 = 0.113 -> 0
    // (Python: (0, 316792)); 14x60000: 14/0.9149/28 = 0.547 -> 1, still a 28-pixel side
    expect(ergoSmartResize(1, 100000)).toEqual({ height: 0, width: 316792 });
    expect(ergoSmartResize(14, 60000)).toEqual({ height: 28, width: 65576 });
  });
});

describe('qwenSmartResize', () => {
  it('floors on downscale, so it never exceeds the cap', () => {
    // 3840x2160 at 16384 tokens: 2156x3836 (77 x 137 tokens = 10549), already under 16384: rounded only.
    expect(qwenSmartResize(2160, 3840)).toEqual({ height: 2156, width: 3836 });
    // 7680x4320: beta = sqrt(33177600/12845056) = 1.607; 4320/beta/28 = 96.0 -> 96*28 = 2688; 7680/beta/28 = 170.7 -> 170*28 = 4760
    expect(qwenSmartResize(4320, 7680)).toEqual({ height: 2688, width: 4760 });
    expect(qwenSmartResize(2160, 3840, at(1280))).toEqual({ height: 728, width: 1316 });
  });

  it('differs from ERGO\'s resize only where flooring and rounding part', () => {
    // 4000x3000 at 1280: beta = sqrt(12e6/1003520) = 3.458; 3000/beta/28 = 30.98: floor 30 -> 840 (ERGO rounds to 31 -> 868)
    expect(qwenSmartResize(4000, 3000, at(1280))).toEqual({ height: 1148, width: 840 });
    expect(ergoSmartResize(4000, 3000, at(1280))).toEqual({ height: 1148, width: 868 });
  });

  it('gives the paper\'s 4480-token direct baseline for a V*-sized image', () => {
    // 2246x1582: 1582/28 = 56.5 -> 56, 2246/28 = 80.2 -> 80: 56*80 = 4480 tokens
    expect(qwenSmartResize(1582, 2246)).toEqual({ height: 1568, width: 2240 });
  });

  it('rejects aspect ratios above 200 with a RangeError, accepts exactly 200', () => {
    expect(() => qwenSmartResize(1, 10000)).toThrow(RangeError);
    expect(() => qwenSmartResize(1, 10000)).toThrow(expect.objectContaining({ code: 'aspect-ratio', message: expect.stringContaining('10000x1') }));
    // 200/1 = 200 is allowed: 28 x round(7.14)*28 = 28x196; 201/1 is not (ERGO's resize still gives 28x196)
    expect(qwenSmartResize(1, 200)).toEqual({ height: 28, width: 196 });
    expect(qwenSmartResize(200, 1)).toEqual({ height: 196, width: 28 });
    expect(() => qwenSmartResize(1, 201)).toThrow(AspectRatioError);
    expect(ergoSmartResize(1, 201)).toEqual({ height: 28, width: 196 });
    expect(() => qwenSmartResize(10000, 49)).toThrow(/aspect ratio/);
    expect(qwenSmartResize(50, 10000)).toEqual({ height: 56, width: 9996 });
  });
});
