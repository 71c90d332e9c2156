/**
 * ERGO's crop: the coarse-image box mapped onto the full-resolution original. No padding, no
 * expansion, no minimum size: exactly the reference arithmetic, so crops match the training setup.
 */
import type { CoarseBox, OriginalRect, Size } from './geometry';

const clamp = (value: number, max: number): number => Math.min(Math.max(value, 0), max);

/**
 * The integer rectangle of `original` (pixels, x2/y2 exclusive) under `box` (pixels of the
 * `coarse` image the model saw). With `sx = W/w`, `sy = H/h`: each edge scaled, clamped to the
 * image, truncated. Null when the result is empty (`x2 <= x1` or `y2 <= y1`): a degenerate box.
 */
export function cropRect(box: CoarseBox, original: Size, coarse: Size): OriginalRect | null {
  const sx = original.width / coarse.width;
  const sy = original.height / coarse.height;
  const [bx1, by1, bx2, by2] = box;
  // The reference takes max(.., 0) / min(.., W) and then clamps to [0, W]: one clamp is the same.
  const x1 = Math.trunc(clamp(bx1 * sx, original.width));
  const y1 = Math.trunc(clamp(by1 * sy, original.height));
  const x2 = Math.trunc(clamp(bx2 * sx, original.width));
  const y2 = Math.trunc(clamp(by2 * sy, original.height));
  if (x2 <= x1 || y2 <= y1) return null;
  return { x1, y1, x2, y2 };
}
