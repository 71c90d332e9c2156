/**
 * One run as the UI shows it, and the pure reducer that folds the worker's events into it.
 * Everything the panels display that can be computed from this (the live box, the ledger) is
 * derived in selectors, not stored.
 */
import type { BoxStatus, Phase, RgbaImage, RunSettings, Stage, StageStats, WorkerEvent, WorkerErrorInfo } from '../../pipeline/protocol';
import type { CoarseBox } from '../core/geometry';
import type { LensImage } from './imageFile';

export type BaselineKind = 'direct' | 'coarse-only';
export type RunKind = 'ergo' | 'fine' | BaselineKind | 'trace';

export interface Notice {
  readonly code: string;
  readonly message: string;
}

export interface RunState {
  readonly requestId: string;
  readonly kind: RunKind;
  readonly status: 'running' | 'done' | 'cancelled' | 'error';
  readonly question: string;
  readonly modelId: string;
  readonly settings: RunSettings;
  /** The image this run ran on (its own, whatever image is current now). */
  readonly image: LensImage;
  readonly phase: Phase | null;
  /** The current phase also compiles WebGPU shaders (the loaded model's first encode or prefill). */
  readonly compilingShaders: boolean;
  readonly stage: Stage | null;
  /** Streamed text per stage. */
  readonly texts: Readonly<Partial<Record<Stage, string>>>;
  readonly coarse: RgbaImage | null;
  /** The image of the fine turn or baseline as the model saw it (crop, whole image, or baseline input). */
  readonly second: RgbaImage | null;
  readonly box: BoxStatus | null;
  readonly notices: readonly Notice[];
  readonly stages: readonly StageStats[];
  readonly answer: string | null;
  readonly totalMs: number | null;
  /** The decoding values the run used (eos ids, repetition penalty), once it finished. */
  readonly generation: Extract<WorkerEvent, { type: 'result' }>['generation'] | null;
  readonly error: WorkerErrorInfo | null;
  /** For a fine-only re-run: the ERGO run whose coarse turn it continues. */
  readonly ergoRequestId: string | null;
}

export function startRun(init: Pick<RunState, 'requestId' | 'kind' | 'question' | 'modelId' | 'settings' | 'image'> & Partial<RunState>): RunState {
  return {
    phase: null,
    compilingShaders: false,
    stage: null,
    texts: {},
    coarse: null,
    second: null,
    box: null,
    notices: [],
    stages: [],
    answer: null,
    totalMs: null,
    generation: null,
    error: null,
    ergoRequestId: null,
    ...init,
    status: init.status ?? 'running',
  };
}

/** Folds one worker event for this run into its state (events of other requests are ignored). */
export function applyRunEvent(run: RunState, event: WorkerEvent): RunState {
  if (event.requestId !== run.requestId) return run;
  switch (event.type) {
    case 'phase':
      return { ...run, phase: event.phase, compilingShaders: event.compilingShaders ?? false, stage: event.stage ?? run.stage };
    case 'partial':
      return { ...run, texts: { ...run.texts, [event.stage]: (run.texts[event.stage] ?? '') + event.text } };
    case 'image':
      return event.role === 'coarse' ? { ...run, coarse: event.image } : { ...run, second: event.image };
    case 'box':
      return { ...run, box: event.status };
    case 'notice':
      return { ...run, notices: [...run.notices, { code: event.code, message: event.message }] };
    case 'stage-result':
      // The final text replaces the streamed one (identical unless a chunk was dropped).
      return { ...run, texts: { ...run.texts, [event.stage]: event.text } };
    case 'result':
      return { ...run, status: 'done', phase: null, stages: event.stages, answer: event.answer, totalMs: event.totalMs, generation: event.generation };
    case 'cancelled':
      return { ...run, status: 'cancelled', phase: null };
    case 'error':
      return { ...run, status: 'error', phase: null, error: event.error };
    case 'progress':
    case 'progress-total':
    case 'load-phase':
    case 'loaded':
    case 'unloaded':
    case 'reloading':
      return run;
    default:
      return event satisfies never;
  }
}

/**
 * The box to draw in coarse pixels: the worker's once known, else `live` (the streaming coarse text
 * read in the model's convention).
 */
export function displayedBox(run: RunState, live: (text: string) => CoarseBox | null): CoarseBox | null {
  if (run.box) return run.box.kind === 'none' ? null : run.box.box;
  return live(run.texts.coarse ?? '');
}

const boxText = (box: CoarseBox) => `[${box.map(Math.round).join(', ')}]`;

/**
 * The box status in plain words: where the box came from (parsed from the model's output, live or
 * recorded in a trace, or drawn by the user's hand)
 * and, with `edited`, the user's own box that no turn has used yet.
 */
/**
 * What the crop panel says when there is no crop to show: before any run, while stage 1 has not
 * named a region yet, or why the run ended without one.
 */
export function cropNote(run: RunState | null): { readonly state: 'idle' | 'pending' | 'none'; readonly text: string } {
  if (!run) return { state: 'idle', text: 'The crop appears once the model names a region.' };
  if (!run.box) {
    return run.status === 'running'
      ? { state: 'pending', text: 'Waiting for stage 1 to name a region…' }
      : { state: 'none', text: `No crop: the run ${run.status === 'cancelled' ? 'was stopped' : run.status === 'error' ? 'failed' : 'ended'} before the model named a region.` };
  }
  return { state: 'none', text: 'No crop: the box is missing or empty.' };
}

export function describeBox(run: RunState, edited: CoarseBox | null = null): string {
  if (edited) {
    const asked = run.kind === 'fine' && (run.status === 'running' || (run.box?.kind === 'manual' && boxText(run.box.box) === boxText(edited)));
    return `Your box: ${boxText(edited)} in the coarse image${asked ? '.' : ', not asked about yet: press "Ask about this region".'}`;
  }
  const status = run.box;
  if (!status) return run.status === 'running' ? 'No box yet.' : 'No box.';
  if (status.kind === 'manual') return `Your box: ${boxText(status.box)} in the coarse image.`;
  if (status.kind === 'parsed') return `Box parsed: ${boxText(status.box)} in the coarse image.`;
  const why = { 'no-zoom': 'the model wrote no <zoom> box', malformed: 'the <zoom> box was malformed', degenerate: 'the box has no area in the image' }[status.reason];
  const fallback = status.fallback === 'skip' ? 'the fine turn was skipped (the coarse answer stands)' : 'the whole image was sent instead of a crop';
  return `No usable box: ${why}, so ${fallback}.`;
}
