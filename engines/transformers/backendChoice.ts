/**
 * Which backend and dtypes a load uses, from the user's preference and what the browser offers.
 * Pure: the worker probes WebGPU and passes the facts in.
 */
import type { BackendPreference } from '../../pipeline/protocol';

/** The backends a browser offers. */
export type BrowserBackend = 'webgpu' | 'wasm';
import type { DeviceClass, DtypeMap, ModelEntry } from '../../pipeline/registry';

export interface GpuProbe {
  /** An adapter was granted; null when `navigator.gpu` is missing or `requestAdapter()` gave nothing. */
  readonly adapter: { readonly description: string; readonly shaderF16: boolean; readonly maxBufferBytes: number } | null;
}

export type BackendChoice =
  | { readonly ok: true; readonly backend: BrowserBackend; readonly deviceClass: DeviceClass; readonly dtypes: DtypeMap; readonly reason: string }
  | { readonly ok: false; readonly code: 'no-webgpu' | 'unsupported-device'; readonly message: string };

/**
 * `auto`: WebGPU when an adapter exists, else wasm (saying why). `webgpu` forced without an adapter
 * fails. The dtypes follow the device class: fp16 only with `shader-f16`.
 */
export function chooseBackend(preference: BackendPreference, probe: GpuProbe, entry: ModelEntry): BackendChoice {
  const adapter = probe.adapter;
  if (preference === 'webgpu' && !adapter) {
    return { ok: false, code: 'no-webgpu', message: 'WebGPU was requested but this browser offers no WebGPU adapter' };
  }
  let backend: BrowserBackend;
  let reason: string;
  if (preference === 'wasm') {
    backend = 'wasm';
    reason = 'wasm requested';
  } else if (adapter) {
    backend = 'webgpu';
    reason = `${preference === 'auto' ? 'auto' : 'requested'}: WebGPU adapter ${adapter.description}${adapter.shaderF16 ? ' with shader-f16' : ' without shader-f16 (fp32-activation dtypes)'}`;
  } else {
    backend = 'wasm';
    reason = 'auto: no WebGPU adapter, using wasm';
  }
  const deviceClass: DeviceClass = backend === 'wasm' ? 'wasm' : adapter?.shaderF16 ? 'webgpuF16' : 'webgpu';
  const dtypes = entry.dtypes[deviceClass];
  if (!dtypes) {
    return { ok: false, code: 'unsupported-device', message: `${entry.label} cannot run on ${deviceClass}: ${entry.unsupported ?? 'no dtypes for this device'}` };
  }
  return { ok: true, backend, deviceClass, dtypes, reason };
}

/** wasm threads: all cores up to 4 (more rarely helps a batch-1 decoder), and only when SharedArrayBuffer is allowed. */
export function wasmThreads(hardwareConcurrency: number, crossOriginIsolated: boolean): number {
  if (!crossOriginIsolated) return 1;
  return Math.max(1, Math.min(4, hardwareConcurrency || 1));
}
