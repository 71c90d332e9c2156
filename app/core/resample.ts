/**
 * Pillow-faithful antialiased resampling of RGBA pixels (ImageData layout): the coarse image is
 * resized with PIL's BICUBIC and the crop with LANCZOS in ERGO, and a canvas `drawImage` is not the
 * same (no antialiasing kernel widening), so the model would see different pixels.
 *
 * Mirrors Pillow's 8-bit path: separable passes (horizontal, then vertical) whose kernels widen by
 * the downscale ratio, per-pixel weights normalized then stored as 22-bit fixed point, rounding
 * offset, and an 8-bit clamped intermediate between the passes. Alpha is ignored like
 * `convert('RGB')`; output alpha is 255.
 */

export type ResampleFilter = 'bicubic' | 'lanczos';

export interface RgbaPixels {
  readonly data: Uint8ClampedArray;
  readonly width: number;
  readonly height: number;
}

const PRECISION_BITS = 32 - 8 - 2;
const HALF = 1 << (PRECISION_BITS - 1);
const ONE = 1 << PRECISION_BITS;

interface Filter {
  readonly support: number;
  weight(x: number): number;
}

const BICUBIC_A = -0.5;

const FILTERS: Record<ResampleFilter, Filter> = {
  bicubic: {
    support: 2,
    weight(x) {
      const t = Math.abs(x);
      if (t < 1) return ((BICUBIC_A + 2) * t - (BICUBIC_A + 3)) * t * t + 1;
      if (t < 2) return (((t - 5) * t + 8) * t - 4) * BICUBIC_A;
      return 0;
    },
  },
  lanczos: {
    support: 3,
    weight(x) {
      if (x <= -3 || x >= 3) return 0;
      return sinc(x) * sinc(x / 3);
    },
  },
};

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = Math.PI * x;
  return Math.sin(px) / px;
}

/** Per output index: first input index, tap count, and `taps` fixed-point weights. */
interface Kernel {
  readonly first: Int32Array;
  readonly count: Int32Array;
  readonly taps: number;
  readonly weights: Int32Array;
}

/** Pillow's `precompute_coeffs` + `normalize_coeffs_8bpc` for one axis. */
function kernel(inSize: number, outSize: number, filter: Filter): Kernel {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filter.support * filterScale;
  const taps = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * taps);
  const row = new Float64Array(taps);
  for (let out = 0; out < outSize; out++) {
    const center = (out + 0.5) * scale;
    const min = Math.max(Math.trunc(center - support + 0.5), 0);
    const n = Math.min(Math.trunc(center + support + 0.5), inSize) - min;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const w = filter.weight((i + min - center + 0.5) / filterScale);
      row[i] = w;
      sum += w;
    }
    for (let i = 0; i < n; i++) {
      const w = sum !== 0 ? row[i]! / sum : row[i]!;
      // C's (int) truncation of w * 2^22 -/+ 0.5: round half away from zero.
      weights[out * taps + i] = w < 0 ? Math.trunc(-0.5 + w * ONE) : Math.trunc(0.5 + w * ONE);
    }
    first[out] = min;
    count[out] = n;
  }
  return { first, count, taps, weights };
}

const clip8 = (acc: number): number => {
  const v = acc >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
};

/** Packed little-endian RGBA words: one memory read per pixel instead of three. */
function pixelWords(src: RgbaPixels): Uint32Array {
  const { data } = src;
  const aligned = data.byteOffset % 4 === 0 ? data : data.slice();
  return new Uint32Array(aligned.buffer, aligned.byteOffset, src.width * src.height);
}

