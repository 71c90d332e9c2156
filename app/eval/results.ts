/**
 * One line of an evaluation's results file (JSONL), built from a sample and the two turns' outputs,
 * whether they were just generated or replayed from a file. The official evaluation's names are
 * kept where it has them (`question_id`, `category`, `pred`); box geometry, costs and times are
 * added so every predicted region can be looked at afterwards.
 */
import { answerText, choiceLetters } from '../core/answer';
import { boxIn, type CoarseBox, type OriginalBox, type OriginalRect, type Size } from '../core/geometry';
import { containment, regionIoU } from '../core/regionMetrics';
import { ergoImageCost, fullImageCost, rectSize } from '../core/tokens';
import { zoomRegion, type BoxConvention } from '../core/zoomRegion';
import type { EvalSample, ImageRef } from './samples';

/** ERGO's two turns, or one of the one-turn baselines on the whole image. */
export type EvalMode = 'ergo' | 'direct' | 'coarse-only';
export const EVAL_MODES: readonly EvalMode[] = ['ergo', 'direct', 'coarse-only'];

/** `parsed`: a usable box; else why there is none. `baseline`: a one-turn run asks for no box. */
export type BoxStatusCode = 'parsed' | 'no-zoom' | 'malformed' | 'degenerate' | 'baseline';
/** What the fine turn was given: the crop (`none` taken), the whole image, or nothing (skipped). */
export type FallbackTaken = 'none' | 'full-image' | 'skip';

/** Costs of one turn. Null where the source does not say (a replayed file has no token counts). */
export interface StageUsage {
  /** Vision tokens of the image this turn adds. */
  readonly vision_tokens: number;
  /** Prompt tokens other than image tokens (null when unknown). */
  readonly text_tokens: number | null;
  readonly prompt_tokens: number | null;
  readonly completion_tokens: number | null;
  /** Prompt tokens reused from an earlier turn's cache (server prefix cache, or the kept KV cache). */
  readonly cached_tokens: number | null;
  /** Wall time of the turn in ms, measured by the client. */
  readonly ms: number | null;
}

interface LineKey {
  /** Unique per sample within the dataset; resume skips an (`id`, `mode`) already in the file. */
  readonly id: string;
  readonly question_id: number | string;
  readonly category: string;
  readonly mode: EvalMode;
}

export interface EvalResultLine extends LineKey {
  /** The coarse turn's question; the fine turn's is question, options (one per line) and postfix. */
  readonly question: string;
  readonly options: readonly string[];
  readonly postfix: string;
  readonly image: ImageRef;
  readonly image_size: Size;
  /** The coarse image's size (ERGO's resize at `budget`); the frame of `box_coarse`. */
  readonly coarse_size: Size;
  readonly budget: number;
  readonly coarse_output: string;
  /** Null when the fine turn was skipped, and for baselines. */
  readonly fine_output: string | null;
  readonly box_status: BoxStatusCode;
  /** The parsed box in coarse pixels (converted from 0-1000 for models that ground that way). */
  readonly box_coarse: CoarseBox | null;
  /** The same box in original pixels (unclamped, fractional). */
  readonly box_original: OriginalBox | null;
  /** The integer crop of the original (x2/y2 exclusive), null without a usable box. */
  readonly crop: OriginalRect | null;
  readonly fallback: FallbackTaken;
  /** Letters of the answer, as the official evaluation extracts them. */
  readonly pred: string;
  readonly label: string;
  readonly correct: boolean;
  /** Target boxes in original pixels (empty when the dataset has none). */
  readonly targets: readonly OriginalBox[];
  /** Share of the targets inside the crop; null without targets or without a crop. */
  readonly containment: number | null;
  readonly iou: number | null;
  readonly usage: { readonly coarse: StageUsage; readonly fine: StageUsage | null };
  /** Vision tokens of all turns. */
  readonly vision_tokens: number;
  readonly total_ms: number | null;
  readonly model: string;
  readonly engine: string;
}

