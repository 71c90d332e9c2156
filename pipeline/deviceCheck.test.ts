import { describe, expect, it } from 'vitest';
import { checkDevice, wasmFit, type DeviceFacts } from './deviceCheck';
import { findModel } from './registry';

const GiB = 1024 ** 3;
const desktop: DeviceFacts = { gpu: { shaderF16: true, maxBufferSize: 4 * GiB, maxStorageBufferBindingSize: 2 * GiB }, storage: { quota: 100e9, usage: 1e9 }, deviceMemoryGb: 8, cachedBytes: 0 };
const swiftShader: DeviceFacts = { ...desktop, gpu: { shaderF16: false, maxBufferSize: GiB, maxStorageBufferBindingSize: GiB } };
const qwen3b = findModel('qwen2.5-vl-3b-instruct')!;
const ergo7b = findModel('ergo-7b')!;
const qwen2b = findModel('qwen2-vl-2b-instruct')!;

describe('checkDevice', () => {
  it('fits on a desktop GPU with shader-f16', () => {
    expect(checkDevice(qwen3b, desktop)).toMatchObject({ verdict: 'fits', runsOn: 'webgpuF16' });
  });

  it('without shader-f16 the fp32 embeddings must fit one buffer: 151936 x 2048 x 4 B = 1.24 GB > 1 GiB', () => {
    const check = checkDevice(qwen3b, swiftShader);
    // And 3.4 GB of fp32-activation weights leave no room to run in wasm's 4 GB heap.
    expect(check.verdict).toBe('too-large');
    expect(check.reasons.join(' ')).toMatch(/the embeddings \(1\.2 GB in fp32\) do not fit one buffer of this adapter \(limit 1\.1 GB\)/);
    expect(check.reasons.join(' ')).toMatch(/wasm: 3\.7 GB of weights do not fit the 4 GB wasm heap/);
    // Qwen2-VL-2B's 0.93 GB fp32 embeddings do fit.
    expect(checkDevice(qwen2b, swiftShader)).toMatchObject({ verdict: 'fits', runsOn: 'webgpu' });
  });

  it('fits on wasm only without an adapter', () => {
    expect(checkDevice(qwen2b, { ...desktop, gpu: null })).toMatchObject({ verdict: 'wasm-only', runsOn: 'wasm', reasons: expect.arrayContaining(['No WebGPU adapter in this browser.']) });
  });

  it('7B: WebGPU only, too large without an adapter that holds its 1.09 GB fp16 embeddings', () => {
    expect(checkDevice(ergo7b, desktop)).toMatchObject({ verdict: 'fits' });
    const small = { ...desktop, gpu: { shaderF16: true, maxBufferSize: GiB, maxStorageBufferBindingSize: GiB } };
    const check = checkDevice(ergo7b, small);
    expect(check.verdict).toBe('too-large');
    expect(check.reasons.join(' ')).toMatch(/wasm: a 7B model does not fit the 4 GiB wasm heap; use WebGPU\./);
  });

  it('wasm is offered only to models that can run there, whatever the device', () => {
    expect(wasmFit(ergo7b)).toEqual({ ok: false, reason: 'a 7B model does not fit the 4 GiB wasm heap; use WebGPU' });
    // 3.4 GiB of fp32-activation weights = 3.7 GB, past the heap's 4 GiB less 0.75 GiB to run
    expect(wasmFit(qwen3b)).toEqual({ ok: false, reason: '3.7 GB of weights do not fit the 4 GB wasm heap with room to run' });
    // 3.2 GiB fits under 3.25 GiB
    expect(wasmFit(qwen2b)).toEqual({ ok: true });
    expect(wasmFit(findModel('tiny-random-qwen2_5_vl')!)).toEqual({ ok: true });
    expect(wasmFit(findModel('server')!)).toMatchObject({ ok: false });
  });

  it('too large when the storage quota cannot take the download; what is cached counts', () => {
    const tight = { ...desktop, storage: { quota: 3e9, usage: 1e9 } };
    expect(checkDevice(qwen3b, tight)).toMatchObject({ verdict: 'too-large', reasons: expect.arrayContaining([expect.stringMatching(/Storage: 2\.7 GB to download, but the browser grants only 2\.0 GB more/)]) });
    expect(checkDevice(qwen3b, { ...tight, cachedBytes: 1.5e9 }).verdict).toBe('fits');
  });

  it('a device reporting little memory is told how much loading needs', () => {
    const check = checkDevice(qwen3b, { ...desktop, deviceMemoryGb: 2 });
    expect(check.verdict).toBe('too-large');
    expect(check.reasons.join(' ')).toMatch(/reports 2 GB of memory; loading needs about 3\.5 GB/);
  });
});
