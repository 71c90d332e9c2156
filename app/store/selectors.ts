/**
 * Values derived from the store with the core's functions: computed where they are shown, never
 * stored twice. The cost ledger is derived here once, over `core/tokens.ts`.
 */
import { attentionBytesPerHead, cropRect, directCost, ergoCost, ergoImageCost, type ErgoCost, type TokenizedSize } from '../core';
import type { CoarseBox, OriginalRect, Size } from '../core/geometry';
import { coarseBoxOf } from '../../pipeline/fineTurnPlan';
import { findModel, type BoxConvention } from '../../pipeline/registry';
import { imageLinkKey, type LensImage } from './imageFile';
import type { LensState } from './lensStore';
import type { LoadState } from './loadState';
import { displayedBox, type BaselineKind, type RunState } from './runState';

/**
 * How `modelId` writes its boxes: as the loaded model said (its config, or a served model's name),
 * else from the registry.
 */
export function conventionOf(load: LoadState, modelId: string): BoxConvention {
  if (load.current?.modelId === modelId) return load.current.model.boxConvention;
  return findModel(modelId)?.boxConvention ?? 'pixels-coarse';
}

/** The coarse image's size: the one the worker sent, else ERGO's resize of the original at the run's budget. */
export function coarseSize(run: RunState): Size {
  return run.coarse ?? ergoImageCost(run.image, run.settings.budget);
}

/**
 * The box to draw and edit (coarse pixels): the user's edit, else the model's. While it streams it
 * is read in the model's `convention`, so it is drawn where it will end up.
 */
export function activeBox(run: RunState, edited: CoarseBox | null, convention: BoxConvention): CoarseBox | null {
  return edited ?? displayedBox(run, (text) => coarseBoxOf(text, convention, coarseSize(run)));
}

/** The box's rectangle in the original (what the crop is cut from). */
export function activeCrop(run: RunState, edited: CoarseBox | null, convention: BoxConvention): OriginalRect | null {
  if (!edited && run.box && run.box.kind !== 'none') return run.box.crop;
  const box = activeBox(run, edited, convention);
  return box ? cropRect(box, run.image, coarseSize(run)) : null;
}

/** The whole-image baseline's row: what it spends and, when capped, by how much and why. */
export interface DirectRow {
  readonly cost: TokenizedSize;
  readonly full: TokenizedSize;
  /** "capped at 4080 of 10549 tokens: <reason>", or null when the whole image fits the cap. */
  readonly capNote: string | null;
}

export interface Ledger {
  /** ERGO's images; null when the shown run is a baseline alone. `percentSaved` is null unless the run finished. */
  readonly ergo: ErgoCost | null;
  readonly direct: DirectRow | null;
  readonly coarseOnly: TokenizedSize;
}

const isErgo = (run: RunState) => run.kind === 'ergo' || run.kind === 'fine' || run.kind === 'trace';

/** What the fine turn was given: the crop, the whole original (the "full-image" fallback), or nothing. */
function secondImage(run: RunState, edited: CoarseBox | null, convention: BoxConvention): OriginalRect | null {
  if (!edited && run.box?.kind === 'none') return run.box.fallback === 'full-image' ? { x1: 0, y1: 0, x2: run.image.width, y2: run.image.height } : null;
  return activeCrop(run, edited, convention);
}

function directRow(run: RunState, baseline: RunState | undefined): DirectRow | null {
  const planned = directCost(run.image, (baseline ?? run).settings.directCap);
  if (!planned) return null;
  // A finished baseline reports what it really encoded (the worker may lower the cap on this device).
  const encoded = baseline?.stages.find((s) => s.stage === 'direct');
  const cost = encoded ? { ...encoded.imageSize, tokens: encoded.visionTokens } : planned.run;
  if (cost.tokens >= planned.full.tokens) return { cost, full: planned.full, capNote: null };
  const lowered = baseline?.notices.find((n) => n.code === 'direct-cap-lowered');
  const gb = (attentionBytesPerHead(planned.full.tokens) / 1e9).toFixed(1);
  const reason =
    lowered?.message ??
    `the whole image would need a ${gb} GB attention matrix per head in the vision encoder, more than a browser can allocate, so this baseline runs at a ${planned.capTokens}-token cap`;
  return { cost, full: planned.full, capNote: `capped at ${cost.tokens} of ${planned.full.tokens} tokens: ${reason}` };
}

/**
 * The cost table: ERGO's coarse image and crop against the whole image (stock Qwen2.5-VL), and both
 * baselines beside it. Savings are claimed only for an ERGO run that finished.
 */
export function ledgerOf(run: RunState, baselines: Readonly<Partial<Record<BaselineKind, RunState>>>, edited: CoarseBox | null, convention: BoxConvention): Ledger {
  const cost = isErgo(run) ? ergoCost(run.image, secondImage(run, edited, convention), run.settings.budget) : null;
  const ergo = cost && (run.status === 'done' ? cost : { ...cost, percentSaved: null });
  return {
    ergo,
    direct: directRow(run, baselines.direct ?? (run.kind === 'direct' ? run : undefined)),
    coarseOnly: ergoImageCost(run.image, run.settings.budget),
  };
}

/** What the canvas and the crop panel show: the image, its coarse frame, the box and its crop. */
export interface BoxView {
  readonly image: LensImage | null;
  readonly coarse: Size | null;
  readonly box: CoarseBox | null;
  readonly crop: OriginalRect | null;
}

/**
 * The box view of the store: the shown run's, on that run's own image; before any run, a box from
 * a share link over the current image at the current budget.
 */
export function boxView(s: Pick<LensState, 'run' | 'editedBox' | 'load' | 'shared' | 'image' | 'settings'>): BoxView {
  if (s.run) {
    const convention = conventionOf(s.load, s.run.modelId);
    return { image: s.run.image, coarse: coarseSize(s.run), box: activeBox(s.run, s.editedBox, convention), crop: activeCrop(s.run, s.editedBox, convention) };
  }
  if (!s.image) return { image: null, coarse: null, box: null, crop: null };
  const coarse = ergoImageCost(s.image, s.settings.budget);
  const box = s.editedBox ?? (s.shared?.box && s.shared.imageKey === imageLinkKey(s.image) ? s.shared.box : null);
  return { image: s.image, coarse, box, crop: box && cropRect(box, s.image, coarse) };
}

/** Whether "Ask about this region" can run for the shown run, and how; or why not, in words beside the button. */
export type Refine = { readonly ok: true; readonly recompute: boolean } | { readonly ok: false; readonly reason: string };

/** The one "can refine" rule: the shown run's coarse turn finished (the run keeps its own image). */
export function refineState(s: Pick<LensState, 'run' | 'keptCoarse'>): Refine | null {
  const { run } = s;
  if (!run || (run.kind !== 'ergo' && run.kind !== 'fine') || run.status === 'running') return null;
  if (run.kind === 'ergo' && run.status !== 'done') {
    return { ok: false, reason: run.status === 'cancelled' ? 'This run was stopped before it finished: run ERGO again to ask about a region.' : 'This run failed: run ERGO again to ask about a region.' };
  }
  return { ok: true, recompute: s.keptCoarse !== (run.ergoRequestId ?? run.requestId) };
}