/** A sample whose run failed. The official evaluation drops these silently; here they are counted. */
export interface FailedLine extends LineKey {
  readonly failed: true;
  readonly error: { readonly code: string; readonly message: string };
  readonly model: string;
  readonly engine: string;
}

export type ResultFileLine = EvalResultLine | FailedLine;

export const isFailed = (line: ResultFileLine): line is FailedLine => 'failed' in line && line.failed === true;

export interface RegionOutcome {
  readonly status: Exclude<BoxStatusCode, 'baseline'>;
  readonly box: CoarseBox | null;
  readonly crop: OriginalRect | null;
}

/** ERGO's parse and crop of a coarse-turn output over an `original` image seen at `coarse`. */
export function regionOf(coarseOutput: string, original: Size, coarse: Size, convention: BoxConvention = 'pixels-coarse'): RegionOutcome {
  const region = zoomRegion(coarseOutput, convention, coarse, original);
  if (region.kind === 'none') return { status: region.reason, box: null, crop: null };
  return { status: region.crop ? 'parsed' : 'degenerate', box: region.box, crop: region.crop };
}

function toOriginal(box: CoarseBox, original: Size, coarse: Size): OriginalBox {
  const sx = original.width / coarse.width;
  const sy = original.height / coarse.height;
  return boxIn('original', [box[0] * sx, box[1] * sy, box[2] * sx, box[3] * sy]);
}

/** What one ERGO run produced, from an engine or a recorded file. */
export interface ErgoOutputs {
  readonly coarse_output: string;
  readonly fine_output: string | null;
  /** Null when not measured (replay): then filled in by the protocol arithmetic. */
  readonly usage: { readonly coarse: StageUsage; readonly fine: StageUsage | null } | null;
  readonly total_ms: number | null;
}

export interface RunContext {
  readonly original: Size;
  readonly budget: number;
  readonly convention: BoxConvention;
  readonly model: string;
  readonly engine: string;
}

const unknownUsage = (visionTokens: number): StageUsage => ({
  vision_tokens: visionTokens,
  text_tokens: null,
  prompt_tokens: null,
  completion_tokens: null,
  cached_tokens: null,
  ms: null,
});

/**
 * The fields every line of `sample` shares, and its score on `response`: a multiple-choice item's
 * `pred` is the official rule's letters; an open item's (no options) is the answer text, matched
 * whole (the letters rule would drop the digits of an answer such as "7K").
 */
function common(sample: EvalSample, mode: EvalMode, response: string, ctx: RunContext) {
  const pred = sample.options.length ? choiceLetters(response) : answerText(response).trim();
  return {
    id: sample.id,
    question_id: sample.questionId,
    category: sample.category,
    mode,
    question: sample.question,
    options: sample.options,
    postfix: sample.postfix,
    image: sample.image,
    image_size: { width: ctx.original.width, height: ctx.original.height },
    budget: ctx.budget,
    pred,
    label: sample.label,
    correct: pred.toLowerCase() === sample.label.toLowerCase(),
    targets: sample.targets,
    model: ctx.model,
    engine: ctx.engine,
  };
}

/**
 * The result line of an ERGO run. Without a fine output, the answer is the coarse output (the
 * "skip" fallback). A fine output without a usable box was made on the whole image: the official
 * evaluation's fallback, which sends the original as it is (so its vision tokens are Qwen's resize
 * of the original at the processor's default cap, when not measured).
 */
