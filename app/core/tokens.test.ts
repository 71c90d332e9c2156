import { describe, expect, it } from 'vitest';
import { ergoCost, visionTokens } from './tokens';

describe('visionTokens', () => {
  it('counts one token per 28x28 block', () => {
    expect(visionTokens(756, 1344)).toBe(27 * 48); // 1296
    expect(visionTokens(56, 56)).toBe(4);
  });
});

describe('ergoCost', () => {
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
