/**
 * Will a model run here? Checked before a multi-GB download, from what the browser says about
 * itself: the WebGPU adapter's buffer limits and `shader-f16`, the storage quota, and
 * `navigator.deviceMemory`. Pure: the UI gathers the facts.
 */
import type { DeviceClass, ModelEntry } from './registry';

export interface DeviceFacts {
  /** null: no WebGPU adapter. */
  readonly gpu: { readonly shaderF16: boolean; readonly maxBufferSize: number; readonly maxStorageBufferBindingSize: number } | null;
  /** `navigator.storage.estimate()`; null where unavailable. */
  readonly storage: { readonly quota: number; readonly usage: number } | null;
  /** `navigator.deviceMemory` in GB (browsers cap it at 8 and round it); null where unavailable. */
  readonly deviceMemoryGb: number | null;
  /** Bytes of this model the browser's cache already holds (not downloaded again). */
  readonly cachedBytes: number;
}

export type Verdict = 'fits' | 'wasm-only' | 'too-large';

export interface DeviceCheck {
  readonly verdict: Verdict;
  /** Plain sentences: what was compared and what failed. */
  readonly reasons: readonly string[];
  /** The device class the verdict is for (where the model would run). */
  readonly runsOn: DeviceClass | null;
}

const GiB = 1024 ** 3;
/** wasm's 32-bit heap, less what a run needs besides the weights at a 640-token budget (see runMemory.ts). */
const WASM_WEIGHTS_LIMIT = 4 * GiB - 0.75 * GiB;
const gb = (bytes: number): string => `${(bytes / 1e9).toFixed(1)} GB`;

/**
 * Whether a model can run on wasm at all, whatever the device: it has wasm dtypes, and its
 * fp32-activation weights (when their size is known) leave the 4 GB heap room to run. The backend
 * choice offers wasm only for such models, with the reason when it does not.
 */
export function wasmFit(entry: ModelEntry): { readonly ok: true } | { readonly ok: false; readonly reason: string } {
  if (!entry.dtypes.wasm) return { ok: false, reason: entry.unsupported ?? 'not offered for this model' };
  if (entry.approxBytes && entry.approxBytes.f32 > WASM_WEIGHTS_LIMIT) return { ok: false, reason: `${gb(entry.approxBytes.f32)} of weights do not fit the 4 GB wasm heap with room to run` };
  return { ok: true };
}

export function checkDevice(entry: ModelEntry, facts: DeviceFacts): DeviceCheck {
  const reasons: string[] = [];
  if (!entry.approxBytes) return { verdict: 'fits', reasons: ['Size unknown until the files are read: the loader checks the real files before downloading them.'], runsOn: null };

  let gpuOk = false;
  let gpuClass: DeviceClass | null = null;
  if (!facts.gpu) reasons.push('No WebGPU adapter in this browser.');
  else {
    gpuClass = facts.gpu.shaderF16 && entry.dtypes.webgpuF16 ? 'webgpuF16' : 'webgpu';
    const dtypes = entry.dtypes[gpuClass];
    const limit = Math.min(facts.gpu.maxBufferSize, facts.gpu.maxStorageBufferBindingSize);
    const tensor = entry.embedding ? entry.embedding.rows * entry.embedding.width * (dtypes?.embed_tokens === 'fp16' ? 2 : 4) : 0;
    if (!dtypes) reasons.push(`WebGPU: ${entry.unsupported ?? 'no dtypes for this adapter'}.`);
    else if (tensor > limit) reasons.push(`WebGPU: the embeddings (${gb(tensor)} in ${dtypes.embed_tokens}) do not fit one buffer of this adapter (limit ${gb(limit)}).`);
    else {
      gpuOk = true;
      reasons.push(`WebGPU: largest tensor ${gb(tensor)} within the adapter's ${gb(limit)} buffer limit; ${facts.gpu.shaderF16 ? 'shader-f16 present, fp16/q4f16 weights' : 'no shader-f16, fp32-activation weights (fp16 would compute zeros)'}.`);
    }
  }

  const wasmBytes = entry.approxBytes.f32;
  const wasm = wasmFit(entry);
  let wasmOk = wasm.ok;
  if (!wasm.ok) reasons.push(`wasm: ${wasm.reason}.`);
  if (facts.deviceMemoryGb !== null && facts.deviceMemoryGb < 8) {
    const need = (gpuOk ? entry.approxBytes.f16 : wasmBytes) * 1.3;
    if (need > facts.deviceMemoryGb * GiB) {
      reasons.push(`This device reports ${facts.deviceMemoryGb} GB of memory; loading needs about ${gb(need)}.`);
      gpuOk = false;
      wasmOk = false;
    }
  }

  const download = Math.max(0, (gpuOk && gpuClass === 'webgpuF16' ? entry.approxBytes.f16 : entry.approxBytes.f32) - facts.cachedBytes);
  if (facts.storage && download > facts.storage.quota - facts.storage.usage) {
    reasons.push(`Storage: ${gb(download)} to download, but the browser grants only ${gb(Math.max(0, facts.storage.quota - facts.storage.usage))} more.`);
    return { verdict: 'too-large', reasons, runsOn: null };
  }
  if (gpuOk) return { verdict: 'fits', reasons, runsOn: gpuClass };
  if (wasmOk) return { verdict: 'wasm-only', reasons, runsOn: 'wasm' };
  return { verdict: 'too-large', reasons, runsOn: null };
}