/** Horizontal pass over rows `[rowStart, rowEnd)` of RGBA `src` into a packed RGB buffer. */
function horizontal(src: RgbaPixels, rowStart: number, rowEnd: number, outWidth: number, k: Kernel): Uint8Array {
  const out = new Uint8Array((rowEnd - rowStart) * outWidth * 3);
  const words = pixelWords(src);
  const { first, count, weights, taps } = k;
  const width = src.width;
  let o = 0;
  for (let y = rowStart; y < rowEnd; y++) {
    const rowBase = y * width;
    for (let x = 0; x < outWidth; x++) {
      // Sums stay within int32 (as in Pillow's C), so int32 arithmetic is exact and fast.
      let r = HALF;
      let g = HALF;
      let b = HALF;
      const n = count[x]!;
      const wBase = x * taps;
      const p = rowBase + first[x]!;
      for (let i = 0; i < n; i++) {
        const w = weights[wBase + i]!;
        const px = words[p + i]!;
        r = (r + Math.imul(px & 0xff, w)) | 0;
        g = (g + Math.imul((px >>> 8) & 0xff, w)) | 0;
        b = (b + Math.imul((px >>> 16) & 0xff, w)) | 0;
      }
      out[o++] = clip8(r);
      out[o++] = clip8(g);
      out[o++] = clip8(b);
    }
  }
  return out;
}

/** Vertical pass: packed RGB rows (starting at input row `rowOffset`) -> RGBA output. */
function vertical(src: Uint8Array, width: number, rowOffset: number, outHeight: number, k: Kernel): Uint8ClampedArray {
  const out = new Uint8ClampedArray(width * outHeight * 4);
  const stride = width * 3;
  const acc = new Int32Array(stride);
  for (let y = 0; y < outHeight; y++) {
    acc.fill(HALF);
    const n = k.count[y]!;
    const wBase = y * k.taps;
    const start = k.first[y]! - rowOffset;
    // Row-major accumulation keeps memory access sequential (the kernel runs down columns).
    for (let i = 0; i < n; i++) {
      const w = k.weights[wBase + i]!;
      const base = (start + i) * stride;
      for (let j = 0; j < stride; j++) acc[j] = (acc[j]! + Math.imul(src[base + j]!, w)) | 0;
    }
    let o = y * width * 4;
    for (let j = 0; j < stride; j += 3) {
      out[o] = clip8(acc[j]!);
      out[o + 1] = clip8(acc[j + 1]!);
      out[o + 2] = clip8(acc[j + 2]!);
      out[o + 3] = 255;
      o += 4;
    }
  }
  return out;
}

function rgbToRgba(rgb: Uint8Array, width: number, height: number): Uint8ClampedArray {
  const out = new Uint8ClampedArray(width * height * 4);
  for (let i = 0, o = 0; i < rgb.length; i += 3, o += 4) {
    out[o] = rgb[i]!;
    out[o + 1] = rgb[i + 1]!;
    out[o + 2] = rgb[i + 2]!;
    out[o + 3] = 255;
  }
  return out;
}

function rgbaToRgb(src: RgbaPixels): Uint8Array {
  const out = new Uint8Array(src.width * src.height * 3);
  for (let i = 0, o = 0; o < out.length; i += 4, o += 3) {
    out[o] = src.data[i]!;
    out[o + 1] = src.data[i + 1]!;
    out[o + 2] = src.data[i + 2]!;
  }
  return out;
}

/**
 * Resizes `image` to `width` x `height` like Pillow's `Image.resize((width, height), filter)` on
 * its RGB channels. Bit-exact with Pillow's 8-bit fixed-point path (up to the last bit of `sin`
 * in Lanczos weights). A pass whose size does not change is skipped, as in Pillow.
 */
export function resizeRGBA(image: RgbaPixels, width: number, height: number, filter: ResampleFilter): RgbaPixels {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`resize target must be positive integers, got ${width}x${height}`);
  }
  const f = FILTERS[filter];
  const needH = width !== image.width;
  const needV = height !== image.height;
  if (!needV) {
    const rgb = needH ? horizontal(image, 0, image.height, width, kernel(image.width, width, f)) : rgbaToRgb(image);
    return { data: rgbToRgba(rgb, width, height), width, height };
  }
  const kv = kernel(image.height, height, f);
  // Only the input rows some output row reads need the horizontal pass.
  const rowStart = kv.first[0]!;
  const rowEnd = kv.first[height - 1]! + kv.count[height - 1]!;
  const rows = needH ? horizontal(image, rowStart, rowEnd, width, kernel(image.width, width, f)) : rgbaToRgb(image).subarray(rowStart * width * 3, rowEnd * width * 3);
  return { data: vertical(rows, width, rowStart, height, kv), width, height };
}
