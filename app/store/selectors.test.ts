import { describe, expect, it } from 'vitest';
import { boxIn, normToCoarse, type CoarseBox, type NormBox } from '../core';
import type { LoadedModel, StageStats } from '../../pipeline/protocol';
import type { LensImage } from './imageFile';
import { applyLoadEvent, IDLE_LOAD, startLoad } from './loadState';
import { activeBox, boxView, conventionOf, ledgerOf } from './selectors';
import { applyRunEvent, startRun, type RunState } from './runState';

const image: LensImage = { blob: new Blob([]), name: 'street.png', width: 3840, height: 2160, sha256: null, sourceUrl: null, sample: 'street-4k' };
const settings = { budget: 1280, maxNewTokens: 64, fallback: 'skip', directCap: 4096 } as const;
const ergo = startRun({ requestId: 'r1', kind: 'ergo', question: 'Q?', modelId: 'tiny-random-qwen2_5_vl', settings, image });
const stats = (stage: StageStats['stage'], width: number, height: number, visionTokens: number): StageStats => ({
  stage,
  imageSize: { width, height },
  visionTokens,
  encoderRows: visionTokens,
  encoderMs: 1,
  cachedTokens: 0,
  prefillTokens: visionTokens + 30,
  prefillMs: 2,
  decodeTokens: 4,
  decodeMs: 3,
  tokensPerSecond: 1000,
  totalMs: 6,
});
const finished = (run: RunState, ...stages: StageStats[]) => applyRunEvent(run, { type: 'result', requestId: run.requestId, answer: 'A', stages, fullImageTokens: 10549, backend: 'wasm', totalMs: 6, generation: { eosIds: [2], repetitionPenalty: 1 } });

describe('ledgerOf', () => {
  it('claims savings only for a finished ERGO run: not while running, after Stop or after an error', () => {
    // 3840x2160 at 1280: coarse 1344x756 = 1296 tokens; stock Qwen on the whole image: 3836x2156 = 10549 tokens.
    // No box and the skip fallback: ERGO spent 1296, so 100 * (1 - 1296/10549) = 87.71 % saved.
    const running = ledgerOf(ergo, {}, null, 'pixels-coarse');
    expect(running.ergo).toMatchObject({ ergoTokens: 1296, full: { tokens: 10549 }, percentSaved: null });
    expect(ledgerOf(applyRunEvent(ergo, { type: 'cancelled', requestId: 'r1' }), {}, null, 'pixels-coarse').ergo!.percentSaved).toBeNull();
    expect(ledgerOf(applyRunEvent(ergo, { type: 'error', requestId: 'r1', error: { code: 'x', message: 'y' } }), {}, null, 'pixels-coarse').ergo!.percentSaved).toBeNull();
    expect(ledgerOf(finished(ergo, stats('coarse', 1344, 756, 1296)), {}, null, 'pixels-coarse').ergo!.percentSaved).toBeCloseTo(100 * (1 - 1296 / 10549), 10);
  });

  it('keeps both baselines beside ERGO, and says why the whole-image one is capped', () => {
    const direct = finished(startRun({ requestId: 'b1', kind: 'direct', question: 'Q?', modelId: ergo.modelId, settings, image }), stats('direct', 2380, 1344, 4080));
    const coarseOnly = finished(startRun({ requestId: 'b2', kind: 'coarse-only', question: 'Q?', modelId: ergo.modelId, settings, image }), stats('coarse-only', 1344, 756, 1296));
    const ledger = ledgerOf(finished(ergo), { direct, 'coarse-only': coarseOnly }, null, 'pixels-coarse');
    // Qwen's resize at a 4096-token cap: 2380x1344 = 85*48 = 4080 tokens (directCost; the worker reports the same).
    expect(ledger.direct).toMatchObject({ cost: { width: 2380, height: 1344, tokens: 4080 }, full: { tokens: 10549 } });
    // One head's attention over 10549 tokens: (4*10549)^2 float32 = 7.12e9 bytes.
    expect(ledger.direct!.capNote).toBe(
      'capped at 4080 of 10549 tokens: the whole image would need a 7.1 GB attention matrix per head in the vision encoder, more than a browser can allocate, so this baseline runs at a 4096-token cap',
    );
    expect(ledger.coarseOnly.tokens).toBe(1296);
  });

  it('uses the reason the worker gave when it lowered the cap further on this device', () => {
    let direct = startRun({ requestId: 'b1', kind: 'direct', question: 'Q?', modelId: ergo.modelId, settings, image });
    direct = applyRunEvent(direct, { type: 'notice', requestId: 'b1', code: 'direct-cap-lowered', message: 'this device holds at most 2048' });
    direct = finished(direct, stats('direct', 1680, 924, 1980));
    expect(ledgerOf(ergo, { direct }, null, 'pixels-coarse').direct!.capNote).toBe('capped at 1980 of 10549 tokens: this device holds at most 2048');
  });

  it('has no cap note for an image the cap holds whole, and plans the capped one before it runs', () => {
    const small = startRun({ ...ergo, image: { ...image, width: 640, height: 480 } });
    expect(ledgerOf(small, {}, null, 'pixels-coarse').direct!.capNote).toBeNull();
    expect(ledgerOf(ergo, {}, null, 'pixels-coarse').direct!.capNote).toMatch(/^capped at 4080 of 10549 tokens: /);
  });

  it('counts the whole image as the fine turn\'s image when the full-image fallback ran', () => {
    const run = applyRunEvent(ergo, { type: 'box', requestId: 'r1', status: { kind: 'none', reason: 'no-zoom', fallback: 'full-image' } });
    // ERGO's resize of the whole 3840x2160 at 1280 is the coarse image again: 1296 + 1296.
    expect(ledgerOf(run, {}, null, 'pixels-coarse').ergo!.ergoTokens).toBe(2592);
  });
});

