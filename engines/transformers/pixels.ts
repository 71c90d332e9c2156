/**
 * Builds Qwen2-VL / Qwen2.5-VL `pixel_values` from RGBA pixels the core has already resized.
 *
 * Why not the stock processor: it resizes every image again with its own `smart_resize` (halves
 * rounded up, clamped to its `max_pixels`), so an image at ERGO's size (which may exceed the budget
 * by a few percent) could come out at a different size. Here the size is exactly the one given,
 * and the row count is known in advance.
 *
 * Layout (same as the processor's view/permute): rows are patches ordered by 2x2 merge block
 * (block row, block column, then the 4 patches inside), columns are `channel, temporal, y, x` with
 * the still image repeated over the temporal patch.
 */
import type { Size } from '../../app/core/geometry';

export interface VisionPreprocess {
  /** Pixels per patch side (14). */
  readonly patchSize: number;
  /** Patches per merge side (2): one vision token per mergeSize^2 patches. */
  readonly mergeSize: number;
  /** Frames per temporal patch (2); a still image is repeated. */
  readonly temporalPatchSize: number;
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
  /** Multiplier from 0-255 to the model's range (1/255). */
  readonly rescale: number;
}

export interface PixelValues {
  /** Float32 `[rows, cols]`, row-major. */
  readonly data: Float32Array;
  readonly rows: number;
  readonly cols: number;
  /** `image_grid_thw`: temporal, height and width in patches. */
  readonly grid: readonly [t: number, h: number, w: number];
}

/** Reads the preprocessing constants from a `preprocessor_config.json` object (Qwen2VLImageProcessor). */
export function visionPreprocessFromConfig(config: Record<string, unknown>): VisionPreprocess {
  const triple = (v: unknown, name: string): [number, number, number] => {
    if (Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'number')) return [v[0] as number, v[1] as number, v[2] as number];
    throw Object.assign(new Error(`preprocessor_config.json: ${name} is ${JSON.stringify(v)}, expected 3 numbers`), { code: 'bad-preprocessor-config' });
  };
  const num = (v: unknown, fallback: number): number => (typeof v === 'number' ? v : fallback);
  return {
    patchSize: num(config.patch_size, 14),
    mergeSize: num(config.merge_size, 2),
    temporalPatchSize: num(config.temporal_patch_size, 2),
    mean: triple(config.image_mean, 'image_mean'),
    std: triple(config.image_std, 'image_std'),
    rescale: num(config.rescale_factor, 1 / 255),
  };
}

/**
 * `pixel_values` for one RGBA image whose width and height are multiples of patchSize*mergeSize.
 * rows = (h/patch)*(w/patch); cols = 3*temporal*patch*patch. Alpha is ignored (as the processor's RGB conversion drops it).
 */
export function buildPixelValues(rgba: Uint8ClampedArray | Uint8Array, size: Size, pre: VisionPreprocess): PixelValues {
  const { width, height } = size;
  const p = pre.patchSize;
  const m = pre.mergeSize;
  const tp = pre.temporalPatchSize;
  const factor = p * m;
  if (width % factor !== 0 || height % factor !== 0 || width <= 0 || height <= 0) {
    throw Object.assign(new Error(`image ${width}x${height} is not a positive multiple of ${factor} on both sides`), { code: 'bad-image-size' });
  }
  if (rgba.length !== width * height * 4) {
    throw Object.assign(new Error(`RGBA buffer has ${rgba.length} bytes, expected ${width * height * 4} for ${width}x${height}`), { code: 'bad-image-size' });
  }
  const gh = height / p;
  const gw = width / p;
  const rows = gh * gw;
  const cols = 3 * tp * p * p;
  const data = new Float32Array(rows * cols);
  // Per-channel affine map from a 0-255 byte to the normalized value.
  const scale = [0, 1, 2].map((c) => pre.rescale / pre.std[c as 0 | 1 | 2]);
  const shift = [0, 1, 2].map((c) => -pre.mean[c as 0 | 1 | 2] / pre.std[c as 0 | 1 | 2]);
  let row = 0;
  for (let bh = 0; bh < gh / m; bh++) {
    for (let bw = 0; bw < gw / m; bw++) {
      for (let mh = 0; mh < m; mh++) {
        for (let mw = 0; mw < m; mw++) {
          const y0 = (bh * m + mh) * p;
          const x0 = (bw * m + mw) * p;
          const base = row * cols;
          for (let c = 0; c < 3; c++) {
            const s = scale[c]!;
            const o = shift[c]!;
            for (let t = 0; t < tp; t++) {
              let col = base + (c * tp + t) * p * p;
              for (let y = 0; y < p; y++) {
                let src = ((y0 + y) * width + x0) * 4 + c;
                for (let x = 0; x < p; x++, src += 4) data[col++] = rgba[src]! * s + o;
              }
            }
          }
          row++;
        }
      }
    }
  }
  return { data, rows, cols, grid: [1, gh, gw] };
}
