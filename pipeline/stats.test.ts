import { describe, expect, it } from 'vitest';
import { stageStats, totalOf } from './stats';

const base = {
  stage: 'coarse' as const,
  imageSize: { width: 840, height: 588 },
  visionTokens: 630, // (840/28) * (588/28) = 30 * 21
  encoderRows: 630,
  encoderMs: 100,
  cachedTokens: 0,
  prefillTokens: 700,
  prefillMs: 200,
  decodeTokens: 11,
  decodeSteps: 10,
  decodeMs: 500,
  totalMs: 900,
};

describe('stageStats', () => {
  it('measures tokens/s over the decode steps run: 10 steps in 500 ms = 20/s', () => {
    expect(stageStats(base).tokensPerSecond).toBe(20);
    expect(stageStats(base)).not.toHaveProperty('decodeSteps');
  });
  it('reports 0 tokens/s when nothing was decoded', () => {
    expect(stageStats({ ...base, decodeTokens: 0, decodeSteps: 0, decodeMs: 0 }).tokensPerSecond).toBe(0);
  });
  it('sums a field over stages', () => {
    const fine = stageStats({ ...base, stage: 'fine', visionTokens: 395, cachedTokens: 711 });
    expect(totalOf([stageStats(base), fine], 'visionTokens')).toBe(1025);
  });
});