describe('activeBox', () => {
  it('draws a streaming 0-1000 box in coarse pixels, where it will end up', () => {
    const coarse = { width: 1344, height: 756, data: new Uint8ClampedArray(0) };
    let run = applyRunEvent(ergo, { type: 'image', requestId: 'r1', role: 'coarse', original: image, image: coarse });
    run = applyRunEvent(run, { type: 'partial', requestId: 'r1', stage: 'coarse', text: '<zoom>[250, 500, 750, 1000]</zoom>' });
    const norm: NormBox = boxIn('norm1000', [250, 500, 750, 1000]);
    // 250/1000 * 1344 = 336, 500/1000 * 756 = 378, 750/1000 * 1344 = 1008, 756
    expect(activeBox(run, null, 'norm1000')).toEqual([336, 378, 1008, 756]);
    expect(activeBox(run, null, 'norm1000')).toEqual(normToCoarse(norm, coarse));
    expect(activeBox(run, null, 'pixels-coarse')).toEqual([250, 500, 750, 1000]);
  });

  it('types boxes by their frame: a bare tuple or a 0-1000 box is no coarse box', () => {
    const norm = boxIn('norm1000', [1, 2, 3, 4]);
    // @ts-expect-error a 0-1000 box cannot be used as coarse pixels
    const mixed: CoarseBox = norm;
    // @ts-expect-error a bare tuple has no frame
    const bare: CoarseBox = [1, 2, 3, 4];
    expect([mixed, bare]).toHaveLength(2);
  });
});

describe('boxView', () => {
  const base = { run: null, editedBox: null, load: IDLE_LOAD, settings, image };
  it('shows a share link\'s box over the link\'s own image before any run, and not over another image', () => {
    const box = boxIn('coarse', [800, 400, 900, 460]);
    const view = boxView({ ...base, shared: { localImage: null, box, imageKey: 'sample:street-4k' } });
    // sx = 3840/1344: 800 -> 2285.7, 900 -> 2571.4; sy = 2160/756: 400 -> 1142.9, 460 -> 1314.3
    expect(view).toMatchObject({ box, crop: { x1: 2285, y1: 1142, x2: 2571, y2: 1314 } });
    expect(boxView({ ...base, image: { ...image, sample: 'shelf-6k' }, shared: { localImage: null, box, imageKey: 'sample:street-4k' } }).box).toBeNull();
  });

  it('shows a run on its own image, whatever image is current', () => {
    const other: LensImage = { ...image, name: 'other.png', width: 1000, height: 1000, sample: null };
    expect(boxView({ ...base, image: other, run: ergo, shared: null }).image).toBe(image);
  });
});

describe('conventionOf', () => {
  const served = (name: string, boxConvention: LoadedModel['boxConvention']): LoadedModel => ({
    modelId: 'server',
    architecture: name,
    backend: 'server',
    backendReason: 'OpenAI-compatible server at http://127.0.0.1:8000/v1',
    adapter: null,
    shaderF16: false,
    dtypes: {},
    threads: 0,
    loadMs: 1,
    fileBytes: 0,
    externalDataFiles: 0,
    configShape: 'nested',
    derived: [],
    generation: { eosIds: [], repetitionPenalty: 1, source: 'defaults' },
    boxConvention,
  });
  const loaded = (model: LoadedModel) => applyLoadEvent(startLoad(IDLE_LOAD, 'l1', model.modelId), { type: 'loaded', requestId: 'l1', model });

  it('reads boxes as the loaded model writes them: a served Qwen2-VL in 0-1000, a served ERGO in pixels', () => {
    expect(conventionOf(loaded(served('Qwen2-VL-7B-Instruct', 'norm1000')), 'server')).toBe('norm1000');
    expect(conventionOf(loaded(served('ergo', 'pixels-coarse')), 'server')).toBe('pixels-coarse');
  });

  it('uses the registry before the model is loaded, or when another model is', () => {
    expect(conventionOf(IDLE_LOAD, 'tiny-random-qwen2_vl')).toBe('norm1000');
    expect(conventionOf(loaded(served('Qwen2-VL-7B-Instruct', 'norm1000')), 'tiny-random-qwen2_5_vl')).toBe('pixels-coarse');
  });
});
