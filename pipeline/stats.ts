/**
 * Per-stage statistics, derived in one place so every run reports them the same way.
 * Times are milliseconds; token counts are decoder tokens.
 */
import type { StageStats } from './protocol';

/** What a run measures of a stage: StageStats without the derived rate, plus the decode steps it is derived from. */
export type StageMeasurements = Omit<StageStats, 'tokensPerSecond'> & {
  /** Decoder calls made after the prefill (decodeTokens - 1 when generation ran to its end). */
  readonly decodeSteps: number;
};

/** StageStats with tokens/s measured over the decode steps actually run (the first token is the prefill's). */
export function stageStats(m: StageMeasurements): StageStats {
  const { decodeSteps, ...rest } = m;
  return { ...rest, tokensPerSecond: m.decodeMs > 0 && decodeSteps > 0 ? (decodeSteps * 1000) / m.decodeMs : 0 };
}

/** Sum of a field over stages, e.g. total vision tokens of an ERGO run (coarse + fine). */
export function totalOf(stages: readonly StageStats[], field: 'visionTokens' | 'encoderRows' | 'prefillTokens' | 'decodeTokens' | 'encoderMs' | 'prefillMs' | 'decodeMs' | 'totalMs'): number {
  return stages.reduce((sum, s) => sum + s[field], 0);
}
