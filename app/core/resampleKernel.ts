/**
 * Pillow's resampling coefficients for one axis (`precompute_coeffs` + `normalize_coeffs_8bpc` in
 * its Resample.c): the filter is widened by the downscale ratio (antialiasing), each output
 * pixel's window is normalized to sum 1, then stored as fixed point with `PRECISION_BITS`
 * fractional bits so that the passes are integer-exact.
 */

export type ResampleFilter = 'bicubic' | 'lanczos';

/** Fractional bits of the fixed-point weights: 32 - 8 (pixel) - 2 (headroom), as in Pillow. */
export const PRECISION_BITS = 32 - 8 - 2;

const ONE = 1 << PRECISION_BITS;

interface Filter {
  /** Half-width of the kernel in input pixels at scale 1. */
  readonly support: number;
  weight(x: number): number;
}

/** Keys' cubic with a = -0.5, Pillow's BICUBIC. */
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

/**
 * Coefficient tables for resizing one axis from `inSize` to `outSize` pixels. Output pixel `o`
 * reads input pixels `first[o] .. first[o] + count[o] - 1` (always inside `[0, inSize)`) with
 * weights `weights[o * taps + i]`, fixed point with `PRECISION_BITS` fractional bits.
 */
export interface AxisKernel {
  readonly first: Int32Array;
  readonly count: Int32Array;
  /** Stride of `weights` per output pixel; `count[o] <= taps`. */
  readonly taps: number;
  readonly weights: Int32Array;
}

export function axisKernel(inSize: number, outSize: number, filter: ResampleFilter): AxisKernel {
  const f = FILTERS[filter];
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = f.support * filterScale;
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
      const w = f.weight((i + min - center + 0.5) / filterScale);
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
