/**
 * What the fine turn does after the coarse turn: crop the box it named, or fall back (and say why).
 *
 * The box is read in the model's own convention: ERGO / Qwen2.5-VL write pixels of the coarse image
 * (ERGO's strict `<zoom>` parser); Qwen2-VL writes 0-1000 normalized coordinates, converted to
 * coarse pixels so the crop rule is the same for both.
 */
import { cropRect, parseZoom, zoomRegion, zoomToCoarse, type BoxConvention } from '../app/core';
import type { CoarseBox, OriginalRect, Size } from '../app/core/geometry';
import type { NoBoxFallback, NoBoxReason } from './protocol';

export type FinePlan =
  | { readonly kind: 'crop'; readonly box: CoarseBox; readonly rect: OriginalRect }
  | { readonly kind: 'fallback'; readonly reason: NoBoxReason; readonly fallback: NoBoxFallback };

/** The crop of `box` (coarse pixels) in the original, or a `degenerate` fallback. */
export function planForBox(box: CoarseBox, coarse: Size, original: Size, fallback: NoBoxFallback): FinePlan {
  const rect = cropRect(box, original, coarse);
  return rect ? { kind: 'crop', box, rect } : { kind: 'fallback', reason: 'degenerate', fallback };
}

/**
 * The box of a coarse output, complete or still streaming, in coarse pixels; null while no whole
 * box is written. Streaming boxes go through this too, so they are drawn in their final frame.
 */
export function coarseBoxOf(coarseOutput: string, convention: BoxConvention, coarse: Size): CoarseBox | null {
  const parsed = parseZoom(coarseOutput);
  return parsed.kind === 'box' ? zoomToCoarse(parsed.box, convention, coarse) : null;
}

/** Parses the coarse turn's output and decides the fine turn. */
export function planFineTurn(coarseOutput: string, convention: BoxConvention, coarse: Size, original: Size, fallback: NoBoxFallback): FinePlan {
  const region = zoomRegion(coarseOutput, convention, coarse, original);
  if (region.kind === 'none') return { kind: 'fallback', reason: region.reason, fallback };
  return region.crop ? { kind: 'crop', box: region.box, rect: region.crop } : { kind: 'fallback', reason: 'degenerate', fallback };
}
