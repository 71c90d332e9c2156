/**
 * ERGO's two turns and the baselines, as event streams over one loaded model.
 *
 * The coarse turn's cache is kept (one at a time: the latest ERGO run) so the fine turn, and any
 * later manual-box fine turn, encodes only the crop and prefills only the new tokens.
 */
import { answerText, coarseTurnMessages, directTurnMessages, ergoImageCost, promptsFor, type ErgoPrompts, fullImageCost, resizeRGBA, visionTokens } from '../app/core';
import type { CoarseBox, OriginalRect, Size } from '../app/core/geometry';
import { deviceTokenCap } from '../engines/transformers/directCap';
import { planFineTurn, planForBox, type FinePlan } from './fineTurnPlan';
import { stageStats } from './stats';
import type { ImageFile, RgbaImage, RunSettings, Stage, StageStats, WorkerEvent } from './protocol';
import { expandImagePads, followUpIds, promptIds as renderPrompt } from '../engines/transformers/chat';
import { decodeImage } from '../workers/decode';
import type { LoadedEngine } from '../engines/transformers/load';
import type { CancelFlag } from './cancelFlag';
import { buildPixelValues } from '../engines/transformers/pixels';
import { TextDelta } from '../engines/transformers/textDelta';
import { CancelledError, EngineError, disposeCache, type EncodedImage, type KvCache } from '../engines/transformers/turns';

/** Where a run sends its events and learns it was cancelled. */
export interface RunIO {
  readonly requestId: string;
  emit(event: WorkerEvent): void;
  readonly stopper: CancelFlag;
}

/** The coarse turn of the latest ERGO run, kept for fine turns on other boxes. */
export interface CoarseTurn {
  readonly requestId: string;
  readonly question: string;
  readonly settings: RunSettings;
  readonly original: RgbaImage;
  readonly coarse: RgbaImage;
  /** The coarse prompt with its image pads expanded. */
  readonly promptIds: readonly number[];
  /** The coarse output's tokens (without the closing eos). */
  readonly contentIds: readonly number[];
  /** Holds promptIds and a prefix of contentIds (all but the last generated token). */
  readonly cache: KvCache;
  readonly stats: StageStats;
  readonly text: string;
}

interface TurnOutcome {
  readonly text: string;
  readonly contentIds: number[];
  readonly cache: KvCache;
  readonly stats: StageStats;
}

const now = (): number => performance.now();

function checkCancelled(io: RunIO): void {
  if (io.stopper.interrupted) throw new CancelledError();
}

function rgbaCopy(img: RgbaImage): RgbaImage {
  return { width: img.width, height: img.height, data: img.data.slice() };
}

/** Resizes with the core's resampler (PIL-equivalent filters). */
function resized(src: RgbaImage, to: Size, filter: 'bicubic' | 'lanczos'): RgbaImage {
  // ERGO's downscale has no lower bound: past about 1:5120 (at 1280 tokens) a side rounds to 0.
  if (to.width < 1 || to.height < 1) {
    throw new EngineError('image-too-thin', `a ${src.width}x${src.height} image is too elongated: ERGO's resize gives ${to.width}x${to.height}`);
  }
  return resizeRGBA(src, to.width, to.height, filter);
}

/** The registry entry's prompt profile: the official evaluation's fine-turn text, or the demo's. */
const promptsOf = (eng: LoadedEngine): ErgoPrompts => promptsFor(eng.entry.promptProfile === 'ergo-demo' ? 'demo' : 'evaluation');

const tokensOf = (size: Size): number => visionTokens(size.height, size.width);

/** Stock Qwen2.5-VL's tokens for the whole image (0 when Qwen's resize rejects its aspect ratio). */
const fullTokens = (original: Size): number => fullImageCost(original)?.tokens ?? 0;

/** The pixels of `rect` in `img`. */
function cut(img: RgbaImage, rect: OriginalRect): RgbaImage {
  const width = rect.x2 - rect.x1;
  const height = rect.y2 - rect.y1;
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    const from = ((rect.y1 + y) * img.width + rect.x1) * 4;
    data.set(img.data.subarray(from, from + width * 4), y * width * 4);
  }
  return { width, height, data };
}

/**
 * One model turn: encode `images` (already at multiples of 28), prefill `ids` after `base`, then
 * greedy-decode (or, test-only, take `override` as the output without decoding).
 */
