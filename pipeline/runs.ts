/**
 * ERGO's two turns, the baselines and the manual-box fine turn, as event streams over any engine
 * (`engine.ts`): the browser worker, Node and OpenAI-compatible servers run exactly this code.
 *
 * The coarse turn is kept (one at a time: the latest ERGO run), so the fine turn, and any later
 * manual-box fine turn, continues it: a local engine encodes only the crop and prefills only the new
 * tokens; a server gets the whole conversation again and reuses its prefix cache.
 */
import { answerText, coarseTurnMessages, directTurnMessages, ergoImageCost, fineTurnMessages, fullImageCost, promptsFor, resizeRGBA, type ChatMessage, type ErgoPrompts } from '../app/core';
import type { CoarseBox, OriginalRect, Size } from '../app/core/geometry';
import type { CancelCheck, Engine, Turn, TurnIO, TurnMessage } from './engine';
import { CancelledError, EngineError } from './errors';
import { planFineTurn, planForBox, type FinePlan } from './fineTurnPlan';
import type { ImageFile, RgbaImage, RunSettings, Stage, StageStats, WorkerEvent } from './protocol';

/** Where a run sends its events, learns it was cancelled, and what runs the model. */
export interface RunContext {
  readonly requestId: string;
  emit(event: WorkerEvent): void;
  readonly cancel: CancelCheck;
  readonly engine: Engine;
  /** Decodes an image file to RGBA (the host's decoder: canvas in the browser, sharp in Node). */
  decodeImage(image: ImageFile): Promise<RgbaImage>;
}

/** The coarse turn of the latest ERGO run, kept for fine turns on other boxes. */
export interface CoarseTurn {
  readonly requestId: string;
  readonly question: string;
  /** The fine turn's question (a benchmark item's question with its options); else `question`. */
  readonly fineQuestion: string;
  readonly settings: RunSettings;
  readonly original: RgbaImage;
  readonly coarse: RgbaImage;
  /** The engine's turn; release it with `engine.release` when replaced. */
  readonly turn: Turn;
}

const now = (): number => performance.now();

