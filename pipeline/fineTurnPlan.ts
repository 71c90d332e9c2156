/**
 * What the fine turn does after the coarse turn: crop the box it named, or fall back (and say why).
 *
 * The box is read in the model's own convention: ERGO / Qwen2.5-VL write pixels of the coarse image
 * (ERGO's strict `<zoom>` parser); Qwen2-VL writes 0-1000 normalized coordinates, converted to
 * coarse pixels so the crop rule is the same for both.
 */
import { boxIn, cropRect, normToCoarse, parseZoom, type ZoomNumbers } from '../app/core';
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

/** The numbers of a `<zoom>` box, read in the model's `convention`, as pixels of the `coarse` image. */
export function zoomToCoarse(numbers: ZoomNumbers, convention: BoxConvention, coarse: Size): CoarseBox {
  return convention === 'norm1000' ? normToCoarse(boxIn('norm1000', numbers), coarse) : boxIn('coarse', numbers);
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
  const parsed = parseZoom(coarseOutput);
  if (parsed.kind === 'none') return { kind: 'fallback', reason: parsed.reason, fallback };
  return planForBox(zoomToCoarse(parsed.box, convention, coarse), coarse, original, fallback);
}
