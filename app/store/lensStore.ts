/**
 * The one store of the interface, built from typed slices: model, image, run, view. It holds data
 * only (no worker handle, no functions in state); actions live in `actions.ts`, derived values in
 * `selectors.ts`.
 */
import { create } from 'zustand';
import type { BackendPreference, RunSettings, WorkerEvent } from '../../pipeline/protocol';
import { findModel } from '../../pipeline/registry';
import type { CoarseBox } from '../core/geometry';
import type { SharedServer } from '../share/shareState';
import type { LensImage } from './imageFile';
import { applyLoadEvent, IDLE_LOAD, type LoadState } from './loadState';
import { applyRunEvent, type BaselineKind, type RunState } from './runState';

export type { LensImage } from './imageFile';

/** The control an error belongs to: it is shown there, not in a page-wide banner. */
export type ErrorPlace = 'image' | 'run' | 'model' | 'trace' | 'link';

export interface UiError {
  readonly where: ErrorPlace;
  readonly code: string;
  readonly message: string;
}

export interface ModelSlice {
  readonly modelId: string;
  readonly backend: BackendPreference;
  /** Repo id for registry entries that take the user's own (custom, ERGO-7B). */
  readonly hubRepo: string;
  /** The OpenAI-compatible server of the `server` model: API base URL and served model name. */
  readonly server: { readonly endpoint: string; readonly model: string };
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
  /** The baselines run beside the ERGO run (same image and question), each kept until the next ERGO run. */
  readonly baselines: Readonly<Partial<Record<BaselineKind, RunState>>>;
  readonly history: readonly RunState[];
  /**
   * The ERGO run whose coarse turn the worker holds (it keeps one: the latest ERGO run's), or null
   * when it holds none (after a restart, a model change, or an ERGO run that did not finish).
   */
  readonly keptCoarse: string | null;
}

export interface ViewSlice {
  readonly showOriginal: boolean;
  readonly theme: 'light' | 'dark';
  readonly showRaw: boolean;
  /** The box as the user edited it (coarse pixels); null while it follows the model's. */
  readonly editedBox: CoarseBox | null;
  readonly error: UiError | null;
  /** The last History action's confirmation (an imported trace), shown in the History panel. */
  readonly historyNote: string | null;
  /**
   * From a share link: the sender's local image to ask for, the box (shown over the link's image
   * until a run, then re-applied on request), and the link's image key (`linkImageKey`).
   */
  readonly shared: { readonly localImage: { name: string; width: number; height: number } | null; readonly box: CoarseBox | null; readonly imageKey: string | null } | null;
  /** A server a share link named, shown to the recipient and used only once they accept it. */
  readonly sharedServer: SharedServer | null;
}

export type LensState = ModelSlice & ImageSlice & RunSlice & ViewSlice;

/** ERGO's settings; a model trained at its own budget replaces `budget` while it is picked (`selectModel`). */
export const DEFAULT_SETTINGS: RunSettings = { budget: 1280, maxNewTokens: 1024, fallback: 'skip', directCap: 4096, decoding: 'generation-config' };

/**
 * The model the app starts on when nothing else is chosen (no `model=` in the link): the built-in
 * policy, the one offline model whose boxes and answers mean something (on its own scenes).
 */
export const DEFAULT_MODEL_ID = 'ergo-tiny';

export type Theme = ViewSlice['theme'];
/** Where the chosen theme is remembered across reloads. */
export const THEME_KEY = 'ergo-lens-theme';

/** The theme the user chose before, else the system's. */
function initialTheme(): Theme {
  const saved = typeof localStorage === 'object' ? localStorage.getItem(THEME_KEY) : null;
  if (saved === 'light' || saved === 'dark') return saved;
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}


export const useLens = create<LensState>()(() => ({
  modelId: DEFAULT_MODEL_ID,
  backend: 'auto',
  hubRepo: '',
  server: { endpoint: '', model: '' },
  folder: null,
  load: IDLE_LOAD,
  image: null,
  question: '',
  settings: { ...DEFAULT_SETTINGS, budget: findModel(DEFAULT_MODEL_ID)?.budget ?? DEFAULT_SETTINGS.budget },
  run: null,
  baselines: {},
  history: [],
  keptCoarse: null,
  showOriginal: false,
  theme: initialTheme(),
  showRaw: false,
  editedBox: null,
  error: null,
  historyNote: null,
  shared: null,
  sharedServer: null,
}));

const justEnded = (before: RunState | null, after: RunState | null): after is RunState =>
  !!before && !!after && before.status === 'running' && after.status !== 'running';

/** Folds a worker event into the store; a run that ends joins the history (newest first). */
export function reduceEvent(state: LensState, event: WorkerEvent): Partial<LensState> {
  const run = state.run && applyRunEvent(state.run, event);
  const ended: RunState[] = justEnded(state.run, run) ? [run] : [];
  const baselines: Partial<Record<BaselineKind, RunState>> = {};
  for (const [kind, before] of Object.entries(state.baselines) as [BaselineKind, RunState][]) {
    const after = applyRunEvent(before, event);
    baselines[kind] = after;
    if (justEnded(before, after)) ended.push(after);
  }
  return { load: applyLoadEvent(state.load, event), run, baselines, history: ended.length ? [...ended, ...state.history] : state.history, keptCoarse: keptAfter(state, event) };
}

/** What the worker keeps after `event`: an ERGO or fine run that finished holds its coarse turn; a restart or model change drops it. */
function keptAfter(state: LensState, event: WorkerEvent): string | null {
  if (event.type === 'reloading' || event.type === 'loaded' || event.type === 'unloaded') return null;
  if (event.type === 'error' && event.error.code === 'worker-crashed') return null;
  const run = state.run?.requestId === event.requestId ? state.run : null;
  if (run && event.type === 'result' && (run.kind === 'ergo' || run.kind === 'fine')) return run.ergoRequestId ?? run.requestId;
  return state.keptCoarse;
}
