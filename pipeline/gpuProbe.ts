/**
 * Asks the browser for a WebGPU adapter. `navigator.gpu` existing proves nothing: headless or
 * blocklisted browsers expose it and then grant no adapter, so only a granted one counts.
 */
import type { GpuProbe } from '../engines/transformers/backendChoice';

interface GpuAdapterLike {
  readonly features: ReadonlySet<string>;
  readonly info?: { vendor?: string; architecture?: string; device?: string };
  readonly limits?: { maxStorageBufferBindingSize?: number };
}

export async function probeGpu(): Promise<GpuProbe> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> } }).gpu;
  if (!gpu) return { adapter: null };
  const adapter = await gpu.requestAdapter().catch(() => null);
  if (!adapter) return { adapter: null };
  const info = adapter.info;
  const description = [info?.vendor, info?.architecture, info?.device].filter(Boolean).join(' ') || 'unknown adapter';
  return { adapter: { description, shaderF16: adapter.features.has('shader-f16'), maxBufferBytes: adapter.limits?.maxStorageBufferBindingSize ?? 0 } };
}