async function runTurn(
  io: RunIO,
  eng: LoadedEngine,
  stage: Stage,
  base: KvCache | null,
  ids: readonly number[],
  images: readonly RgbaImage[],
  settings: RunSettings,
  override?: string,
): Promise<TurnOutcome> {
  const t0 = now();
  io.emit({ type: 'phase', requestId: io.requestId, stage, phase: 'encode' });
  const encoded: EncodedImage[] = [];
  let encoderMs = 0;
  let prefillMs = 0;
  let prefill;
  try {
    for (const img of images) {
      checkCancelled(io);
      const start = now();
      encoded.push(await eng.turns.encodeImage(buildPixelValues(img.data, img, eng.pre), eng.pre.mergeSize));
      encoderMs += now() - start;
    }
    checkCancelled(io);
    io.emit({ type: 'phase', requestId: io.requestId, stage, phase: 'prefill' });
    const p0 = now();
    prefill = await eng.turns.prefill(base, ids, encoded, 'last', () => io.stopper.interrupted);
    prefillMs = now() - p0;
  } finally {
    for (const e of encoded) e.features.dispose();
  }
  const measured = {
    stage,
    imageSize: images.at(-1) ? { width: images.at(-1)!.width, height: images.at(-1)!.height } : { width: 0, height: 0 },
    visionTokens: images.reduce((n, img) => n + tokensOf(img), 0),
    encoderRows: encoded.reduce((n, e) => n + e.rows * e.cols, 0),
    encoderMs,
    cachedTokens: base?.ids.length ?? 0,
    prefillTokens: ids.length,
    prefillMs,
  };
  const decodeText = (t: readonly number[]): string => eng.tokenizer.decode(t as number[], { skip_special_tokens: true });
  if (override !== undefined) {
    const contentIds = eng.tokenizer.encode(override, { add_special_tokens: false });
    io.emit({ type: 'partial', requestId: io.requestId, stage, text: override });
    const stats = stageStats({ ...measured, decodeTokens: 0, decodeSteps: 0, decodeMs: 0, totalMs: now() - t0 });
    return { text: override, contentIds, cache: prefill.cache, stats };
  }
  io.emit({ type: 'phase', requestId: io.requestId, stage, phase: 'generate' });
  const d0 = now();
  const delta = new TextDelta(decodeText);
  const repetitionPenalty = penaltyOf(eng, settings);
  const out = await eng.turns.decode(prefill.cache, eng.turns.firstToken(prefill.logits, prefill.cache.ids, repetitionPenalty), {
    maxNewTokens: settings.maxNewTokens,
    eosIds: eng.eosIds,
    repetitionPenalty,
    stopper: io.stopper,
    onToken: (id) => {
      const chunk = delta.push(id);
      if (chunk) io.emit({ type: 'partial', requestId: io.requestId, stage, text: chunk });
    },
  });
  const decodeMs = now() - d0;
  const contentIds = eng.eosIds.has(out.ids.at(-1)!) ? out.ids.slice(0, -1) : out.ids;
  const stats = stageStats({ ...measured, decodeTokens: out.ids.length, decodeSteps: out.steps, decodeMs, totalMs: now() - t0 });
  return { text: decodeText(contentIds), contentIds, cache: out.cache, stats };
}

/** The repetition penalty a run decodes with: the model's, unless the settings ask for plain greedy. */
const penaltyOf = (eng: LoadedEngine, settings: RunSettings): number => (settings.decoding === 'greedy' ? 1 : eng.generation.repetitionPenalty);

async function decodeAndReport(io: RunIO, image: ImageFile): Promise<RgbaImage> {
  io.emit({ type: 'phase', requestId: io.requestId, stage: null, phase: 'decode' });
  const decoded = await decodeImage(image.blob, image.name);
  checkCancelled(io);
  return decoded;
}

function emitImage(io: RunIO, role: 'coarse' | 'crop' | 'full', original: Size, img: RgbaImage): void {
  // A copy is transferred: the engine keeps its own pixels for later turns.
  io.emit({ type: 'image', requestId: io.requestId, role, original: { width: original.width, height: original.height }, image: rgbaCopy(img) });
}

