/**
 * Vision-token accounting: what ERGO spends (coarse image + crop) against what stock Qwen2.5-VL
 * would spend on the whole original.
 */
import type { OriginalRect, Size } from './geometry';
import { AspectRatioError, budgetPixels, DEFAULT_BUDGET, ergoSmartResize, PATCH_FACTOR, QWEN_MAX_TOKENS, qwenSmartResize } from './resize';

/** Vision tokens of an image already resized to `height` x `width` (multiples of 28): one per 28x28 block. */
export function visionTokens(height: number, width: number): number {
  return (height / PATCH_FACTOR) * (width / PATCH_FACTOR);
}

/** An image size after resize, with its token count. */
export interface TokenizedSize extends Size {
  readonly tokens: number;
}

function tokenized(size: Size): TokenizedSize {
  return { ...size, tokens: visionTokens(size.height, size.width) };
}

/** ERGO's resize of `size` at a budget of `budget` tokens, with the tokens it costs. */
export function ergoImageCost(size: Size, budget: number = DEFAULT_BUDGET): TokenizedSize {
  return tokenized(ergoSmartResize(size.height, size.width, { maxPixels: budgetPixels(budget) }));
}

/**
 * What stock Qwen2.5-VL spends on the whole `original`: Qwen's resize at `capTokens` (default the
 * processor's 16384). Null for images Qwen's resize rejects (aspect ratio over 200).
 */
export function fullImageCost(original: Size, capTokens: number = QWEN_MAX_TOKENS): TokenizedSize | null {
  try {
    return tokenized(qwenSmartResize(original.height, original.width, { maxPixels: budgetPixels(capTokens) }));
  } catch (error) {
    if (error instanceof AspectRatioError) return null;
    throw error;
  }
}

/** Size of a crop rectangle of the original, in pixels. */
export function rectSize(rect: OriginalRect): Size {
  return { width: rect.x2 - rect.x1, height: rect.y2 - rect.y1 };
}

/** The whole-image ("direct") baseline: Qwen's resize at a token cap, against stock Qwen's own cap. */
export interface DirectCost {
  /** What the baseline spends: Qwen's resize at `capTokens`. */
  readonly run: TokenizedSize;
  /** What stock Qwen2.5-VL would spend (its 16384-token cap). */
  readonly full: TokenizedSize;
  readonly capTokens: number;
  /** True when the cap made the baseline smaller than stock Qwen's whole image. */
  readonly capped: boolean;
}

/** The whole-image baseline at `capTokens`; null for images Qwen's resize rejects. */
export function directCost(original: Size, capTokens: number): DirectCost | null {
  const full = fullImageCost(original);
  const run = fullImageCost(original, Math.min(capTokens, QWEN_MAX_TOKENS));
  if (!full || !run) return null;
  return { run, full, capTokens, capped: run.tokens < full.tokens };
}

/**
 * Bytes of one head's attention scores in the vision encoder over a whole image of `tokens` vision
 * tokens: `patches x patches` float32, four patches per token (why the direct baseline is capped).
 */
export function attentionBytesPerHead(tokens: number): number {
  const patches = 4 * tokens;
  return patches * patches * 4;
}

export interface ErgoCost {
  readonly coarse: TokenizedSize;
  /** Null when no fine turn ran on a crop (no usable box and the "skip" fallback). */
  readonly crop: TokenizedSize | null;
  readonly full: TokenizedSize | null;
  /** coarse + crop tokens. */
  readonly ergoTokens: number;
  /** 100 * (1 - ergo / full), null without a full-image reference. */
  readonly percentSaved: number | null;
}

/**
 * The ledger of one ERGO run on an `original`-sized image: the coarse image, the crop of `rect`
 * (resized at the same budget), and the full-image reference.
 */
export function ergoCost(original: Size, rect: OriginalRect | null, budget: number = DEFAULT_BUDGET): ErgoCost {
  const coarse = ergoImageCost(original, budget);
  const crop = rect ? ergoImageCost(rectSize(rect), budget) : null;
  const full = fullImageCost(original);
  const ergoTokens = coarse.tokens + (crop?.tokens ?? 0);
  const percentSaved = full ? 100 * (1 - ergoTokens / full.tokens) : null;
  return { coarse, crop, full, ergoTokens, percentSaved };
}
