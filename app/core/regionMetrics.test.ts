import { describe, expect, it } from 'vitest';
import { boxIn } from './geometry';
import { containment, enclosingBox, regionIoU } from './regionMetrics';

const o = (...n: [number, number, number, number]) => boxIn('original', n);

describe('containment', () => {
  it('is 1 when the region holds the whole target, 0 when it misses it', () => {
    expect(containment({ x1: 0, y1: 0, x2: 100, y2: 100 }, [o(10, 10, 20, 20)])).toBe(1);
    expect(containment({ x1: 0, y1: 0, x2: 100, y2: 100 }, [o(200, 200, 210, 210)])).toBe(0);
  });
  it('is the covered share: a 10x10 target cut at x=15 is half inside', () => {
    expect(containment({ x1: 0, y1: 0, x2: 15, y2: 100 }, [o(10, 10, 20, 20)])).toBe(0.5);
  });
  it('weighs several targets by area: (100 + 0) / (100 + 300)', () => {
    expect(containment({ x1: 0, y1: 0, x2: 50, y2: 50 }, [o(0, 0, 10, 10), o(60, 60, 90, 70)])).toBe(0.25);
  });
  it('is null without targets or with only empty ones', () => {
    expect(containment({ x1: 0, y1: 0, x2: 5, y2: 5 }, [])).toBeNull();
    expect(containment({ x1: 0, y1: 0, x2: 5, y2: 5 }, [o(3, 3, 3, 9)])).toBeNull();
  });
});

describe('regionIoU', () => {
  it('is 1 for the same box and 0 for disjoint ones', () => {
    expect(regionIoU({ x1: 10, y1: 10, x2: 20, y2: 20 }, [o(10, 10, 20, 20)])).toBe(1);
    expect(regionIoU({ x1: 0, y1: 0, x2: 5, y2: 5 }, [o(10, 10, 20, 20)])).toBe(0);
  });
  it('uses the box enclosing all targets: region 0-20 vs enclosing 0-40 gives 400 / 1600', () => {
    expect(enclosingBox([o(0, 0, 10, 10), o(30, 30, 40, 40)])).toEqual(o(0, 0, 40, 40));
    expect(regionIoU({ x1: 0, y1: 0, x2: 20, y2: 20 }, [o(0, 0, 10, 10), o(30, 30, 40, 40)])).toBe(0.25);
  });
  it('a region twice the target: 100 / 200', () => {
    expect(regionIoU({ x1: 0, y1: 0, x2: 20, y2: 10 }, [o(0, 0, 10, 10)])).toBe(0.5);
  });
});
