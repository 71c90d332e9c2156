/**
 * Boxes of models that ground in 0-1000 normalized coordinates (Qwen2-VL, Qwen3-VL), brought into
 * the coarse-image pixel frame that ERGO's crop expects.
 */
import { boxIn, type CoarseBox, type NormBox, type Size } from './geometry';

/**
 * `[x1, y1, x2, y2]` in 0-1000 over the image -> pixels of the `coarse` image. Kept fractional:
 * `cropRect` scales to the original and truncates once, so rounding here would only add error.
 */
export function normToCoarse(box: NormBox, coarse: Size): CoarseBox {
  const [x1, y1, x2, y2] = box;
  return boxIn('coarse', [(x1 * coarse.width) / 1000, (y1 * coarse.height) / 1000, (x2 * coarse.width) / 1000, (y2 * coarse.height) / 1000]);
}

/** Pixels of the `coarse` image -> 0-1000 normalized (for showing or exporting in that convention). */
export function coarseToNorm(box: CoarseBox, coarse: Size): NormBox {
  const [x1, y1, x2, y2] = box;
  return boxIn('norm1000', [(x1 * 1000) / coarse.width, (y1 * 1000) / coarse.height, (x2 * 1000) / coarse.width, (y2 * 1000) / coarse.height]);
}
