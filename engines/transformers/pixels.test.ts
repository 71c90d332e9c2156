import { Qwen2VLImageProcessor, RawImage } from '@huggingface/transformers';
import { describe, expect, it } from 'vitest';
import { buildPixelValues, visionPreprocessFromConfig } from './pixels';

// The Qwen2-VL / Qwen2.5-VL preprocessor_config.json values.
const CONFIG = {
  image_processor_type: 'Qwen2VLImageProcessor',
  do_resize: true,
  do_rescale: true,
  do_normalize: true,
  do_convert_rgb: true,
  rescale_factor: 1 / 255,
  image_mean: [0.48145466, 0.4578275, 0.40821073],
  image_std: [0.26862954, 0.26130258, 0.27577711],
  min_pixels: 3136,
  max_pixels: 12845056,
  patch_size: 14,
  merge_size: 2,
  temporal_patch_size: 2,
};

function testImage(width: number, height: number): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    rgba[4 * i] = (i * 7) % 256;
    rgba[4 * i + 1] = (i * 13 + 5) % 256;
    rgba[4 * i + 2] = (i * 29 + 11) % 256;
    rgba[4 * i + 3] = 255;
  }
  return rgba;
}

describe('buildPixelValues', () => {
  it('matches the stock Qwen2VLImageProcessor on an image already at a multiple of 28 (84x56)', async () => {
    const width = 84;
    const height = 56;
    const rgba = testImage(width, height);
    const processor = new Qwen2VLImageProcessor(CONFIG);
    const stock = await processor(new RawImage(rgba, width, height, 4));
    const ours = buildPixelValues(rgba, { width, height }, visionPreprocessFromConfig(CONFIG));
    // (56/14)*(84/14) = 24 patches of 3*2*14*14 = 1176 values; grid [1, 4, 6].
    expect(stock.pixel_values.dims).toEqual([24, 1176]);
    expect([ours.rows, ours.cols]).toEqual([24, 1176]);
    expect(ours.grid).toEqual([1, 4, 6]);
    expect(stock.image_grid_thw.tolist()).toEqual([[1n, 4n, 6n]]);
    const expected = stock.pixel_values.data as Float32Array;
    let maxDiff = 0;
    for (let i = 0; i < expected.length; i++) maxDiff = Math.max(maxDiff, Math.abs(expected[i]! - ours.data[i]!));
    // Same arithmetic in a different order: float32 rounding only.
    expect(maxDiff).toBeLessThan(1e-5);
  });

  it('refuses a size that is not a multiple of 28, naming it', () => {
    expect(() => buildPixelValues(new Uint8ClampedArray(30 * 28 * 4), { width: 30, height: 28 }, visionPreprocessFromConfig(CONFIG))).toThrow(/30x28/);
  });
});
