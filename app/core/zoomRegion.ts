/**
 * The region a coarse turn names: its `<zoom>` box read in the model's convention, brought to
 * pixels of the coarse image, and that box's crop of the original. One rule for the fine turn's
 * plan (pipeline) and for scoring results (app/eval).
 */
import { cropRect } from './crop';
import { boxIn, type CoarseBox, type OriginalRect, type Size } from './geometry';
import { normToCoarse } from './normBox';
import { parseZoom, type ZoomNumbers } from './zoomBox';

/** How a model writes the box of its coarse turn. */
export type BoxConvention =
  /** Integers in pixels of the coarse image it was shown (ERGO, Qwen2.5-VL). */
  | 'pixels-coarse'
  /** 0-1000 normalized over the image (Qwen2-VL, Qwen3-VL); converted to coarse pixels before cropping. */
  | 'norm1000';

/** The numbers of a `<zoom>` box, read in the model's `convention`, as pixels of the `coarse` image. */
export function zoomToCoarse(numbers: ZoomNumbers, convention: BoxConvention, coarse: Size): CoarseBox {
  return convention === 'norm1000' ? normToCoarse(boxIn('norm1000', numbers), coarse) : boxIn('coarse', numbers);
}

export type ZoomRegion =
  /** No box: no `<zoom>` tag, or a tag without exactly one box inside. */
  | { readonly kind: 'none'; readonly reason: 'no-zoom' | 'malformed' }
  /** A box in coarse pixels, and its crop of the original; `crop` is null for a degenerate box (empty once cropped). */
  | { readonly kind: 'box'; readonly box: CoarseBox; readonly crop: OriginalRect | null };

/** ERGO's parse and crop of a coarse-turn output, over an `original` image the model saw at `coarse`. */
export function zoomRegion(coarseOutput: string, convention: BoxConvention, coarse: Size, original: Size): ZoomRegion {
  const parsed = parseZoom(coarseOutput);
  if (parsed.kind === 'none') return parsed;
  const box = zoomToCoarse(parsed.box, convention, coarse);
  return { kind: 'box', box, crop: cropRect(box, original, coarse) };
}
