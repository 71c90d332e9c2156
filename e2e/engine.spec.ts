import { expect, test, type Page } from '@playwright/test';
import { answerText, boxIn, cropRect, ergoImageCost } from '../app/core';
import type { RecordedEvent } from './harness/engineDriver';
import { openHarness } from './support';

// The real worker on the tiny random Qwen2.5-VL model, on each backend. Random weights never write
// a <zoom> box, so the parsed-box path runs on the built-in policy ergo-tiny, on one of its own
// scenes; every path runs on a model's real output. Each checkpoint of the policy changes that
// output, so its tests assert what the pipeline does with whatever box and answer it writes,
// never which.

const SETTINGS = { budget: 64, maxNewTokens: 6, fallback: 'skip', directCap: 256 } as const;
/** ergo-tiny's own scene (2688x2688) and one of its questions (app/samples/scenes.ts). */
const SCENE = { id: 'tags-7', size: { width: 2688, height: 2688 }, question: 'What is written on the tag of the blue square?' };

type Events = RecordedEvent[];
const ofType = <T extends RecordedEvent['type']>(events: Events, type: T) => events.filter((e): e is Extract<RecordedEvent, { type: T }> => e.type === type);
const last = (events: Events) => events.at(-1)!;

/** Runs `body` in the page with the harness driver (created once per page as window.engine). */
async function inPage<T, A>(page: Page, arg: A, body: (arg: A) => Promise<T>): Promise<T> {
  return page.evaluate(body as never, arg as never) as Promise<T>;
}

/** Opens the harness with `modelId` loaded on `backend`; the input image is a 640x480 pattern, or the sample scene `sample`. */
async function setup(page: Page, backend: 'wasm' | 'webgpu', modelId = 'tiny-random-qwen2_5_vl', sample?: string): Promise<Events> {
  await openHarness(page);
  return inPage(page, { backend, modelId, sample }, async ({ backend, modelId, sample }) => {
    const engine = (window.engine = window.harness.createEngine());
    window.image = sample ? await window.harness.sampleImage(sample) : await window.harness.patternImage(640, 480);
    const id = engine.send({ type: 'load', modelId, backend });
    return engine.waitFor(id);
  });
}

/** Sends a request built in the page (the image Blob is `window.image`) and waits for its end. */
async function run(page: Page, req: Record<string, unknown>): Promise<Events> {
  return inPage(page, req, async (req) => {
    const w = { engine: window.engine!, image: window.image! };
    const full = { ...req, ...(req.type === 'run-ergo' || req.type === 'run-baseline' ? { image: { blob: w.image, name: 'pattern.png' } } : {}) };
    const id = w.engine.send(full as never);
    return w.engine.waitFor(id);
  });
}

