/**
 * Run traces: what a run is exported as (JSON), and the validation that reads them back, our own
 * or a trace of the same shape from another ERGO runtime (snake_case fields, `stage1`/`stage2`,
 * `bbox`, `image_size: [w, h]`). Pure: the caller hashes the image and reads files.
 */
import { parseZoomBox } from '../core';
import { boxIn, type CoarseBox, type Size } from '../core/geometry';
import type { Stage, StageStats } from '../../pipeline/protocol';

export const TRACE_FORMAT = 'ergo-lens-trace';

export interface Trace {
  readonly format: typeof TRACE_FORMAT;
  readonly version: 1;
  readonly image: { readonly name: string; readonly width: number; readonly height: number; readonly sha256: string | null };
  readonly question: string;
  readonly model: string;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly coarseOutput: string;
  readonly fineOutput: string | null;
  readonly answer: string | null;
  /** In pixels of the coarse image. */
  readonly box: CoarseBox | null;
  /** Who named the box: the model (`parsed`, also when the trace only has the text) or the user's hand (`manual`). */
  readonly boxSource: 'parsed' | 'manual';
  readonly coarseSize: Size | null;
  /** The run's own statistics per stage (entries that are not complete statistics are left out). */
  readonly stats: readonly StageStats[];
}

export type TraceParse = { readonly ok: true; readonly trace: Trace } | { readonly ok: false; readonly code: string; readonly message: string };

const MAX_TEXT = 200_000;

function text(value: unknown): string | null {
  return typeof value === 'string' && value.length <= MAX_TEXT ? value : null;
}

function size(value: unknown): Size | null {
  if (Array.isArray(value) && value.length === 2) return positiveSize(value[0], value[1]);
  if (value && typeof value === 'object') return positiveSize((value as Record<string, unknown>).width, (value as Record<string, unknown>).height);
  return null;
}

function positiveSize(width: unknown, height: unknown): Size | null {
  const ok = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n > 0 && n <= 1_000_000;
  return ok(width) && ok(height) ? { width, height } : null;
}

function box(value: unknown): CoarseBox | null | 'invalid' {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value) && value.length === 4 && value.every((n) => typeof n === 'number' && Number.isFinite(n) && n >= 0)) {
    return boxIn('coarse', value);
  }
  return 'invalid';
}

/** Names other ERGO runtimes give the two turns' outputs (ours first). The eval replay reads the same. */
export const COARSE_OUTPUT_KEYS = ['coarseOutput', 'coarse_output', 'stage1', 'first_turn'] as const;
export const FINE_OUTPUT_KEYS = ['fineOutput', 'fine_output', 'stage2', 'second_turn', 'response'] as const;

/** The first of `keys` that `o` has. */
export const first = (o: Readonly<Record<string, unknown>>, ...keys: readonly string[]): unknown => keys.map((k) => o[k]).find((v) => v !== undefined);

const STAGES: readonly Stage[] = ['coarse', 'fine', 'direct', 'coarse-only'];
const STAT_NUMBERS = ['visionTokens', 'encoderRows', 'encoderMs', 'cachedTokens', 'prefillTokens', 'prefillMs', 'decodeTokens', 'decodeMs', 'tokensPerSecond', 'totalMs'] as const;

/** One stage's statistics as an ERGO Lens trace writes them, or null. */
function stageStats(value: unknown): StageStats | null {
  if (!value || typeof value !== 'object') return null;
  const o = value as Record<string, unknown>;
  const stage = STAGES.find((st) => st === o.stage);
  // 0x0 is a stage that encoded no image.
  const dims = (o.imageSize && typeof o.imageSize === 'object' ? o.imageSize : {}) as Record<string, unknown>;
  const whole = (d: unknown): d is number => typeof d === 'number' && Number.isInteger(d) && d >= 0;
  const imageSize = whole(dims.width) && whole(dims.height) ? { width: dims.width, height: dims.height } : null;
  if (!stage || !imageSize || !STAT_NUMBERS.every((k) => typeof o[k] === 'number' && Number.isFinite(o[k]) && (o[k] as number) >= 0)) return null;
  const n = (k: (typeof STAT_NUMBERS)[number]) => o[k] as number;
  return {
    stage,
    imageSize,
    visionTokens: n('visionTokens'),
    encoderRows: n('encoderRows'),
    encoderMs: n('encoderMs'),
    cachedTokens: n('cachedTokens'),
    prefillTokens: n('prefillTokens'),
    prefillMs: n('prefillMs'),
    decodeTokens: n('decodeTokens'),
    decodeMs: n('decodeMs'),
    tokensPerSecond: n('tokensPerSecond'),
    totalMs: n('totalMs'),
  };
}


/** Validates a parsed JSON value as a trace; never throws. */
export function parseTrace(json: unknown): TraceParse {
  if (!json || typeof json !== 'object' || Array.isArray(json)) return { ok: false, code: 'trace-not-object', message: 'a trace is a JSON object' };
  const o = json as Record<string, unknown>;
  const question = text(first(o, 'question', 'prompt'));
  if (question === null) return { ok: false, code: 'trace-no-question', message: 'the trace has no "question" string' };
  const coarseOutput = text(first(o, ...COARSE_OUTPUT_KEYS));
  if (coarseOutput === null) return { ok: false, code: 'trace-no-coarse-output', message: 'the trace has no coarse-turn output ("coarse_output" or "stage1")' };
  const fine = first(o, ...FINE_OUTPUT_KEYS);
  const fineOutput = fine === undefined || fine === null ? null : text(fine);
  if (fine !== undefined && fine !== null && fineOutput === null) return { ok: false, code: 'trace-bad-fine-output', message: 'the fine-turn output must be a string' };
  const givenBox = box(first(o, 'box', 'bbox'));
  if (givenBox === 'invalid') return { ok: false, code: 'trace-bad-box', message: 'the box must be four non-negative numbers [x1, y1, x2, y2]' };
  const image = (o.image && typeof o.image === 'object' ? o.image : {}) as Record<string, unknown>;
  const imageSize = size(first(o, 'image_size', 'imageSize')) ?? positiveSize(image.width, image.height);
  if (!imageSize) return { ok: false, code: 'trace-no-image-size', message: 'the trace must give the image size ("image_size": [width, height] or image.width/height)' };
  const boxStatus = (o.box_status && typeof o.box_status === 'object' ? o.box_status : null) as { kind?: unknown } | null;
  const sha = typeof image.sha256 === 'string' && /^[0-9a-f]{64}$/.test(image.sha256) ? image.sha256 : null;
  return {
    ok: true,
    trace: {
      format: TRACE_FORMAT,
      version: 1,
      image: { name: text(image.name) ?? 'image', ...imageSize, sha256: sha },
      question,
      model: text(first(o, 'model', 'model_id')) ?? 'unknown',
      settings: o.settings && typeof o.settings === 'object' ? (o.settings as Record<string, unknown>) : {},
      coarseOutput,
      fineOutput,
      answer: text(o.answer),
      box: givenBox ?? parseZoomBox(coarseOutput),
      boxSource: givenBox && boxStatus?.kind === 'manual' ? 'manual' : 'parsed',
      coarseSize: size(first(o, 'coarseSize', 'coarse_size')),
      stats: Array.isArray(o.stats) ? o.stats.map(stageStats).filter((st): st is StageStats => st !== null) : [],
    },
  };
}
