/**
 * Image sizes for Qwen-VL vision encoders. Every side is a multiple of `PATCH_FACTOR` (28 = patch 14
 * x spatial merge 2), so the image splits into whole merged patches, one vision token each.
 *
 * Two resizes live here because ERGO was trained with its own: it rounds on downscale (the result
 * may exceed the budget by a few percent), where Qwen's `smart_resize` floors (never exceeds it).
 */
import type { Size } from './geometry';
import { roundHalfEven } from './roundHalfEven';

/** Pixels per vision token along one side: patch 14 x spatial merge 2. */
export const PATCH_FACTOR = 28;
/** Smallest image both resizes produce: 4 vision tokens. */
export const MIN_PIXELS = 4 * PATCH_FACTOR * PATCH_FACTOR;
/** ERGO's default vision-token budget per image (the paper also uses 640). */
export const DEFAULT_BUDGET = 1280;
/** Stock Qwen2.5-VL's processor cap: the "process the whole image" reference. */
export const QWEN_MAX_TOKENS = 16384;
/** Qwen's `smart_resize` rejects images more elongated than this. */
export const MAX_ASPECT_RATIO = 200;

/** Pixel area of a budget of `tokens` vision tokens. */
export function budgetPixels(tokens: number): number {
  return tokens * PATCH_FACTOR * PATCH_FACTOR;
}

export interface ResizeOptions {
  readonly factor?: number;
  readonly minPixels?: number;
  readonly maxPixels?: number;
}

/**
 * ERGO's resize of a `height` x `width` image (pixels) to sides that are multiples of `factor`.
 *
 * - Both sides rounded (half to even) to the factor, at least one factor.
 * - Over `maxPixels`: scaled by `beta = sqrt(H*W / maxPixels)` and ROUNDED, so the area may exceed
 *   `maxPixels` slightly (3840x2160 at 1280 tokens gives 1344x756 = 1296 tokens).
 * - Under `minPixels`: scaled up by `beta = sqrt(minPixels / (H*W))` and rounded up.
 *
 * The downscale branch has no lower bound, exactly like the reference: a side thinner than 1/5120
 * of the other at 1280 tokens (`H/W < 14^2 / maxPixels`) comes out 0, an image no resampler can
 * produce. Callers must reject such sizes.
 */
export function ergoSmartResize(height: number, width: number, opts: ResizeOptions = {}): Size {
  const { factor = PATCH_FACTOR, minPixels = MIN_PIXELS, maxPixels = budgetPixels(DEFAULT_BUDGET) } = opts;
  let h = Math.max(factor, roundHalfEven(height / factor) * factor);
  let w = Math.max(factor, roundHalfEven(width / factor) * factor);
  if (h * w > maxPixels) {
    const beta = Math.sqrt((height * width) / maxPixels);
    h = roundHalfEven(height / beta / factor) * factor;
    w = roundHalfEven(width / beta / factor) * factor;
  } else if (h * w < minPixels) {
    const beta = Math.sqrt(minPixels / (height * width));
    h = Math.ceil((height * beta) / factor) * factor;
    w = Math.ceil((width * beta) / factor) * factor;
  }
  return { height: h, width: w };
}

/**
 * Thrown by `qwenSmartResize` for an image more elongated than `MAX_ASPECT_RATIO`. A `RangeError`
 * (as Python's `ValueError` there), with a `code` for callers across the worker boundary.
 */
export class AspectRatioError extends RangeError {
  readonly code = 'aspect-ratio';
}

/**
 * Qwen2.5-VL's own `smart_resize` (the stock processor's): like ERGO's, but the downscale branch
 * floors (at least one factor), so the area never exceeds `maxPixels` (default 16384 tokens).
 * Throws `AspectRatioError` when the longer side is more than 200 times the shorter.
 */
export function qwenSmartResize(height: number, width: number, opts: ResizeOptions = {}): Size {
  const { factor = PATCH_FACTOR, minPixels = MIN_PIXELS, maxPixels = budgetPixels(QWEN_MAX_TOKENS) } = opts;
  const ratio = Math.max(height, width) / Math.min(height, width);
  if (ratio > MAX_ASPECT_RATIO) {
    throw new AspectRatioError(`absolute aspect ratio must be smaller than ${MAX_ASPECT_RATIO}, got ${ratio} for ${width}x${height}`);
  }
  let h = Math.max(factor, roundHalfEven(height / factor) * factor);
  let w = Math.max(factor, roundHalfEven(width / factor) * factor);
  if (h * w > maxPixels) {
    const beta = Math.sqrt((height * width) / maxPixels);
    h = Math.max(factor, Math.floor(height / beta / factor) * factor);
    w = Math.max(factor, Math.floor(width / beta / factor) * factor);
  } else if (h * w < minPixels) {
    const beta = Math.sqrt(minPixels / (height * width));
    h = Math.ceil((height * beta) / factor) * factor;
    w = Math.ceil((width * beta) / factor) * factor;
  }
  return { height: h, width: w };
}