for (const backend of ['wasm', 'webgpu'] as const) {
  test.describe(`engine on ${backend}`, () => {
    test.describe.configure({ mode: 'serial' });
    let page: Page;

    test.beforeAll(async ({ browser }) => {
      page = await browser.newPage();
      const events = await setup(page, backend);
      const loaded = last(events);
      if (loaded.type !== 'loaded') throw new Error(`load failed: ${JSON.stringify(loaded)}`);
    });
    test.afterAll(async () => page.close());

    test('ERGO on the real output: no <zoom>, the fine turn is skipped and the user is told', async () => {
      const events = await run(page, { type: 'run-ergo', question: 'What color is the square?', settings: SETTINGS });
      const end = last(events);
      expect(end.type, JSON.stringify(end)).toBe('result');
      const box = ofType(events, 'box')[0]!;
      expect(box.status).toMatchObject({ kind: 'none', fallback: 'skip' });
      expect(ofType(events, 'notice').map((n) => n.code)).toEqual(['fine-turn-skipped']);
      // ERGO's resize of 640x480 at 64 tokens: beta = sqrt(307200/50176) = 2.474; 480/2.474/28 = 6.93 -> 7,
      // 640/2.474/28 = 9.24 -> 9: 252x196 = 9x7 = 63 tokens.
      const coarse = ofType(events, 'image')[0]!;
      expect(coarse).toMatchObject({ role: 'coarse', original: { width: 640, height: 480 }, image: { width: 252, height: 196, bytes: 252 * 196 * 4 } });
      if (end.type !== 'result') return;
      expect(end.stages).toHaveLength(1);
      expect(end.stages[0]).toMatchObject({ stage: 'coarse', visionTokens: 63, encoderRows: 63, cachedTokens: 0 });
      expect(end.stages[0]!.decodeTokens).toBeGreaterThan(0);
      expect(end.stages[0]!.decodeTokens).toBeLessThanOrEqual(SETTINGS.maxNewTokens);
      // Qwen's resize of 640x480 at 16384 tokens keeps 644x476 -> 23x17 = 391 tokens.
      expect(end.fullImageTokens).toBe(391);
      expect(end.backend).toBe(backend);
      const streamed = ofType(events, 'partial').map((p) => p.text).join('');
      expect(streamed).toBe(ofType(events, 'stage-result')[0]!.text);
    });

    test('ERGO with the full-image fallback sends the whole image as the fine turn, reusing the cache', async () => {
      const events = await run(page, { type: 'run-ergo', question: 'What color is the square?', settings: { ...SETTINGS, fallback: 'full-image' } });
      const end = last(events);
      expect(end.type, JSON.stringify(end)).toBe('result');
      expect(ofType(events, 'notice').map((n) => n.code)).toEqual(['full-image-fallback']);
      expect(ofType(events, 'image').map((i) => i.role)).toEqual(['coarse', 'full']);
      if (end.type !== 'result') return;
      const [coarse, fine] = end.stages;
      // The whole 640x480 image at the same budget: 252x196 = 63 tokens.
      expect(fine).toMatchObject({ stage: 'fine', visionTokens: 63, encoderRows: 63 });
      // The fine turn continues the kept coarse turn: its whole cache, prompt and every generated token.
      expect(fine!.cachedTokens).toBe(coarse!.prefillTokens + coarse!.decodeTokens);
    });

    test('manual box on the kept coarse turn, with the cache and recomputed from scratch: same fine turn', async () => {
      const ergo = await run(page, { type: 'run-ergo', question: 'Where is the square?', settings: SETTINGS });
      const ergoId = ergo[0]!.requestId;
      const reused = await run(page, { type: 'run-fine', ergoRequestId: ergoId, box: [20, 20, 120, 100] });
      const scratch = await run(page, { type: 'run-fine', ergoRequestId: ergoId, box: [20, 20, 120, 100], reuseCache: false });
      const a = last(reused);
      const b = last(scratch);
      expect(a.type, JSON.stringify(a)).toBe('result');
      expect(b.type, JSON.stringify(b)).toBe('result');
      if (a.type !== 'result' || b.type !== 'result') return;
      expect(ofType(reused, 'box')[0]!.status.kind).toBe('manual');
      const fineA = a.stages[1]!;
      const fineB = b.stages[1]!;
      expect(fineA.cachedTokens).toBeGreaterThan(0);
      expect(fineB.cachedTokens).toBe(0);
      // From scratch encodes both images and prefills the whole conversation.
      expect(fineB.encoderRows).toBe(fineA.encoderRows + a.stages[0]!.visionTokens);
      expect(fineB.prefillTokens).toBe(fineA.prefillTokens + fineA.cachedTokens);
      expect(ofType(scratch, 'stage-result')[0]!.text).toBe(ofType(reused, 'stage-result')[0]!.text);
      const stale = await run(page, { type: 'run-fine', ergoRequestId: 'r-unknown', box: [0, 0, 10, 10] });
      expect(last(stale)).toMatchObject({ type: 'error', error: { code: 'no-cached-run' } });
    });

    test('baselines: direct at Qwen resize under the cap (lowered and said so), coarse-only at the budget', async () => {
      const direct = await run(page, { type: 'run-baseline', kind: 'direct', question: 'Describe.', settings: SETTINGS });
      const d = last(direct);
      expect(d.type, JSON.stringify(d)).toBe('result');
      // Qwen's resize of 640x480 at a 256-token cap: 644x476 = 391 tokens is over it, so beta = sqrt(307200/200704)
      // = 1.237; floor(480/1.237/28) = 13, floor(640/1.237/28) = 18: 364x504 = 234 tokens. It fits: no notice.
      if (d.type === 'result') expect(d.stages[0]).toMatchObject({ stage: 'direct', visionTokens: 234, imageSize: { width: 504, height: 364 } });
      expect(ofType(direct, 'notice')).toEqual([]);
      const coarseOnly = await run(page, { type: 'run-baseline', kind: 'coarse-only', question: 'Describe.', settings: SETTINGS });
      const c = last(coarseOnly);
      expect(c.type, JSON.stringify(c)).toBe('result');
      if (c.type === 'result') expect(c.stages[0]).toMatchObject({ stage: 'coarse-only', visionTokens: 63 });
    });

    test('cancel while generating lands in place: the text stops where it was, no restart, no reload', async () => {
      // Cancel right after the 4th streamed chunk: waitFor wakes before the next worker message is
      // handled, and no chunk is passed on after cancel, so exactly 4 arrive whatever the timing.
      const outcome = await inPage(page, { settings: { ...SETTINGS, maxNewTokens: 1024 } }, async ({ settings }) => {
        const w = { engine: window.engine!, image: window.image! };
        const id = w.engine.send({ type: 'run-ergo', image: { blob: w.image, name: 'p.png' }, question: 'q', settings });
        const before = await w.engine.waitFor(id, () => w.engine.eventsOf(id).filter((e) => e.type === 'partial').length === 4);
        const textAtCancel = before.flatMap((e) => (e.type === 'partial' ? [e.text] : [])).join('');
        const all = w.engine.allEvents().length;
        w.engine.cancel(id);
        const events = await w.engine.waitFor(id);
        const after = w.engine.send({ type: 'run-baseline', kind: 'coarse-only', image: { blob: w.image, name: 'p.png' }, question: 'q', settings: { ...settings, maxNewTokens: 2 } });
        const next = await w.engine.waitFor(after);
        return { events, textAtCancel, others: w.engine.allEvents().slice(all).filter((e) => e.requestId !== id && e.requestId !== after), after: next };
      });
      expect(last(outcome.events).type).toBe('cancelled');
      const partials = ofType(outcome.events, 'partial');
      expect(partials).toHaveLength(4);
      expect(partials.map((p) => p.text).join('')).toBe(outcome.textAtCancel);
      // Nothing happened to the engine itself: no restart, no reload of the model.
      expect(outcome.others).toEqual([]);
      expect(last(outcome.after).type, JSON.stringify(last(outcome.after))).toBe('result');
    });

    for (const phase of ['encode', 'prefill'] as const) {
      test(`cancel during ${phase} restarts the engine, says the model is reloading, and the engine keeps working`, async () => {
        const outcome = await inPage(page, { phase, settings: { ...SETTINGS, maxNewTokens: 1024 } }, async ({ phase, settings }) => {
          const w = { engine: window.engine!, image: window.image! };
          const id = w.engine.send({ type: 'run-ergo', image: { blob: w.image, name: 'p.png' }, question: 'q', settings });
          await w.engine.waitFor(id, (e) => (e.type === 'phase' && e.phase === phase) || e.type === 'result');
          const all = w.engine.allEvents().length;
          w.engine.cancel(id);
          const events = await w.engine.waitFor(id);
          const reload = w.engine.allEvents().slice(all).find((e) => e.type === 'reloading');
          const since = () => w.engine.allEvents().slice(all);
          const ended = () => since().filter((e) => e.requestId === reload?.requestId && (e.type === 'loaded' || e.type === 'error'));
          if (reload) await w.engine.waitFor(reload.requestId, () => ended().length > 0);
          const reloaded = ended();
          const after = w.engine.send({ type: 'run-baseline', kind: 'coarse-only', image: { blob: w.image, name: 'p.png' }, question: 'q', settings: { ...settings, maxNewTokens: 2 } });
          return { events, reload, reloaded: reloaded.at(-1), after: await w.engine.waitFor(after) };
        });
        expect(last(outcome.events).type).toBe('cancelled');
        expect(outcome.reload).toMatchObject({ type: 'reloading', cause: 'stop' });
        expect(outcome.reloaded).toMatchObject({ type: 'loaded' });
        expect(last(outcome.after).type, JSON.stringify(last(outcome.after))).toBe('result');
      });
    }
  });
}

