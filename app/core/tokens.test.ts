import { describe, expect, it } from 'vitest';
import { attentionBytesPerHead, directCost, ergoCost, ergoImageCost, fullImageCost, rectSize, visionTokens } from './tokens';

describe('visionTokens', () => {
  it('counts one token per 28x28 block', () => {
    expect(visionTokens(756, 1344)).toBe(27 * 48); // 1296
    expect(visionTokens(56, 56)).toBe(4);
  });
});

describe('ergoImageCost and fullImageCost', () => {
  it('price one image at ERGO\'s budget and at stock Qwen\'s 16384-token cap', () => {
    // 3840x2160 at 1280: 1344x756 = 48*27 = 1296 tokens (ERGO's rounding overshoots the budget)
    expect(ergoImageCost({ width: 3840, height: 2160 })).toEqual({ width: 1344, height: 756, tokens: 1296 });
    // Qwen at 16384: 2160/28 = 77.1 -> 77*28 = 2156, 3840/28 = 137.1 -> 137*28 = 3836: 77*137 = 10549 tokens
    expect(fullImageCost({ width: 3840, height: 2160 })).toEqual({ width: 3836, height: 2156, tokens: 10549 });
  });

  it('has a full-image reference up to Qwen\'s 200:1 limit, none past it', () => {
    expect(fullImageCost({ width: 200, height: 1 })).toEqual({ width: 196, height: 28, tokens: 7 }); // 1*7 tokens
    expect(fullImageCost({ width: 201, height: 1 })).toBeNull();
  });
});

describe('rectSize', () => {
  it('is the exclusive-corner extent', () => {
    expect(rectSize({ x1: 10, y1: 20, x2: 970, y2: 560 })).toEqual({ width: 960, height: 540 });
  });
});

describe('ergoCost', () => {
  it('sums the coarse image and the crop against the full image', () => {
    // coarse 1296 tokens; crop 960x540: 540/28 = 19.3 -> 19, 960/28 = 34.3 -> 34: 19*34 = 646 tokens (under budget)
    // ERGO 1296 + 646 = 1942 against 10549: 100 * (1 - 1942/10549) = 81.59 % saved
    const cost = ergoCost({ width: 3840, height: 2160 }, { x1: 960, y1: 540, x2: 1920, y2: 1080 });
    expect(cost.crop).toEqual({ width: 952, height: 532, tokens: 646 });
    expect(cost.ergoTokens).toBe(1942);
    expect(cost.percentSaved).toBeCloseTo(81.59067210162101, 10);
  });

  it('reproduces the paper-scale ledger for a V*-sized image at 640 tokens', () => {
    // coarse: ergoSmartResize(1582, 2246, 640 tokens) = 588x840 = 21*30 = 630 tokens
    // crop 1123x791 of the original: under budget, rounded: 791/28 = 28.25 -> 28, 1123/28 = 40.1 -> 40: 1120 tokens > 640,
    //   so scaled: beta = sqrt(888293/501760) = 1.3305, 791/1.3305/28 = 21.2 -> 21, 1123/1.3305/28 = 30.1 -> 30: 630 tokens
    // full: qwenSmartResize(1582, 2246) = 1568x2240 = 56*80 = 4480 tokens
    const cost = ergoCost({ width: 2246, height: 1582 }, { x1: 0, y1: 0, x2: 1123, y2: 791 }, 640);
    expect(cost.coarse).toEqual({ width: 840, height: 588, tokens: 630 });
    expect(cost.crop).toEqual({ width: 840, height: 588, tokens: 630 });
    expect(cost.full).toEqual({ width: 2240, height: 1568, tokens: 4480 });
    expect(cost.ergoTokens).toBe(1260);
    expect(cost.percentSaved).toBeCloseTo(100 * (1 - 1260 / 4480), 10);
  });

  it('has no crop without a box and no full reference past Qwen\'s aspect limit', () => {
    const cost = ergoCost({ width: 10000, height: 10 }, null);
    expect(cost.crop).toBeNull();
    expect(cost.full).toBeNull();
    expect(cost.percentSaved).toBeNull();
  });
});

describe('directCost', () => {
  it('prices the whole-image baseline at its cap against stock Qwen, and says whether the cap bit', () => {
    // Qwen at 4096 tokens: beta = sqrt(3840*2160 / (4096*784)) = 1.5958; 2160/1.5958/28 = 48.3 -> floor 48, 3840/1.5958/28 = 85.9 -> 85: 48*85 = 4080
    expect(directCost({ width: 3840, height: 2160 }, 4096)).toEqual({
      run: { width: 2380, height: 1344, tokens: 4080 },
      full: { width: 3836, height: 2156, tokens: 10549 },
      capTokens: 4096,
      capped: true,
    });
    expect(directCost({ width: 640, height: 480 }, 4096)).toMatchObject({ capped: false, run: { tokens: 391 } }); // 17*23
    expect(directCost({ width: 10000, height: 10 }, 4096)).toBeNull();
  });

  it('sizes one head\'s attention scores: (4 patches per token)^2 float32', () => {
    expect(attentionBytesPerHead(4096)).toBe(16384 * 16384 * 4); // 1 GiB
  });
});
