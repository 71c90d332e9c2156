import { describe, expect, it } from 'vitest';
import { formatProgress } from './progress';

describe('formatProgress', () => {
  it('shows the bar, counts, rate and time left once something finished', () => {
    expect(formatProgress({ done: 0, total: 10, failed: 0, elapsedMs: 500 }, 10)).toBe('[..........] 0/10 0%');
    // 5 done in 10 s: 0.5/s, i.e. 2.0 s per sample; 5 left take 10 s.
    expect(formatProgress({ done: 5, total: 10, failed: 1, elapsedMs: 10_000 }, 10)).toBe('[#####.....] 5/10 50% | 2.0 s/sample | ETA 10s | 1 failed');
    // 150 of 191 in 50 s is 3/s: 41 left take 13.7 s.
    expect(formatProgress({ done: 150, total: 191, failed: 0, elapsedMs: 50_000 }, 10)).toBe('[########..] 150/191 78% | 3.00/s | ETA 14s');
    // 4 in 125 s: 31.25 s each; done, so the total time instead of an ETA.
    expect(formatProgress({ done: 4, total: 4, failed: 0, elapsedMs: 125_000 }, 4)).toBe('[####] 4/4 100% | 31.3 s/sample | took 2m05s');
  });
});