function checkCancelled(ctx: RunContext): void {
  if (ctx.cancel.interrupted) throw new CancelledError();
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

/** The engine's prompt profile: the official evaluation's fine-turn text, or the demo's. */
const promptsOf = (engine: Engine): ErgoPrompts => promptsFor(engine.model.promptProfile === 'ergo-demo' ? 'demo' : 'evaluation');

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

/** The core's chat messages with their image placeholders filled, in order, by `images`. */
function withImages(messages: readonly ChatMessage[], images: readonly RgbaImage[]): TurnMessage[] {
  let next = 0;
  return messages.map((m) => ({
    role: m.role,
    content: m.content.map((p) => {
      if (p.type === 'text') return p;
      const image = images[next++];
      if (!image) throw new EngineError('image-tokens', 'more image placeholders than images');
      return { type: 'image' as const, image };
    }),
  }));
}

/** The turn's progress as protocol events. */
function turnIO(ctx: RunContext, stage: Stage): TurnIO {
  return {
    phase: (phase, detail) => ctx.emit({ type: 'phase', requestId: ctx.requestId, stage, phase, ...(detail?.compilingShaders ? { compilingShaders: true } : {}) }),
    text: (text) => ctx.emit({ type: 'partial', requestId: ctx.requestId, stage, text }),
    cancel: ctx.cancel,
  };
}

async function decodeAndReport(ctx: RunContext, image: ImageFile): Promise<RgbaImage> {
  ctx.emit({ type: 'phase', requestId: ctx.requestId, stage: null, phase: 'decode' });
  const decoded = await ctx.decodeImage(image);
  checkCancelled(ctx);
  return decoded;
}

function emitImage(ctx: RunContext, role: 'coarse' | 'crop' | 'full', original: Size, img: RgbaImage): void {
  // A copy is sent (a worker transfers it): the run keeps its own pixels for later turns.
  ctx.emit({ type: 'image', requestId: ctx.requestId, role, original: { width: original.width, height: original.height }, image: rgbaCopy(img) });
}

function finish(ctx: RunContext, settings: RunSettings, answerFrom: string, stages: StageStats[], original: Size, t0: number): void {
  ctx.emit({
    type: 'result',
    requestId: ctx.requestId,
    answer: answerText(answerFrom),
    stages,
    fullImageTokens: fullTokens(original),
    backend: ctx.engine.model.backend,
    totalMs: now() - t0,
    generation: ctx.engine.generation(settings.decoding ?? 'generation-config'),
  });
}

function stageResult(ctx: RunContext, turn: Turn): void {
  ctx.emit({ type: 'stage-result', requestId: ctx.requestId, stage: turn.stage, text: turn.text, stats: turn.stats });
}

/** The coarse turn: ERGO's resize (bicubic), system prompt and zoom instruction. Kept for fine turns. */
async function coarseTurn(ctx: RunContext, original: RgbaImage, question: string, fineQuestion: string, settings: RunSettings): Promise<CoarseTurn> {
  ctx.emit({ type: 'phase', requestId: ctx.requestId, stage: 'coarse', phase: 'resize' });
  const coarse = resized(original, ergoImageCost(original, settings.budget), 'bicubic');
  emitImage(ctx, 'coarse', original, coarse);
  checkCancelled(ctx);
  const messages = withImages(coarseTurnMessages(question, promptsOf(ctx.engine)), [coarse]);
  const turn = await ctx.engine.turn({ stage: 'coarse', messages, after: null, maxNewTokens: settings.maxNewTokens, keep: true, decoding: settings.decoding }, turnIO(ctx, 'coarse'));
  stageResult(ctx, turn);
  return { requestId: ctx.requestId, question, fineQuestion, settings, original, coarse, turn };
}

/**
 * The fine turn on `region` of the original (a crop, or the whole image for the full-image
 * fallback), resized with ERGO's resize at the same budget (lanczos), continuing the coarse turn.
 * `recompute` ignores what the engine kept of the coarse turn (same tokens; for comparison).
 */
async function fineTurn(ctx: RunContext, coarse: CoarseTurn, region: OriginalRect, role: 'crop' | 'full', recompute: boolean): Promise<Turn> {
  ctx.emit({ type: 'phase', requestId: ctx.requestId, stage: 'fine', phase: 'resize' });
  const source = role === 'full' ? coarse.original : cut(coarse.original, region);
  const image = resized(source, ergoImageCost(source, coarse.settings.budget), 'lanczos');
  emitImage(ctx, role, coarse.original, image);
  checkCancelled(ctx);
  const follow = fineTurnMessages(coarse.question, coarse.turn.text, promptsOf(ctx.engine), coarse.fineQuestion).slice(-1);
  return ctx.engine.turn(
    { stage: 'fine', messages: withImages(follow, [image]), after: coarse.turn, maxNewTokens: coarse.settings.maxNewTokens, keep: false, recompute, decoding: coarse.settings.decoding },
    turnIO(ctx, 'fine'),
  );
}

function boxEvent(ctx: RunContext, plan: FinePlan, manual: boolean): void {
  const status = plan.kind === 'crop' ? { kind: manual ? ('manual' as const) : ('parsed' as const), box: plan.box, crop: plan.rect } : { kind: 'none' as const, reason: plan.reason, fallback: plan.fallback };
  ctx.emit({ type: 'box', requestId: ctx.requestId, status });
}

async function fineFromPlan(ctx: RunContext, coarse: CoarseTurn, plan: FinePlan): Promise<Turn | null> {
  if (plan.kind === 'crop') return fineTurn(ctx, coarse, plan.rect, 'crop', false);
  const reasons = { 'no-zoom': 'the coarse output has no <zoom> box', malformed: 'the <zoom> box is malformed', degenerate: 'the <zoom> box has no area in the image' };
  if (plan.fallback === 'skip') {
    ctx.emit({ type: 'notice', requestId: ctx.requestId, code: 'fine-turn-skipped', message: `${reasons[plan.reason]}: the fine turn was skipped; the answer is the coarse output` });
    return null;
  }
  ctx.emit({ type: 'notice', requestId: ctx.requestId, code: 'full-image-fallback', message: `${reasons[plan.reason]}: the whole image was sent as the fine turn's image, at the budget` });
  const whole = { x1: 0, y1: 0, x2: coarse.original.width, y2: coarse.original.height };
  return fineTurn(ctx, coarse, whole, 'full', false);
}

/**
 * Runs ERGO end to end. Returns the coarse turn to keep (the caller releases it when replaced).
 * `fineQuestion` replaces the question in the fine turn only (benchmarks add the options there).
 */
/**
 * The settings with the budget lowered to what the engine's device holds (vision attention and KV
 * cache next to the weights), said in a notice; a run nothing fits is refused with a code.
 */
function withDeviceBudget(ctx: RunContext, settings: RunSettings): RunSettings {
  const check = ctx.engine.fitBudget?.(settings.budget, settings.maxNewTokens);
  if (!check) return settings;
  if (!check.ok) throw new EngineError(check.code, check.message);
  if (check.lowered === null) return settings;
  ctx.emit({ type: 'notice', requestId: ctx.requestId, code: 'budget-lowered', message: check.lowered });
  return { ...settings, budget: check.budget };
}

export async function runErgo(ctx: RunContext, image: ImageFile, question: string, asked: RunSettings, fineQuestion: string = question): Promise<CoarseTurn> {
  const t0 = now();
  const settings = withDeviceBudget(ctx, asked);
  const original = await decodeAndReport(ctx, image);
  const coarse = await coarseTurn(ctx, original, question, fineQuestion, settings);
  try {
    const plan = planFineTurn(coarse.turn.text, ctx.engine.model.boxConvention, coarse.coarse, original, settings.fallback);
    boxEvent(ctx, plan, false);
    const fine = await fineFromPlan(ctx, coarse, plan);
    if (fine) stageResult(ctx, fine);
    finish(ctx, settings, fine ? fine.text : coarse.turn.text, fine ? [coarse.turn.stats, fine.stats] : [coarse.turn.stats], original, t0);
    return coarse;
  } catch (e) {
    ctx.engine.release(coarse.turn);
    throw e;
  }
}

/**
 * The coarse turn of ERGO run `ergoRequestId` again, when the kept one is gone: same image,
 * question and settings, so greedy decoding writes the same output on the same backend. Its text
 * arrives as one `stage-result` (not streamed again on top of the text already shown).
 */
export async function recomputeCoarseTurn(ctx: RunContext, ergoRequestId: string, image: ImageFile, question: string, settings: RunSettings): Promise<CoarseTurn> {
  ctx.emit({ type: 'notice', requestId: ctx.requestId, code: 'coarse-recomputed', message: "This run's first look was no longer in memory, so it was computed again before reading your region." });
  const quiet: RunContext = { ...ctx, emit: (e) => (e.type === 'partial' ? undefined : ctx.emit(e)) };
  const original = await decodeAndReport(quiet, image);
  return { ...(await coarseTurn(quiet, original, question, question, settings)), requestId: ergoRequestId };
}

/** A fine turn on a user-given box (coarse pixels), continuing the kept coarse turn (or recomputing it all). */
export async function runManualFine(ctx: RunContext, coarse: CoarseTurn, box: CoarseBox, reuseCache: boolean): Promise<void> {
  const t0 = now();
  const plan = planForBox(box, coarse.coarse, coarse.original, 'skip');
  if (plan.kind !== 'crop') throw new EngineError('degenerate-box', `The box [${box.join(', ')}] has no area inside the ${coarse.coarse.width}×${coarse.coarse.height} image the model saw: give it some width and height.`);
  boxEvent(ctx, plan, true);
  const fine = await fineTurn(ctx, coarse, plan.rect, 'crop', !reuseCache);
  stageResult(ctx, fine);
  finish(ctx, coarse.settings, fine.text, [coarse.turn.stats, fine.stats], coarse.original, t0);
}

/** One turn on the whole image: Qwen's own resize at the (device-lowered) cap, or ERGO's at the coarse budget. */
export async function runBaseline(ctx: RunContext, kind: 'direct' | 'coarse-only', image: ImageFile, question: string, asked: RunSettings): Promise<void> {
  const t0 = now();
  const settings = kind === 'coarse-only' ? withDeviceBudget(ctx, asked) : asked;
  const original = await decodeAndReport(ctx, image);
  const stage: Stage = kind;
  ctx.emit({ type: 'phase', requestId: ctx.requestId, stage, phase: 'resize' });
  let size: Size;
  if (kind === 'direct') {
    const deviceCap = ctx.engine.model.maxImageTokens;
    const wanted = fullImageCost(original, settings.directCap);
    if (!wanted) throw new EngineError('aspect-ratio', `a ${original.width}x${original.height} image is more elongated than Qwen's resize accepts (200:1)`);
    const cap = Math.min(settings.directCap, deviceCap);
    if (wanted.tokens > cap) {
      ctx.emit({ type: 'notice', requestId: ctx.requestId, code: 'direct-cap-lowered', message: `the direct baseline would take ${wanted.tokens} vision tokens; this device holds at most ${deviceCap}, so it ran at a ${cap}-token cap` });
    }
    size = fullImageCost(original, cap)!;
  } else {
    size = ergoImageCost(original, settings.budget);
  }
  const input = resized(original, size, 'bicubic');
  emitImage(ctx, 'full', original, input);
  checkCancelled(ctx);
  // Baselines ask the plain question: stock Qwen behaviour, the template's default system prompt.
  const turn = await ctx.engine.turn({ stage, messages: withImages(directTurnMessages(question), [input]), after: null, maxNewTokens: settings.maxNewTokens, keep: false, decoding: settings.decoding }, turnIO(ctx, stage));
  stageResult(ctx, turn);
  finish(ctx, settings, turn.text, [turn.stats], original, t0);
}
