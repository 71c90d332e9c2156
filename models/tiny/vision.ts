/**
 * The tiny vision encoder: `pixel_values [N, 1176]` (the processor's flattened 2x14x14x3 patches,
 * each 2x2 merge block as 4 consecutive rows) and the grid input `[num_images, 3]` ->
 * `image_features [N/4, hidden]`.
 *
 * Patch embedding, a position signal counted from each image's first patch, transformer blocks
 * (one in the tiny models) with WINDOWED self-attention (fixed windows of `window` consecutive patches, so cost grows
 * linearly with N and a 16K-token image fits in wasm memory) masked so that patches of different
 * images never attend to each other (image ids come from the grid input), then the 2x2 merger.
 */
import { GraphBuilder } from '../onnx/graph';
import { draw, gatedMlp, halfIo, inverseFrequencies, linear, param, rmsNorm, silu, type Dtype, type Net, type WeightSource } from './layers';

export interface VisionSpec {
  /** `grid_thw` (qwen2_vl) or `image_grid_thw` (qwen2_5_vl and later). */
  readonly gridInput: 'grid_thw' | 'image_grid_thw';
  readonly hidden: number;
  readonly heads: number;
  /** Patches per attention window: a multiple of 4 (whole merge blocks). */
  readonly window: number;
  /** Width of the language model's embeddings: the merger's output. */
  readonly outHidden: number;
  /** Transformer blocks (1 when absent). */
  readonly depth?: number;
  /**
   * Learned row and column embeddings (tables of this many rows), added to the patches and to the
   * merged tokens, in place of the sinusoid over the patch index. Rows past the table reuse its last row.
   */
  readonly rowColumn?: number;
  /** Width of each block's gated MLP (default 2 x hidden). */
  readonly intermediate?: number;
}

export const PATCH_DIM = 3 * 2 * 14 * 14; // channels x temporal patch x patch x patch = 1176

export function buildVisionEncoder(spec: VisionSpec, seed: number, q4: boolean, weights?: WeightSource): Uint8Array {
  return visionEncoderGraph(spec, seed, q4 ? 'q4' : 'fp32', weights).serialize();
}

