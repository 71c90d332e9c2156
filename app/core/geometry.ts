/**
 * Sizes and boxes, each typed by the pixel frame it lives in, so a box cannot silently cross frames.
 *
 * Frames: `original` (the user's full-resolution image), `coarse` (the downsampled image the model
 * sees in the coarse turn; `<zoom>` boxes are in this frame for ERGO and Qwen2.5-VL), `norm1000`
 * (0-1000 normalized, how Qwen2-VL and Qwen3-VL ground boxes) and `screen` (CSS pixels on the canvas).
 */

/** Width and height in pixels. Always an object, never a bare pair, so the order cannot be mixed up. */
export interface Size {
  readonly width: number;
  readonly height: number;
}

export type Frame = 'original' | 'coarse' | 'norm1000' | 'screen';

declare const frameBrand: unique symbol;

/**
 * `[x1, y1, x2, y2]` tagged (at compile time only) with the frame its numbers are in. The tag is
 * required: a bare tuple is no box, and a box of one frame is not a box of another, so a 0-1000
 * box cannot be drawn or cropped as coarse pixels. Boxes are made only by `boxIn` (from numbers
 * known to be in that frame) or by a conversion between frames.
 */
export type Box<F extends Frame> = readonly [x1: number, y1: number, x2: number, y2: number] & {
  readonly [frameBrand]: F;
};

/** Four numbers known to be in frame `F`, as a box of that frame (the only place a tag is added). */
export function boxIn<F extends Frame>(_frame: F, [x1, y1, x2, y2]: readonly [number, number, number, number] | readonly number[]): Box<F> {
  return [x1 ?? 0, y1 ?? 0, x2 ?? 0, y2 ?? 0] as readonly [number, number, number, number] as Box<F>;
}

/** A box in pixels of the coarse image: what ERGO writes inside `<zoom>...</zoom>`. */
export type CoarseBox = Box<'coarse'>;
/** A box in 0-1000 normalized coordinates (Qwen2-VL / Qwen3-VL convention). */
export type NormBox = Box<'norm1000'>;
/** A box in pixels of the original image. */
export type OriginalBox = Box<'original'>;
/** A box in CSS pixels of the canvas. */
export type ScreenBox = Box<'screen'>;

/** Integer crop rectangle in pixels of the original image; `x2`/`y2` are exclusive. */
export interface OriginalRect {
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
}
