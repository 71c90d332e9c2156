/**
 * 4-bit block quantization in the layout of `com.microsoft` MatMulNBits (what the Hub's `_q4`
 * exports use): for a `[K, N]` weight, B is uint8 `[N, ceil(K/32), 16]` (two 4-bit values per
 * byte, the even k in the low nibble) and one float scale per (n, block). Symmetric, without
 * zero points, so the runtime's default zero point of 8 applies: w = (q - 8) * scale.
 */

export const Q4_BLOCK = 32;

export interface Q4Weight {
  readonly packed: Uint8Array;
  readonly scales: Float32Array;
  readonly blocks: number;
}

/** Quantizes row-major `weight` of shape `[k, n]`. */
export function quantizeQ4(weight: Float32Array, k: number, n: number): Q4Weight {
  const blocks = Math.ceil(k / Q4_BLOCK);
  const blobSize = Q4_BLOCK / 2;
  const packed = new Uint8Array(n * blocks * blobSize);
  const scales = new Float32Array(n * blocks);
  for (let col = 0; col < n; col++) {
    for (let b = 0; b < blocks; b++) {
      const start = b * Q4_BLOCK;
      const end = Math.min(start + Q4_BLOCK, k);
      let maxAbs = 0;
      for (let row = start; row < end; row++) maxAbs = Math.max(maxAbs, Math.abs(weight[row * n + col]!));
      const scale = maxAbs > 0 ? maxAbs / 7 : 1;
      scales[col * blocks + b] = scale;
      for (let i = 0; i < Q4_BLOCK; i++) {
        const row = start + i;
        // Padding past K quantizes to the zero point, contributing nothing.
        const q = row < end ? Math.min(15, Math.max(0, Math.round(weight[row * n + col]! / scale) + 8)) : 8;
        const byte = (col * blocks + b) * blobSize + (i >> 1);
        packed[byte] = packed[byte]! | (i % 2 === 0 ? q : q << 4);
      }
    }
  }
  return { packed, scales, blocks };
}

export interface Q8Weight {
  /** uint8 `[k, n]`, row-major like the weight. */
  readonly values: Uint8Array;
  /** One scale and zero point per output column (DequantizeLinear with axis 1). */
  readonly scales: Float32Array;
  readonly zeroPoints: Uint8Array;
}

/** Symmetric 8-bit quantization per output column of row-major `[k, n]`: w = (q - 128) * scale. */
export function quantizeQ8(weight: Float32Array, k: number, n: number): Q8Weight {
  const scales = new Float32Array(n);
  for (let i = 0; i < k * n; i++) scales[i % n] = Math.max(scales[i % n]!, Math.abs(weight[i]!));
  for (let col = 0; col < n; col++) scales[col] = scales[col]! > 0 ? scales[col]! / 127 : 1;
  const values = new Uint8Array(k * n);
  for (let i = 0; i < k * n; i++) values[i] = Math.min(255, Math.max(0, Math.round(weight[i]! / scales[i % n]!) + 128));
  return { values, scales, zeroPoints: new Uint8Array(n).fill(128) };
}