for (const backend of ['wasm', 'webgpu'] as const) {
  test.describe(`engine on ${backend}, ergo-tiny on its own scene`, () => {
    test.describe.configure({ mode: 'serial' });
    let page: Page;

    test.beforeAll(async ({ browser }) => {
      page = await browser.newPage();
      const loaded = last(await setup(page, backend, 'ergo-tiny', SCENE.id));
      if (loaded.type !== 'loaded') throw new Error(`load failed: ${JSON.stringify(loaded)}`);
    });
    test.afterAll(async () => page.close());

    test('ERGO on a parsed box: crop from the original, only the crop encoded, only new tokens prefilled', async () => {
      const events = await run(page, { type: 'run-ergo', question: SCENE.question, settings: { ...SETTINGS, maxNewTokens: 96 } });
      const end = last(events);
      expect(end.type, JSON.stringify(end)).toBe('result');
      // ERGO's resize of 2688x2688 at 64 tokens: 224x224 = 8x8 = 64 tokens.
      expect(ofType(events, 'image')[0]).toMatchObject({ role: 'coarse', image: { width: 224, height: 224 } });
      // Whatever box the model names: parsed from its own text, and cut from the original by the crop rule.
      const status = ofType(events, 'box')[0]!.status;
      expect(status.kind, JSON.stringify(status)).toBe('parsed');
      if (status.kind !== 'parsed') return;
      const [coarseText, fineText] = ofType(events, 'stage-result').map((r) => r.text);
      expect(coarseText).toContain('<zoom>');
      const rect = cropRect(boxIn('coarse', status.box), SCENE.size, { width: 224, height: 224 })!;
      expect(status.crop).toEqual(rect);
      // The fine turn gets that crop at ERGO's resize for the budget, and only its tokens are encoded.
      const cropCost = ergoImageCost({ width: rect.x2 - rect.x1, height: rect.y2 - rect.y1 }, SETTINGS.budget);
      const crop = ofType(events, 'image').find((i) => i.role === 'crop')!;
      expect(crop.image).toMatchObject({ width: cropCost.width, height: cropCost.height });
      if (end.type !== 'result') return;
      expect(end.answer).toBe(answerText(fineText!));
      const [coarse, fine] = end.stages;
      expect(coarse).toMatchObject({ visionTokens: 64, cachedTokens: 0 });
      expect(fine).toMatchObject({ stage: 'fine', visionTokens: cropCost.tokens, encoderRows: cropCost.tokens, cachedTokens: coarse!.prefillTokens + coarse!.decodeTokens });
      expect(fine!.decodeTokens).toBeGreaterThan(0);
      expect(ofType(events, 'partial').filter((p) => p.stage === 'fine').map((p) => p.text).join('')).toBe(fineText);
      // The model's first encode and prefill say they also compile WebGPU shaders; later ones, and wasm, never.
      const compiling = ofType(events, 'phase').filter((p) => p.compilingShaders).map((p) => `${p.stage} ${p.phase}`);
      expect(compiling).toEqual(backend === 'webgpu' ? ['coarse encode', 'coarse prefill'] : []);
    });
  });
}

