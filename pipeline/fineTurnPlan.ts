/**
 * What the fine turn does after the coarse turn: crop the box it named, or fall back (and say why).
 *
 * The box is read in the model's own convention: ERGO / Qwen2.5-VL write pixels of the coarse image
 * (ERGO's strict `<zoom>` parser); Qwen2-VL writes 0-1000 normalized coordinates, converted to
 * coarse pixels so the crop rule is the same for both.
 */
import { cropRect, normToCoarse, parseZoom } from '../app/core';
import type { CoarseBox, OriginalRect, Size } from '../app/core/geometry';
import type { NoBoxFallback, NoBoxReason } from './protocol';
import type { BoxConvention } from './registry';

export type FinePlan =
  | { readonly kind: 'crop'; readonly box: CoarseBox; readonly rect: OriginalRect }
  | { readonly kind: 'fallback'; readonly reason: NoBoxReason; readonly fallback: NoBoxFallback };

/** The crop of `box` (coarse pixels) in the original, or a `degenerate` fallback. */
export function planForBox(box: CoarseBox, coarse: Size, original: Size, fallback: NoBoxFallback): FinePlan {
  const rect = cropRect(box, original, coarse);
  return rect ? { kind: 'crop', box, rect } : { kind: 'fallback', reason: 'degenerate', fallback };
}

/** Parses the coarse turn's output and decides the fine turn. */
export function planFineTurn(coarseOutput: string, convention: BoxConvention, coarse: Size, original: Size, fallback: NoBoxFallback): FinePlan {
  const parsed = parseZoom(coarseOutput);
  if (parsed.kind === 'none') return { kind: 'fallback', reason: parsed.reason, fallback };
  const box = convention === 'norm1000' ? normToCoarse(parsed.box, coarse) : parsed.box;
  return planForBox(box, coarse, original, fallback);
}
