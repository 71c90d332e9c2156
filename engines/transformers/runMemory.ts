/**
 * Memory a run needs beyond the weights, estimated before it starts, so an over-large budget is
 * lowered with a message (or the run refused with one) instead of the runtime running out of
 * memory mid-encode.
 *
 * What grows with the budget of T vision tokens per image (4T patches):
 * - the vision tower's full-attention layers hold `heads x P x P` float32 scores and as many
 *   softmax outputs (Qwen2-VL attends over the whole image in every block; Qwen2.5-VL in its
 *   `fullatt_block_indexes` blocks, windows of 64 patches elsewhere);
 * - the decoder's KV cache over both turns: two images, the prompts and both outputs.
 * On wasm all of it shares the 4 GiB heap with the weights; on WebGPU one score tensor must fit
 * one storage buffer binding.
 */
import type { ModelDims } from './modelConfig';

const WASM_HEAP = 4 * 1024 ** 3;
/** Heap kept free for ORT's arenas, the embeddings of a prompt and the logits. */
const WASM_MARGIN = 384 * 1024 ** 2;
const PATCHES_PER_TOKEN = 4;
/** Text around the images in ERGO's two turns (system prompt, instructions, question), generously. */
const TEXT_TOKENS = 400;
/** Budgets below this are not worth running: the coarse image would be too blurry to localize anything. */
export const MIN_BUDGET = 256;

export interface RunMemoryDevice {
  /** wasm, webgpu, or a native backend (Node), whose memory is not bounded by a wasm heap. */
  readonly backend: string;
  /** Bytes of weights resident in the wasm heap (the ONNX files); ignored on WebGPU. */
  readonly modelBytes: number;
  /** WebGPU's maxStorageBufferBindingSize; ignored on wasm. */
  readonly maxBufferBytes: number;
}

/** Bytes of one full-attention layer's scores and softmax for `tokens` vision tokens (0 for window-only towers). */
export function visionAttentionBytes(dims: ModelDims, tokens: number): number {
  const fullAttention = dims.vision.fullAttentionBlocks === null || dims.vision.fullAttentionBlocks.length > 0;
  if (!fullAttention) return 0;
  const patches = tokens * PATCHES_PER_TOKEN;
  return 2 * dims.vision.heads * patches * patches * 4;
}

/** Bytes of the KV cache for both turns at `tokens` per image and `maxNewTokens` per turn. */
export function kvCacheBytes(dims: ModelDims, tokens: number, maxNewTokens: number, bytesPerValue: number): number {
  const positions = 2 * tokens + TEXT_TOKENS + 2 * maxNewTokens;
  return dims.text.layers * 2 * dims.text.kvHeads * dims.text.headDim * positions * bytesPerValue;
}

export type BudgetCheck =
  | { readonly ok: true; readonly budget: number; readonly lowered: string | null }
  | { readonly ok: false; readonly code: 'budget-too-large'; readonly message: string };

const GB = (bytes: number): string => `${(bytes / 1024 ** 3).toFixed(2)} GB`;

/** The largest budget up to `wanted` whose activations fit this device, and why it was lowered. */
export function fitBudget(dims: ModelDims, wanted: number, maxNewTokens: number, device: RunMemoryDevice): BudgetCheck {
  const fits = (tokens: number): boolean => {
    const scores = visionAttentionBytes(dims, tokens);
    if (device.backend === 'webgpu') return scores / 2 <= device.maxBufferBytes;
    if (device.backend !== 'wasm') return true;
    return device.modelBytes + WASM_MARGIN + scores + kvCacheBytes(dims, tokens, maxNewTokens, 4) <= WASM_HEAP;
  };
  if (fits(wanted)) return { ok: true, budget: wanted, lowered: null };
  let budget = wanted;
  while (budget > MIN_BUDGET && !fits(budget)) budget -= 32;
  const need = visionAttentionBytes(dims, wanted) + (device.backend === 'wasm' ? kvCacheBytes(dims, wanted, maxNewTokens, 4) : 0);
  const room =
    device.backend === 'webgpu'
      ? `one ${GB(visionAttentionBytes(dims, wanted) / 2)} attention score tensor, past this adapter's ${GB(device.maxBufferBytes)} buffer limit`
      : `${GB(need)} of vision attention and KV cache next to ${GB(device.modelBytes)} of weights in wasm's 4 GB heap`;
  if (!fits(budget)) {
    return { ok: false, code: 'budget-too-large', message: `even a ${MIN_BUDGET}-token budget does not fit this device: ${wanted} tokens would need ${room}. Use a smaller model or WebGPU.` };
  }
  return { ok: true, budget, lowered: `a ${wanted}-token budget would need ${room}; this run uses ${budget} tokens per image` };
}