test.describe('engine load failures and lifecycle', () => {
  test('cancel during load, a missing file, a bad Hub repo, forced WebGPU... each ends clearly', async ({ page }) => {
    await openHarness(page);
    const out = await page.evaluate(async () => {
      const engine = window.harness.createEngine();
      const cancelId = engine.send({ type: 'load', modelId: 'tiny-random-qwen2_5_vl', backend: 'wasm' });
      engine.cancel(cancelId);
      const cancelled = await engine.waitFor(cancelId);

      // A local folder (the built-in model's files) with the decoder left out.
      const base = `${window.harness.modelsUrl}tiny-random-qwen2_5_vl/`;
      const names = ['config.json', 'generation_config.json', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/embed_tokens.onnx', 'onnx/vision_encoder.onnx'];
      const files = await Promise.all(names.map(async (path) => ({ path, blob: await (await fetch(base + path)).blob() })));
      const missingId = engine.send({ type: 'load', modelId: 'custom', backend: 'wasm', source: { kind: 'files', files } });
      const missing = await engine.waitFor(missingId);

      const hubId = engine.send({ type: 'load', modelId: 'custom', backend: 'wasm', source: { kind: 'hub', repo: 'no-such-owner/no-such-model' } });
      const hub = await engine.waitFor(hubId);
      const badId = engine.send({ type: 'load', modelId: 'custom', backend: 'wasm', source: { kind: 'hub', repo: 'not a repo' } });
      const bad = await engine.waitFor(badId);
      const noModelId = engine.send({ type: 'run-fine', ergoRequestId: 'x', box: window.harness.boxIn('coarse', [0, 0, 1, 1]) });
      const noModel = await engine.waitFor(noModelId);
      return { cancelled: cancelled.at(-1), missing: missing.at(-1), hub: hub.at(-1), bad: bad.at(-1), noModel: noModel.at(-1) };
    });
    expect(out.cancelled).toMatchObject({ type: 'cancelled' });
    expect(out.missing).toMatchObject({ type: 'error', error: { code: 'model-file-missing' } });
    expect(JSON.stringify(out.missing)).toContain('decoder_model_merged');
    expect(out.hub).toMatchObject({ type: 'error' });
    expect(JSON.stringify(out.hub)).toContain('no-such-owner/no-such-model');
    expect(out.bad).toMatchObject({ type: 'error', error: { code: 'bad-repo-id' } });
    expect(out.noModel).toMatchObject({ type: 'error', error: { code: 'no-model' } });
  });

  test('a failed load keeps the working model: runs go on without loading again', async ({ page }) => {
    await openHarness(page);
    const out = await page.evaluate(async () => {
      const engine = window.harness.createEngine();
      const first = (await engine.waitFor(engine.send({ type: 'load', modelId: 'tiny-random-qwen2_5_vl', backend: 'wasm' }))).at(-1);
      const failed = (await engine.waitFor(engine.send({ type: 'load', modelId: 'custom', backend: 'wasm', source: { kind: 'hub', repo: 'no-such-owner/no-such-model' } }))).at(-1);
      const image = { blob: await window.harness.patternImage(320, 240), name: 'p.png' };
      const run = (await engine.waitFor(engine.send({ type: 'run-baseline', kind: 'coarse-only', image, question: 'q', settings: { budget: 64, maxNewTokens: 2, fallback: 'skip', directCap: 256 } }))).at(-1);
      return { first, failed, run };
    });
    expect(out.first).toMatchObject({ type: 'loaded' });
    expect(out.failed).toMatchObject({ type: 'error' });
    expect(out.run, JSON.stringify(out.run)).toMatchObject({ type: 'result' });
  });

  test('a local folder loads, unload releases it, and a corrupt image is refused with a code', async ({ page }) => {
    await openHarness(page);
    const out = await page.evaluate(async () => {
      const engine = window.harness.createEngine();
      const base = `${window.harness.modelsUrl}tiny-random-qwen2_5_vl/`;
      const names = ['config.json', 'generation_config.json', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/embed_tokens.onnx'];
      const onnx = ['vision_encoder', 'decoder_model_merged'].flatMap((n) => [`onnx/${n}.onnx`, `onnx/${n}_q4.onnx`]);
      const files = await Promise.all([...names, ...onnx].map(async (path) => ({ path, blob: await (await fetch(base + path)).blob() })));
      const loadId = engine.send({ type: 'load', modelId: 'custom', backend: 'wasm', source: { kind: 'files', files } });
      const load = await engine.waitFor(loadId);
      const corruptId = engine.send({ type: 'run-ergo', image: { blob: new Blob([new Uint8Array([1, 2, 3])], { type: 'image/png' }), name: 'broken.png' }, question: 'q', settings: { budget: 64, maxNewTokens: 2, fallback: 'skip', directCap: 256 } });
      const corrupt = await engine.waitFor(corruptId);
      const unloadId = engine.send({ type: 'unload' });
      const unload = await engine.waitFor(unloadId);
      return { load: load.at(-1), corrupt: corrupt.at(-1), unload: unload.at(-1) };
    });
    expect(out.load, JSON.stringify(out.load)).toMatchObject({ type: 'loaded', model: { backend: 'wasm' } });
    expect(out.corrupt).toMatchObject({ type: 'error', error: { code: 'not-an-image' } });
    expect(JSON.stringify(out.corrupt)).toContain('broken.png');
    expect(out.unload).toMatchObject({ type: 'unloaded' });
  });
});
