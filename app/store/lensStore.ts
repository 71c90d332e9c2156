/**
 * The one store of the interface, built from typed slices: model, image, run, view. It holds data
 * only (no worker handle, no functions in state); actions live in `actions.ts`, derived values in
 * `selectors.ts`.
 */
import { create } from 'zustand';
import type { BackendPreference, RunSettings, WorkerEvent } from '../../pipeline/protocol';
import type { CoarseBox } from '../core/geometry';
import { applyLoadEvent, IDLE_LOAD, type LoadState } from './loadState';
import { applyRunEvent, type RunState } from './runState';

export interface LensImage {
  readonly blob: Blob;
  readonly name: string;
  readonly width: number;
  readonly height: number;
  readonly sha256: string | null;
  /** The https URL it was fetched from; null for local files (a share link then asks the recipient for it). */
  readonly sourceUrl: string | null;
}

export interface UiError {
  readonly code: string;
  readonly message: string;
}

export interface ModelSlice {
  readonly modelId: string;
  readonly backend: BackendPreference;
  /** Repo id for registry entries that take the user's own (custom, ERGO-7B). */
  readonly hubRepo: string;
  /** A model folder the user picked instead of a repo id (files with paths relative to it). */
  readonly folder: { readonly name: string; readonly files: readonly { readonly path: string; readonly blob: Blob }[] } | null;
  readonly load: LoadState;
}

export interface ImageSlice {
  readonly image: LensImage | null;
}

export interface RunSlice {
  readonly question: string;
  readonly settings: RunSettings;
  readonly run: RunState | null;
  /** A baseline run shown beside the ERGO run. */
  readonly compare: RunState | null;
  readonly history: readonly RunState[];
}

export interface ViewSlice {
  readonly showOriginal: boolean;
  readonly theme: 'light' | 'dark';
  readonly showRaw: boolean;
  /** The box as the user edited it (coarse pixels); null while it follows the model's. */
  readonly editedBox: CoarseBox | null;
  readonly error: UiError | null;
  /** From a share link: the sender's local image to ask for, and a box to re-apply after a run. */
  readonly shared: { readonly localImage: { name: string; width: number; height: number } | null; readonly box: CoarseBox | null } | null;
}

export type LensState = ModelSlice & ImageSlice & RunSlice & ViewSlice;

export const DEFAULT_SETTINGS: RunSettings = { budget: 1280, maxNewTokens: 1024, fallback: 'skip', directCap: 4096, decoding: 'generation-config' };

export const useLens = create<LensState>()(() => ({
  modelId: 'tiny-random-qwen2_5_vl',
  backend: 'auto',
  hubRepo: '',
  folder: null,
  load: IDLE_LOAD,
  image: null,
  question: '',
  settings: DEFAULT_SETTINGS,
  run: null,
  compare: null,
  history: [],
  showOriginal: false,
  theme: typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light',
  showRaw: false,
  editedBox: null,
  error: null,
  shared: null,
}));

const justEnded = (before: RunState | null, after: RunState | null): after is RunState =>
  !!before && !!after && before.status === 'running' && after.status !== 'running';

/** Folds a worker event into the store; a run that ends joins the history (newest first). */
export function reduceEvent(state: LensState, event: WorkerEvent): Partial<LensState> {
  const run = state.run && applyRunEvent(state.run, event);
  const compare = state.compare && applyRunEvent(state.compare, event);
  const ended = [justEnded(state.run, run) ? run : null, justEnded(state.compare, compare) ? compare : null].filter((r): r is RunState => r !== null);
  return { load: applyLoadEvent(state.load, event), run, compare, history: ended.length ? [...ended, ...state.history] : state.history };
}