export function ergoResult(sample: EvalSample, outputs: ErgoOutputs, ctx: RunContext): EvalResultLine {
  const coarse = ergoImageCost(ctx.original, ctx.budget);
  const region = regionOf(outputs.coarse_output, ctx.original, coarse, ctx.convention);
  const fallback: FallbackTaken = region.crop ? 'none' : outputs.fine_output === null ? 'skip' : 'full-image';
  const fineTokens = region.crop ? ergoImageCost(rectSize(region.crop), ctx.budget).tokens : fallback === 'full-image' ? (fullImageCost(ctx.original)?.tokens ?? 0) : 0;
  const usage = outputs.usage ?? { coarse: unknownUsage(coarse.tokens), fine: outputs.fine_output === null ? null : unknownUsage(fineTokens) };
  return {
    ...common(sample, 'ergo', outputs.fine_output ?? outputs.coarse_output, ctx),
    coarse_size: { width: coarse.width, height: coarse.height },
    coarse_output: outputs.coarse_output,
    fine_output: outputs.fine_output,
    box_status: region.status,
    box_coarse: region.box,
    box_original: region.box ? toOriginal(region.box, ctx.original, coarse) : null,
    crop: region.crop,
    fallback,
    containment: region.crop ? containment(region.crop, sample.targets) : null,
    iou: region.crop ? regionIoU(region.crop, sample.targets) : null,
    usage,
    vision_tokens: usage.coarse.vision_tokens + (usage.fine?.vision_tokens ?? 0),
    total_ms: outputs.total_ms,
  };
}

/** The result line of a one-turn baseline on the whole image (`coarse_size` is that image's size). */
export function baselineResult(sample: EvalSample, mode: Exclude<EvalMode, 'ergo'>, output: string, usage: StageUsage, input: Size, ctx: RunContext): EvalResultLine {
  return {
    ...common(sample, mode, output, ctx),
    coarse_size: { width: input.width, height: input.height },
    coarse_output: output,
    fine_output: null,
    box_status: 'baseline',
    box_coarse: null,
    box_original: null,
    crop: null,
    fallback: 'none',
    containment: null,
    iou: null,
    usage: { coarse: usage, fine: null },
    vision_tokens: usage.vision_tokens,
    total_ms: usage.ms,
  };
}

export function failedLine(sample: EvalSample, mode: EvalMode, error: { code: string; message: string }, ctx: Pick<RunContext, 'model' | 'engine'>): FailedLine {
  return { id: sample.id, question_id: sample.questionId, category: sample.category, mode, failed: true, error, model: ctx.model, engine: ctx.engine };
}

/** The key resume uses: a sample id under one mode. */
export const lineKey = (line: { readonly id: string; readonly mode: EvalMode }): string => `${line.mode}\u0000${line.id}`;

export type LineParse = { readonly ok: true; readonly line: ResultFileLine } | { readonly ok: false; readonly message: string };

const isSize = (v: unknown): v is Size =>
  typeof v === 'object' && v !== null && typeof (v as Size).width === 'number' && typeof (v as Size).height === 'number';

/** What is wrong with a parsed JSON value as a results line (the fields readers rely on), or null. */
function lineProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const o = value as Record<string, unknown>;
  if (typeof o.id !== 'string') return 'no "id"';
  if (typeof o.mode !== 'string' || !EVAL_MODES.includes(o.mode as EvalMode)) return `"mode" must be one of ${EVAL_MODES.join(', ')}`;
  if (typeof o.category !== 'string') return 'no "category"';
  if (o.failed === true) return typeof o.error === 'object' && o.error !== null ? null : 'a failed line needs its "error"';
  if (typeof o.correct !== 'boolean') return 'no boolean "correct"';
  if (typeof o.coarse_output !== 'string') return 'no "coarse_output"';
  if (typeof o.question !== 'string' || !Array.isArray(o.options) || typeof o.postfix !== 'string') return 'no "question", "options" and "postfix"';
  if (!isSize(o.image_size) || !isSize(o.coarse_size)) return 'no "image_size" / "coarse_size"';
  if (typeof o.vision_tokens !== 'number') return 'no "vision_tokens"';
  if (!Array.isArray(o.targets)) return 'no "targets" list';
  if (typeof o.usage !== 'object' || o.usage === null) return 'no "usage"';
  return null;
}

/** Whether a parsed JSON value is a results line (as written by `ergoResult` and friends). */
export function isResultFileLine(value: unknown): value is ResultFileLine {
  return lineProblem(value) === null;
}

/** Checks a parsed JSON value as a results line. Never throws. */
export function parseResultLine(value: unknown): LineParse {
  if (isResultFileLine(value)) return { ok: true, line: value };
  return { ok: false, message: lineProblem(value) ?? 'not a results line' };
}
