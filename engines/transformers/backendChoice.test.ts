import { describe, expect, it } from 'vitest';
import { chooseBackend, wasmThreads } from './backendChoice';
import { findModel } from '../../pipeline/registry';

const tiny = findModel('tiny-random-qwen2_5_vl')!;
const hub = findModel('qwen2-vl-2b-instruct')!;
const ergo = findModel('ergo-7b')!;
const f16 = { adapter: { description: 'acme gpu', shaderF16: true, maxBufferBytes: 2 ** 30 } };
const noF16 = { adapter: { description: 'google swiftshader', shaderF16: false, maxBufferBytes: 2 ** 30 } };
const none = { adapter: null };

describe('chooseBackend', () => {
  it('auto takes WebGPU when there is an adapter, with fp16 dtypes only under shader-f16', () => {
    expect(chooseBackend('auto', f16, hub)).toMatchObject({ ok: true, backend: 'webgpu', deviceClass: 'webgpuF16', dtypes: { decoder_model_merged: 'q4f16' } });
    expect(chooseBackend('auto', noF16, hub)).toMatchObject({ ok: true, backend: 'webgpu', deviceClass: 'webgpu', dtypes: { decoder_model_merged: 'q4', embed_tokens: 'fp32' } });
  });
  it('auto without an adapter falls back to wasm and says why', () => {
    expect(chooseBackend('auto', none, tiny)).toMatchObject({ ok: true, backend: 'wasm', reason: 'auto: no WebGPU adapter, using wasm' });
  });
  it('forcing WebGPU without an adapter is an error; forcing wasm ignores the adapter', () => {
    expect(chooseBackend('webgpu', none, tiny)).toMatchObject({ ok: false, code: 'no-webgpu' });
    expect(chooseBackend('wasm', f16, tiny)).toMatchObject({ ok: true, backend: 'wasm', dtypes: { decoder_model_merged: 'fp32' } });
  });
  it('refuses a device class the model has no dtypes for, naming the reason', () => {
    const r = chooseBackend('wasm', none, ergo);
    expect(r).toMatchObject({ ok: false, code: 'unsupported-device' });
    expect(!r.ok && r.message).toMatch(/4 GiB wasm heap/);
  });
  it('keeps embeddings and vision features the same element type in every map', () => {
    const f16Types = new Set(['fp16', 'q4f16']);
    for (const entry of [tiny, hub, ergo]) {
      for (const map of Object.values(entry.dtypes)) {
        if (map) expect(f16Types.has(map.embed_tokens)).toBe(f16Types.has(map.vision_encoder));
      }
    }
  });
});

describe('wasmThreads', () => {
  it('uses up to 4 cores, and 1 without cross-origin isolation', () => {
    expect(wasmThreads(2, true)).toBe(2);
    expect(wasmThreads(16, true)).toBe(4);
    expect(wasmThreads(16, false)).toBe(1);
  });
});
