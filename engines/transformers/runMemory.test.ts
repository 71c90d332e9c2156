import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normalizeConfig, type ModelDims } from './modelConfig';
import { fitBudget, kvCacheBytes, visionAttentionBytes } from './runMemory';

const dims = (name: string): ModelDims => {
  const check = normalizeConfig(JSON.parse(readFileSync(new URL(`../../models/configs/${name}`, import.meta.url), 'utf8')));
  if (!check.ok) throw new Error(check.message);
  return check.dims;
};
const GiB = 1024 ** 3;

describe('run memory', () => {
  const qwen25 = dims('qwen2.5-vl-3b-instruct.config.json');
  const qwen2 = dims('qwen2-vl-2b-instruct.config.json');

  it('sizes the vision scores and the KV cache from the real dimensions', () => {
    // 1280 tokens = 5120 patches; 16 heads x 5120^2 x 4 B = 1.68 GB of scores, twice with the softmax.
    expect(visionAttentionBytes(qwen25, 1280)).toBe(2 * 16 * 5120 * 5120 * 4);
    // 36 layers x K,V x 2 heads x 128 x (2 x 1280 + 400 + 2 x 1024) positions x 4 B.
    expect(kvCacheBytes(qwen25, 1280, 1024, 4)).toBe(36 * 2 * 2 * 128 * 5008 * 4);
  });

  it('keeps a budget that fits', () => {
    expect(fitBudget(qwen25, 640, 1024, { backend: 'wasm', modelBytes: 2.5 * GiB, maxBufferBytes: 0 })).toEqual({ ok: true, budget: 640, lowered: null });
  });

  it('lowers a budget that would not fit the wasm heap, and says why', () => {
    const check = fitBudget(qwen2, 1280, 1024, { backend: 'wasm', modelBytes: 2.7 * GiB, maxBufferBytes: 0 });
    expect(check.ok).toBe(true);
    if (!check.ok) return;
    expect(check.budget).toBeLessThan(1280);
    expect(check.budget).toBeGreaterThanOrEqual(256);
    expect(check.lowered).toMatch(/a 1280-token budget would need .* GB of vision attention and KV cache next to 2\.70 GB of weights in wasm's 4 GB heap; this run uses \d+ tokens per image/);
  });

  it('lowers to what one WebGPU buffer holds', () => {
    // 1 GiB binding: 16 x P^2 x 4 <= 2^30 gives P <= 4096, 1024 tokens.
    const check = fitBudget(qwen25, 1280, 1024, { backend: 'webgpu', modelBytes: 0, maxBufferBytes: GiB });
    expect(check).toMatchObject({ ok: true, budget: 1024 });
  });

  it('refuses, with a code, when not even the smallest budget fits', () => {
    expect(fitBudget(qwen2, 1280, 1024, { backend: 'wasm', modelBytes: 3.7 * GiB, maxBufferBytes: 0 })).toMatchObject({ ok: false, code: 'budget-too-large', message: expect.stringMatching(/even a 256-token budget does not fit/) });
  });
});