function finish(io: RunIO, eng: LoadedEngine, settings: RunSettings, answerFrom: string, stages: StageStats[], original: Size, t0: number): void {
  io.emit({
    type: 'result',
    requestId: io.requestId,
    answer: answerText(answerFrom),
    stages,
    fullImageTokens: fullTokens(original),
    backend: eng.info.backend,
    totalMs: now() - t0,
    generation: { eosIds: [...eng.eosIds], repetitionPenalty: penaltyOf(eng, settings) },
  });
}

/** The coarse turn: ERGO's resize (bicubic), system prompt and zoom instruction. */
async function coarseTurn(io: RunIO, eng: LoadedEngine, original: RgbaImage, question: string, settings: RunSettings, override?: string): Promise<CoarseTurn> {
  io.emit({ type: 'phase', requestId: io.requestId, stage: 'coarse', phase: 'resize' });
  const coarse = resized(original, ergoImageCost(original, settings.budget), 'bicubic');
  emitImage(io, 'coarse', original, coarse);
  checkCancelled(io);
  const prompts = promptsOf(eng);
  const promptIds = expandImagePads(renderPrompt(eng.tokenizer, coarseTurnMessages(question, prompts)), eng.imageTokenId, [tokensOf(coarse)]);
  const turn = await runTurn(io, eng, 'coarse', null, promptIds, [coarse], settings, override);
  io.emit({ type: 'stage-result', requestId: io.requestId, stage: 'coarse', text: turn.text, stats: turn.stats });
  return { requestId: io.requestId, question, settings, original, coarse, promptIds, contentIds: turn.contentIds, cache: turn.cache, stats: turn.stats, text: turn.text };
}

/**
 * The fine turn on `region` of the original (a crop, or the whole image for the full-image
 * fallback), resized with ERGO's resize at the same budget (lanczos). With `reuseCache` it
 * continues the coarse turn's cache (encoding only this image, prefilling only new tokens);
 * without, it recomputes the whole two-image conversation from scratch (for comparison).
 */
async function fineTurn(io: RunIO, eng: LoadedEngine, coarse: CoarseTurn, region: OriginalRect, role: 'crop' | 'full', reuseCache: boolean): Promise<TurnOutcome> {
  io.emit({ type: 'phase', requestId: io.requestId, stage: 'fine', phase: 'resize' });
  const source = role === 'full' ? coarse.original : cut(coarse.original, region);
  const image = resized(source, ergoImageCost(source, coarse.settings.budget), 'lanczos');
  emitImage(io, role, coarse.original, image);
  checkCancelled(io);
  const prompts = promptsOf(eng);
  const follow = expandImagePads(followUpIds(eng.tokenizer, coarse.question, prompts), eng.imageTokenId, [tokensOf(image)]);
  if (!reuseCache) {
    const ids = [...coarse.promptIds, ...coarse.contentIds, ...follow];
    return runTurn(io, eng, 'fine', null, ids, [coarse.coarse, image], coarse.settings);
  }
  const held = coarse.cache.ids.length - coarse.promptIds.length;
  const ids = [...coarse.contentIds.slice(held), ...follow];
  return runTurn(io, eng, 'fine', coarse.cache, ids, [image], coarse.settings);
}

function boxEvent(io: RunIO, plan: FinePlan, manual: boolean): void {
  const status = plan.kind === 'crop' ? { kind: manual ? ('manual' as const) : ('parsed' as const), box: plan.box, crop: plan.rect } : { kind: 'none' as const, reason: plan.reason, fallback: plan.fallback };
  io.emit({ type: 'box', requestId: io.requestId, status });
}

async function fineFromPlan(io: RunIO, eng: LoadedEngine, coarse: CoarseTurn, plan: FinePlan, reuseCache: boolean): Promise<TurnOutcome | null> {
  if (plan.kind === 'crop') return fineTurn(io, eng, coarse, plan.rect, 'crop', reuseCache);
  const reasons = { 'no-zoom': 'the coarse output has no <zoom> box', malformed: 'the <zoom> box is malformed', degenerate: 'the <zoom> box has no area in the image' };
  if (plan.fallback === 'skip') {
    io.emit({ type: 'notice', requestId: io.requestId, code: 'fine-turn-skipped', message: `${reasons[plan.reason]}: the fine turn was skipped; the answer is the coarse output` });
    return null;
  }
  io.emit({ type: 'notice', requestId: io.requestId, code: 'full-image-fallback', message: `${reasons[plan.reason]}: the whole image was sent as the fine turn's image, at the budget` });
  const whole = { x1: 0, y1: 0, x2: coarse.original.width, y2: coarse.original.height };
  return fineTurn(io, eng, coarse, whole, 'full', reuseCache);
}

