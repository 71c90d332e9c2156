/**
 * Values derived from the store with the core's functions: computed where they are shown, never
 * stored twice.
 */
import { cropRect, ergoImageCost, fullImageCost, parseZoomBox, rectSize, type TokenizedSize } from '../core';
import type { CoarseBox, OriginalRect, Size } from '../core/geometry';
import type { StageStats } from '../../pipeline/protocol';
import { displayedBox, type RunState } from './runState';

/** The coarse image's size: the one the worker sent, else ERGO's resize of the original at the run's budget. */
export function coarseSize(run: RunState): Size {
  return run.coarse ?? ergoImageCost(run.original, run.settings.budget);
}

/** The box to draw and edit (coarse pixels): the user's edit, else the model's (live while streaming). */
export function activeBox(run: RunState, edited: CoarseBox | null): CoarseBox | null {
  return edited ?? displayedBox(run, parseZoomBox);
}

/** The box's rectangle in the original (what the crop is cut from). */
export function activeCrop(run: RunState, edited: CoarseBox | null): OriginalRect | null {
  if (!edited && run.box && run.box.kind !== 'none') return run.box.crop;
  const box = activeBox(run, edited);
  return box ? cropRect(box, run.original, coarseSize(run)) : null;
}

export interface Ledger {
  readonly coarse: TokenizedSize;
  readonly crop: TokenizedSize | null;
  readonly full: TokenizedSize | null;
  readonly ergoTokens: number;
  readonly percentSaved: number | null;
}

/** Vision tokens of this run's images by the protocol arithmetic, against the whole image at Qwen's 16384 cap. */
export function ledgerOf(run: RunState, edited: CoarseBox | null): Ledger {
  const coarse = ergoImageCost(run.original, run.settings.budget);
  const rect = activeCrop(run, edited);
  const crop = rect ? ergoImageCost(rectSize(rect), run.settings.budget) : null;
  const full = fullImageCost(run.original);
  const ergoTokens = coarse.tokens + (crop?.tokens ?? 0);
  return { coarse, crop, full, ergoTokens, percentSaved: full ? 100 * (1 - ergoTokens / full.tokens) : null };
}

/** Sum of one timing over a run's stages (ms). */
export function totalMs(stages: readonly StageStats[], field: 'encoderMs' | 'prefillMs' | 'decodeMs' | 'totalMs'): number {
  return stages.reduce((n, s) => n + s[field], 0);
}