/** `pixel_values` stay float32 in every precision (the processor makes float32); f16 files give float16 features. */
export function visionEncoderGraph(spec: VisionSpec, seed: number, dtype: Dtype, weights?: WeightSource): GraphBuilder {
  const g = new GraphBuilder('vision_encoder');
  const net: Net = { g, seed, dtype, weights };
  const { hidden, heads, window } = spec;
  const headDim = hidden / heads;
  const pixels = g.input('pixel_values', 'float32', ['num_patches', PATCH_DIM]);
  const grid = g.input(spec.gridInput, 'int64', ['num_images', 3]);
  const scalar = (t: string) => g.op('Squeeze', [t, g.ints([0])]);

  // Pad the patch count up to whole windows; padded rows get their own image id below.
  const count = g.op('Shape', [pixels], { start: 0, end: 1 }); // [1]
  const win = g.ints([window]);
  const padding = g.op('Mod', [g.op('Sub', [win, g.op('Mod', [count, win])]), win]);
  const padded = scalar(g.op('Add', [count, padding]));

  // Per padded row: image id (number of images that end at or before it) and index within its image.
  const perImage = g.op('ReduceProd', [grid], { axes: [1], keepdims: 0 }); // [I] patches per image
  const ends = g.op('CumSum', [perImage, g.ints([0], [])]);
  const rows = g.op('Range', [g.ints([0], []), padded, g.ints([1], [])]); // [P]
  const past = g.op('Cast', [g.op('GreaterOrEqual', [g.op('Unsqueeze', [rows, g.ints([1])]), g.op('Unsqueeze', [ends, g.ints([0])])])], { to: 7 }); // [P, I]
  const imageId = g.op('ReduceSum', [past, g.ints([1])], { keepdims: 0 });
  const before = g.op('ReduceSum', [g.op('Mul', [past, g.op('Unsqueeze', [perImage, g.ints([0])])]), g.ints([1])], { keepdims: 0 });

  let position: string; // [P, hidden]
  let mergedPosition: ((features: string) => string) | null = null;
  if (spec.rowColumn) {
    // Row and column of each patch in its image, from its index (2x2 merge blocks, row-major) and the grid width.
    const table = spec.rowColumn;
    const index = g.op('Sub', [rows, before]);
    const lastImage = g.op('Sub', [scalar(g.op('Shape', [grid], { start: 0, end: 1 })), g.ints([1], [])]);
    const gridWidth = g.op('Gather', [g.op('Gather', [grid, g.ints([2], [])], { axis: 1 }), g.op('Min', [imageId, lastImage])]);
    const blockCols = g.op('Div', [gridWidth, g.ints([2], [])]);
    const block = g.op('Div', [index, g.ints([4], [])]);
    const inBlock = g.op('Mod', [index, g.ints([4], [])]);
    const blockRow = g.op('Div', [block, blockCols]);
    const blockCol = g.op('Mod', [block, blockCols]);
    const two = g.ints([2], []);
    const patchRow = g.op('Add', [g.op('Mul', [blockRow, two]), g.op('Div', [inBlock, two])]);
    const patchCol = g.op('Add', [g.op('Mul', [blockCol, two]), g.op('Mod', [inBlock, two])]);
    const last = g.ints([table - 1], []);
    const lookup = (name: string, at: string, width: number) => g.op('Gather', [param(net, name, draw(net, name, table * width, 0.02), [table, width]), g.op('Min', [at, last])]);
    position = g.op('Add', [lookup('visual.patch_rows', patchRow, hidden), lookup('visual.patch_cols', patchCol, hidden)]);
    // Merged token j is the block of patches 4j..4j+3: its row and column are the block's.
    const everyFourth = (t: string) => g.op('Slice', [t, g.ints([0]), count, g.ints([0]), g.ints([4])]);
    mergedPosition = (features) =>
      g.op('Add', [
        features,
        g.op('Add', [lookup('visual.merger.rows', everyFourth(blockRow), spec.outHidden), lookup('visual.merger.cols', everyFourth(blockCol), spec.outHidden)]),
      ]);
  } else {
    // Sinusoidal position of each patch within its image (frequencies 2^-j, exact constants).
    const indexInImage = g.op('Cast', [g.op('Sub', [rows, before])], { to: 1 }); // [P]
    const angles = g.op('Mul', [g.op('Unsqueeze', [indexInImage, g.ints([1])]), g.floats(inverseFrequencies(hidden / 2))]);
    position = g.op('Concat', [g.op('Sin', [angles]), g.op('Cos', [angles])], { axis: -1 });
  }

  const embedded = linear(net, pixels, 'visual.patch_embed.proj', PATCH_DIM, hidden);
  const pads = g.op('Concat', [g.ints([0, 0]), padding, g.ints([0])], { axis: 0 });
  let x = g.op('Add', [g.op('Pad', [embedded, pads]), position]); // [P, hidden]

  // Windowed attention: [W, heads, window, headDim] with a same-image mask per window.
  const toWindows = (t: string) => g.op('Transpose', [g.op('Reshape', [t, g.ints([-1, window, heads, headDim])])], { perm: [0, 2, 1, 3] });
  const ids = g.op('Reshape', [imageId, g.ints([-1, window])]);
  const sameImage = g.op('Equal', [g.op('Unsqueeze', [ids, g.ints([2])]), g.op('Unsqueeze', [ids, g.ints([1])])]);
  const mask = g.op('Unsqueeze', [g.op('Where', [sameImage, g.floats([0], []), g.floats([-1e9], [])]), g.ints([1])]);
  for (let b = 0; b < (spec.depth ?? 1); b++) {
    const block = `visual.blocks.${b}`;
    const normed = rmsNorm(net, x, `${block}.norm1`, hidden);
    const q = toWindows(linear(net, normed, `${block}.attn.q`, hidden, hidden, true));
    const k = toWindows(linear(net, normed, `${block}.attn.k`, hidden, hidden, true));
    const v = toWindows(linear(net, normed, `${block}.attn.v`, hidden, hidden, true));
    const scores = g.op('Add', [g.op('Mul', [g.op('MatMul', [q, g.op('Transpose', [k], { perm: [0, 1, 3, 2] })]), g.floats([1 / Math.sqrt(headDim)], [])]), mask]);
    const context = g.op('MatMul', [g.op('Softmax', [scores], { axis: -1 }), v]);
    const flat = g.op('Reshape', [g.op('Transpose', [context], { perm: [0, 2, 1, 3] }), g.ints([-1, hidden])]);
    x = g.op('Add', [x, linear(net, flat, `${block}.attn.proj`, hidden, hidden, true)]);
    x = g.op('Add', [x, gatedMlp(net, rmsNorm(net, x, `${block}.norm2`, hidden), `${block}.mlp`, hidden, spec.intermediate ?? 2 * hidden)]);
  }

  // Drop the padding, then merge each 2x2 block (4 consecutive rows) into one token.
  const real = g.op('Slice', [x, g.ints([0]), count, g.ints([0])]);
  const blocks = g.op('Reshape', [rmsNorm(net, real, 'visual.merger.ln_q', hidden), g.ints([-1, 4 * hidden])]);
  const mergedHidden = silu(g, linear(net, blocks, 'visual.merger.mlp.0', 4 * hidden, 4 * hidden, true));
  const merged = linear(net, mergedHidden, 'visual.merger.mlp.2', 4 * hidden, spec.outHidden, true);
  const features = mergedPosition ? mergedPosition(merged) : merged;
  if (halfIo(dtype)) g.output('image_features', 'float16', ['num_image_tokens', spec.outHidden], g.op('Cast', [features], { to: 10 }));
  else g.output('image_features', 'float32', ['num_image_tokens', spec.outHidden], features);
  return g;
}
