import { describe, expect, it } from 'vitest';
import { boxIn } from '../app/core';
import { planFineTurn, planForBox } from './fineTurnPlan';

const original = { width: 3840, height: 2160 };
const coarse = { width: 1344, height: 756 };

describe('planFineTurn', () => {
  it('crops the parsed box (coarse pixels) from the original', () => {
    expect(planFineTurn('<think>x</think><zoom>[100, 100, 700, 500]</zoom>', 'pixels-coarse', coarse, original, 'skip')).toEqual({
      kind: 'crop',
      box: [100, 100, 700, 500],
      rect: { x1: 285, y1: 285, x2: 2000, y2: 1428 },
    });
  });

  it('reads 0-1000 boxes for models that ground that way', () => {
    // [250, 500, 500, 1000] of 1344x756 -> [336, 378, 672, 756] coarse -> x 960..1920, y 1080..2160 original
    const plan = planFineTurn('<zoom>[250, 500, 500, 1000]</zoom>', 'norm1000', coarse, original, 'skip');
    expect(plan).toMatchObject({ kind: 'crop', rect: { x1: 960, y1: 1080, x2: 1920, y2: 2160 } });
  });

  it('falls back with the reason: no zoom, malformed, degenerate', () => {
    expect(planFineTurn('I see a dog.', 'pixels-coarse', coarse, original, 'skip')).toEqual({ kind: 'fallback', reason: 'no-zoom', fallback: 'skip' });
    expect(planFineTurn('<zoom>[1, 2, 3]</zoom>', 'pixels-coarse', coarse, original, 'full-image')).toEqual({
      kind: 'fallback',
      reason: 'malformed',
      fallback: 'full-image',
    });
    expect(planFineTurn('<zoom>[500, 10, 100, 20]</zoom>', 'pixels-coarse', coarse, original, 'skip')).toMatchObject({ reason: 'degenerate' });
    expect(planForBox(boxIn('coarse', [2000, 0, 3000, 10]), coarse, original, 'skip')).toMatchObject({ kind: 'fallback', reason: 'degenerate' });
  });
});
