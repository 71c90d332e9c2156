/**
 * Model loading as the UI shows it: per-file and overall download progress, the loaded model's
 * backend report, or the error. Pure reducer over the worker's events for the load request.
 */
import type { LoadedModel, WorkerErrorInfo, WorkerEvent } from '../../pipeline/protocol';

export interface FileProgress {
  readonly loaded: number;
  readonly total: number;
  readonly done: boolean;
}

export interface LoadState {
  readonly status: 'idle' | 'loading' | 'ready' | 'error';
  readonly requestId: string | null;
  readonly modelId: string | null;
  readonly files: Readonly<Record<string, FileProgress>>;
  readonly total: { readonly loaded: number; readonly total: number } | null;
  readonly model: LoadedModel | null;
  readonly error: WorkerErrorInfo | null;
}

export const IDLE_LOAD: LoadState = { status: 'idle', requestId: null, modelId: null, files: {}, total: null, model: null, error: null };

export function startLoad(requestId: string, modelId: string): LoadState {
  return { ...IDLE_LOAD, status: 'loading', requestId, modelId };
}

export function applyLoadEvent(load: LoadState, event: WorkerEvent): LoadState {
  if (event.requestId !== load.requestId) return load;
  switch (event.type) {
    case 'progress': {
      const before = load.files[event.file];
      const file: FileProgress = { loaded: event.loaded || before?.loaded || 0, total: event.total || before?.total || 0, done: event.status === 'done' };
      return { ...load, files: { ...load.files, [event.file]: file } };
    }
    case 'progress-total':
      return { ...load, total: { loaded: event.loaded, total: event.total } };
    case 'loaded':
      return { ...load, status: 'ready', model: event.model };
    case 'error':
      return { ...load, status: 'error', error: event.error };
    case 'cancelled':
    case 'unloaded':
      return { ...IDLE_LOAD };
    default:
      return load;
  }
}
