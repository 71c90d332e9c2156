import { describe, expect, it } from 'vitest';
import { zoomRegion, zoomToCoarse } from './zoomRegion';

const original = { width: 3840, height: 2160 };
const coarse = { width: 1344, height: 756 };

describe('zoomToCoarse', () => {
  it('keeps pixel boxes as written and scales 0-1000 boxes to the coarse image', () => {
    expect(zoomToCoarse([100, 100, 700, 500], 'pixels-coarse', coarse)).toEqual([100, 100, 700, 500]);
    // 250/1000 x 1344 = 336, 500/1000 x 756 = 378, 500/1000 x 1344 = 672, 1000/1000 x 756 = 756
    expect(zoomToCoarse([250, 500, 500, 1000], 'norm1000', coarse)).toEqual([336, 378, 672, 756]);
    // kept fractional: 333/1000 x 1344 = 447.552
    expect(zoomToCoarse([333, 0, 334, 1], 'norm1000', coarse)[0]).toBeCloseTo(447.552, 9);
  });
});

describe('zoomRegion', () => {
  it('names the box in coarse pixels and its crop of the original', () => {
    // x: 100 x 3840/1344 = 285.7 -> 285, 700 x 3840/1344 = 2000; y: 100 x 2160/756 = 285.7 -> 285, 500 x 2160/756 = 1428.6 -> 1428
    expect(zoomRegion('<think>x</think><zoom>[100, 100, 700, 500]</zoom>', 'pixels-coarse', coarse, original)).toEqual({
      kind: 'box',
      box: [100, 100, 700, 500],
      crop: { x1: 285, y1: 285, x2: 2000, y2: 1428 },
    });
  });

  it('crops a 0-1000 box in the same frame as a pixel box', () => {
    // [336, 378, 672, 756] coarse -> x 960..1920, y 1080..2160 original
    expect(zoomRegion('<zoom>[250, 500, 500, 1000]</zoom>', 'norm1000', coarse, original)).toMatchObject({ kind: 'box', crop: { x1: 960, y1: 1080, x2: 1920, y2: 2160 } });
  });

  it('says why there is no box, and keeps a degenerate box without a crop', () => {
    expect(zoomRegion('I see a dog.', 'pixels-coarse', coarse, original)).toEqual({ kind: 'none', reason: 'no-zoom' });
    expect(zoomRegion('<zoom>[1, 2, 3]</zoom>', 'norm1000', coarse, original)).toEqual({ kind: 'none', reason: 'malformed' });
    // x2 < x1: nothing left once cropped
    expect(zoomRegion('<zoom>[500, 10, 100, 20]</zoom>', 'pixels-coarse', coarse, original)).toEqual({ kind: 'box', box: [500, 10, 100, 20], crop: null });
  });
});
