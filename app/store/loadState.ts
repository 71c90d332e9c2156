/**
 * Model loading as the UI shows it: which model the worker holds, a load under way with its
 * per-file and overall download progress, and the last failure. Pure reducer over the worker's
 * events for load requests.
 *
 * The loaded model and a pending load are kept apart because they are different facts: a new load
 * that fails or is cancelled leaves the previous model loaded (the worker keeps it until the new
 * one works), while a restart of the worker (to stop a run) unloads it until it is back.
 */
import type { LoadPhase, LoadedModel, WorkerErrorInfo, WorkerEvent } from '../../pipeline/protocol';

export interface FileProgress {
  readonly loaded: number;
  readonly total: number;
  readonly done: boolean;
}

export interface PendingLoad {
  readonly requestId: string;
  readonly modelId: string;
  /** `restart`: the model that was loaded, coming back after the engine restarted to stop a run. */
  readonly cause: 'new' | 'restart';
  readonly files: Readonly<Record<string, FileProgress>>;
  readonly total: { readonly loaded: number; readonly total: number } | null;
  /** null while the configuration and tokenizer are read, before the model's files are fetched. */
  readonly phase: { readonly step: LoadPhase; readonly file: string | null } | null;
}

export interface LoadState {
  /** The model the worker holds, with the load request that brought it (a reload reuses that id). */
  readonly current: { readonly requestId: string; readonly modelId: string; readonly model: LoadedModel } | null;
  readonly pending: PendingLoad | null;
  /** The last load that failed, until the next load starts or it is dismissed. */
  readonly error: (WorkerErrorInfo & { readonly modelId: string }) | null;
}

export const IDLE_LOAD: LoadState = { current: null, pending: null, error: null };

export function startLoad(load: LoadState, requestId: string, modelId: string): LoadState {
  return { ...load, pending: { requestId, modelId, cause: 'new', files: {}, total: null, phase: null }, error: null };
}

/** The model ready to run: loaded, and not about to be replaced or reloaded. */
export function readyModelId(load: LoadState): string | null {
  return load.pending ? null : (load.current?.modelId ?? null);
}

export function applyLoadEvent(load: LoadState, event: WorkerEvent): LoadState {
  const { pending, current } = load;
  if (event.type === 'reloading') {
    if (current?.requestId !== event.requestId) return load;
    return { ...load, current: null, pending: { requestId: event.requestId, modelId: current.modelId, cause: 'restart', files: {}, total: null, phase: null } };
  }
  if (pending?.requestId === event.requestId) {
    switch (event.type) {
      case 'progress': {
        const before = pending.files[event.file];
        const file: FileProgress = { loaded: event.loaded || before?.loaded || 0, total: event.total || before?.total || 0, done: event.status === 'done' };
        return { ...load, pending: { ...pending, files: { ...pending.files, [event.file]: file } } };
      }
      case 'load-phase':
        return { ...load, pending: { ...pending, phase: { step: event.phase, file: event.file } } };
      case 'progress-total':
        return { ...load, pending: { ...pending, total: { loaded: event.loaded, total: event.total } } };
      case 'loaded':
        return { current: { requestId: event.requestId, modelId: pending.modelId, model: event.model }, pending: null, error: null };
      case 'error':
        return { current: pending.cause === 'restart' ? null : current, pending: null, error: { ...event.error, modelId: pending.modelId } };
      case 'cancelled':
        return { ...load, current: pending.cause === 'restart' ? null : current, pending: null };
      default:
        return load;
    }
  }
  if (current?.requestId === event.requestId && event.type === 'error') return { ...load, current: null, error: { ...event.error, modelId: current.modelId } };
  if (event.type === 'unloaded') return { ...load, current: null };
  return load;
}