/** Runs ERGO end to end. Returns the coarse turn to keep (its cache now owned by the caller). */
export async function runErgo(io: RunIO, eng: LoadedEngine, image: ImageFile, question: string, settings: RunSettings, override?: string): Promise<CoarseTurn> {
  const t0 = now();
  const original = await decodeAndReport(io, image);
  const coarse = await coarseTurn(io, eng, original, question, settings, override);
  try {
    const plan = planFineTurn(coarse.text, eng.boxConvention, coarse.coarse, original, settings.fallback);
    boxEvent(io, plan, false);
    const fine = await fineFromPlan(io, eng, coarse, plan, true);
    if (fine) {
      disposeCache(fine.cache);
      io.emit({ type: 'stage-result', requestId: io.requestId, stage: 'fine', text: fine.text, stats: fine.stats });
    }
    finish(io, eng, settings, fine ? fine.text : coarse.text, fine ? [coarse.stats, fine.stats] : [coarse.stats], original, t0);
    return coarse;
  } catch (e) {
    disposeCache(coarse.cache);
    throw e;
  }
}

/** A fine turn on a user-given box (coarse pixels), reusing the kept coarse turn (or recomputing it all). */
export async function runManualFine(io: RunIO, eng: LoadedEngine, coarse: CoarseTurn, box: CoarseBox, reuseCache: boolean): Promise<void> {
  const t0 = now();
  const plan = planForBox(box, coarse.coarse, coarse.original, 'skip');
  if (plan.kind !== 'crop') throw new EngineError('degenerate-box', `box [${box.join(', ')}] has no area inside the ${coarse.coarse.width}x${coarse.coarse.height} coarse image`);
  boxEvent(io, plan, true);
  const fine = await fineTurn(io, eng, coarse, plan.rect, 'crop', reuseCache);
  disposeCache(fine.cache);
  io.emit({ type: 'stage-result', requestId: io.requestId, stage: 'fine', text: fine.text, stats: fine.stats });
  finish(io, eng, coarse.settings, fine.text, [coarse.stats, fine.stats], coarse.original, t0);
}

/** One turn on the whole image: Qwen's own resize at the (device-lowered) cap, or ERGO's at the coarse budget. */
export async function runBaseline(io: RunIO, eng: LoadedEngine, kind: 'direct' | 'coarse-only', image: ImageFile, question: string, settings: RunSettings): Promise<void> {
  const t0 = now();
  const original = await decodeAndReport(io, image);
  const stage: Stage = kind;
  io.emit({ type: 'phase', requestId: io.requestId, stage, phase: 'resize' });
  let size: Size;
  if (kind === 'direct') {
    const deviceCap = deviceTokenCap(eng.info.backend === 'webgpu' ? { backend: 'webgpu', maxBufferBytes: eng.maxBufferBytes } : { backend: 'wasm', visionHeads: eng.visionHeads });
    const wanted = fullImageCost(original, settings.directCap);
    if (!wanted) throw new EngineError('aspect-ratio', `a ${original.width}x${original.height} image is more elongated than Qwen's resize accepts (200:1)`);
    const cap = Math.min(settings.directCap, deviceCap);
    if (wanted.tokens > cap) {
      io.emit({ type: 'notice', requestId: io.requestId, code: 'direct-cap-lowered', message: `the direct baseline would take ${wanted.tokens} vision tokens; this device holds at most ${deviceCap}, so it ran at a ${cap}-token cap` });
    }
    size = fullImageCost(original, cap)!;
  } else {
    size = ergoImageCost(original, settings.budget);
  }
  const input = resized(original, size, 'bicubic');
  emitImage(io, 'full', original, input);
  checkCancelled(io);
  // Baselines ask the plain question: stock Qwen behaviour, the template's default system prompt.
  const ids = expandImagePads(renderPrompt(eng.tokenizer, directTurnMessages(question)), eng.imageTokenId, [tokensOf(input)]);
  const turn = await runTurn(io, eng, stage, null, ids, [input], settings);
  disposeCache(turn.cache);
  io.emit({ type: 'stage-result', requestId: io.requestId, stage, text: turn.text, stats: turn.stats });
  finish(io, eng, settings, turn.text, [turn.stats], original, t0);
}
