/**
 * How many vision tokens the "direct" baseline may spend on this device.
 *
 * Qwen's stock cap is 16384 tokens (65536 patches). The vision tower's full-attention layers hold
 * a `patches x patches` float32 score matrix per head: 17 GB per head at the stock cap, which no
 * browser can allocate. So the default cap is 4096 tokens (16384 patches: exactly 1 GiB per head,
 * the largest buffer WebGPU implementations commonly grant, e.g. SwiftShader's 1 GiB
 * maxStorageBufferBindingSize), and a run is lowered further when the device says less.
 */

/** Default token cap of the direct baseline (see above). */
export const DEFAULT_DIRECT_CAP = 4096;

const PATCHES_PER_TOKEN = 4;
const WASM_HEAP_FOR_SCORES = 3 * 1024 ** 3;

/**
 * Largest token count whose attention scores fit: on WebGPU one head's matrix must fit one storage
 * buffer binding; on wasm all heads' matrices must fit in what the 4 GiB heap leaves (3 GiB).
 */
export function deviceTokenCap(device: { readonly backend: 'webgpu'; readonly maxBufferBytes: number } | { readonly backend: 'wasm'; readonly visionHeads: number }): number {
  const bytes = device.backend === 'webgpu' ? device.maxBufferBytes : WASM_HEAP_FOR_SCORES / device.visionHeads;
  return Math.floor(Math.sqrt(bytes / 4) / PATCHES_PER_TOKEN);
}
