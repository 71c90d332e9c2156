import { describe, expect, it } from 'vitest';
import { DEFAULT_DIRECT_CAP, deviceTokenCap } from './directCap';

describe('deviceTokenCap', () => {
  it('a 1 GiB WebGPU binding holds one head of 16384 patches: 4096 tokens, the default cap', () => {
    // sqrt(2^30 / 4) = 16384 patches; / 4 patches per token = 4096.
    expect(deviceTokenCap({ backend: 'webgpu', maxBufferBytes: 1024 ** 3 })).toBe(DEFAULT_DIRECT_CAP);
  });
  it('wasm divides 3 GiB among the heads', () => {
    // 3 GiB / 16 heads / 4 B = 50331648 scores; sqrt = 7094.5 patches; / 4 = 1773 tokens.
    expect(deviceTokenCap({ backend: 'wasm', visionHeads: 16 })).toBe(1773);
    // 2 heads: sqrt(3 * 2^30 / 8) = 20066 patches -> 5016 tokens (a V*-size 4480-token direct run fits).
    expect(deviceTokenCap({ backend: 'wasm', visionHeads: 2 })).toBe(5016);
  });
});
