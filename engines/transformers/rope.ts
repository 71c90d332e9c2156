/**
 * Multimodal rotary positions (M-RoPE) for Qwen2-VL / Qwen2.5-VL, computed for any slice of a
 * conversation so a later turn can continue after a cached one.
 *
 * Rules (as the models were trained): a text token takes the same position p on all three rows
 * (temporal, height, width) and the next text token p+1. An image of `gh x gw` merged tokens that
 * starts at offset o gives its token (i, j) the positions (o, o+i, o+j); text after it continues at
 * o + max(gh, gw) (the image's largest position plus one). A still image has one temporal step.
 */

export interface ImageSpan {
  /** Merged token grid of the image: rows and columns of vision tokens (patch grid / merge size). */
  readonly rows: number;
  readonly cols: number;
}

export interface RopePositions {
  /** `[3, n]` row-major: temporal row, then height row, then width row. */
  readonly data: BigInt64Array;
  readonly length: number;
  /** The position the token after this slice takes. */
  readonly next: number;
}

/**
 * Positions for `ids`, the slice of a conversation that starts at position `start`. Each maximal
 * run of `imageTokenId` is one image, taking the next entry of `images` (in order); its length
 * must equal rows*cols. Returns an error string rather than throwing when the ids and images disagree.
 */
export function ropePositions(
  ids: ArrayLike<number>,
  images: readonly ImageSpan[],
  imageTokenId: number,
  start: number,
): RopePositions | { readonly error: string } {
  const n = ids.length;
  const data = new BigInt64Array(3 * n);
  let pos = start;
  let image = 0;
  let i = 0;
  while (i < n) {
    if (ids[i] !== imageTokenId) {
      const b = BigInt(pos);
      data[i] = b;
      data[n + i] = b;
      data[2 * n + i] = b;
      pos++;
      i++;
      continue;
    }
    let end = i;
    while (end < n && ids[end] === imageTokenId) end++;
    const span = images[image++];
    if (!span) return { error: `image run at token ${i} has no image (${images.length} given)` };
    if (end - i !== span.rows * span.cols) {
      return { error: `image run at token ${i} has ${end - i} tokens, its image ${span.rows}x${span.cols} needs ${span.rows * span.cols}` };
    }
    for (let r = 0; r < span.rows; r++) {
      for (let c = 0; c < span.cols; c++) {
        const k = i + r * span.cols + c;
        data[k] = BigInt(pos);
        data[n + k] = BigInt(pos + r);
        data[2 * n + k] = BigInt(pos + c);
      }
    }
    pos += Math.max(span.rows, span.cols);
    i = end;
  }
  if (image !== images.length) return { error: `${images.length} images given, ${image} image runs found` };
  return { data, length: n, next: pos };
}
