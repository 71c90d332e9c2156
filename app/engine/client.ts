/**
 * The UI side of the inference worker: sends typed requests, fans events out to subscribers, and
 * makes cancel work in every phase.
 *
 * Cancel (see `cancelPolicy`): a run is stopped in place, within one token, through its shared
 * cancel flag (or a `cancel` message where memory cannot be shared); once cancel is asked, no more
 * streamed text of that run is passed on, so what was shown at Stop is what stays. During load,
 * encode or prefill it terminates the worker, starts a new one, re-sends the load of the model that
 * was working (under that load's own requestId, announced by a `reloading` event, so the UI says
 * the model is coming back) and emits `cancelled` for the request. Other requests that were waiting
 * in the terminated worker end with an `engine-restarted` error. The ERGO cache of the last run
 * lives in the worker, so a restart also forgets it (a later `run-fine` reports `no-cached-run`).
 *
 * A load that fails or is cancelled leaves the previous model loaded (the worker keeps it until a
 * new one has loaded), so it is still the one a restart brings back.
 */
import { TERMINAL_EVENT_TYPES, createCancelFlag, raiseCancelFlag, type LoadRequest, type Phase, type WorkerEvent, type WorkerRequest } from '../../pipeline/protocol';
import { cancelAction } from './cancelPolicy';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A request as the UI writes it: the client assigns `requestId` and the cancel flag, and fills in `siteUrl`. */
export type EngineRequest =
  | (Omit<LoadRequest, 'requestId' | 'siteUrl'> & { readonly siteUrl?: string })
  | DistributiveOmit<Exclude<WorkerRequest, LoadRequest | { type: 'cancel' }>, 'requestId' | 'cancelFlag'>;

export type EngineListener = (event: WorkerEvent) => void;

export interface EngineClientOptions {
  /** Builds the worker, e.g. `() => new Worker(new URL('../../workers/ergo.worker.ts', import.meta.url), { type: 'module' })`. */
  readonly createWorker: () => Worker;
  /** Absolute URL of the site root (models under `models/`, ORT under `ort/`); default: the page's base URL. */
  readonly siteUrl?: string;
  /**
   * How long a posted cancel may take before the worker is restarted anyway (ms). A posted cancel
   * normally lands within one token; this covers a phase change the client had not heard of yet.
   */
  readonly cancelGraceMs?: number;
}

interface InFlight {
  readonly request: WorkerRequest;
  phase: Phase | null;
  /** Cancel was asked and posted: streamed text is no longer passed on. */
  cancelling: boolean;
}

export class EngineClient {
  readonly #createWorker: () => Worker;
  readonly #siteUrl: string;
  readonly #cancelGraceMs: number;
  readonly #listeners = new Set<EngineListener>();
  /** Requests sent to the current worker and not yet ended, in the order sent. */
  readonly #inFlight = new Map<string, InFlight>();
  readonly #graceTimers = new Map<string, ReturnType<typeof setTimeout>>();
  #worker: Worker;
  #lastLoad: LoadRequest | null = null;
  #nextId = 1;
  #disposed = false;

  constructor(options: EngineClientOptions) {
    this.#createWorker = options.createWorker;
    this.#siteUrl = options.siteUrl ?? new URL('./', document.baseURI).href;
    this.#cancelGraceMs = options.cancelGraceMs ?? 3000;
    this.#worker = this.#startWorker();
  }

  /** Sends a request; returns its requestId. Its events reach every subscriber. */
  request(req: EngineRequest): string {
    this.#assertLive();
    const requestId = `r${this.#nextId++}`;
    const flag = createCancelFlag();
    const full: WorkerRequest =
      req.type === 'load'
        ? { ...req, siteUrl: req.siteUrl ?? this.#siteUrl, requestId }
        : req.type === 'unload'
          ? { ...req, requestId }
          : { ...req, requestId, ...(flag ? { cancelFlag: flag } : {}) };
    this.#inFlight.set(requestId, { request: full, phase: full.type === 'load' ? 'load' : null, cancelling: false });
    this.#worker.postMessage(full);
    return requestId;
  }

  /** Calls `listener` with every event; returns the unsubscribe function. */
  subscribe(listener: EngineListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Cancels a request in any phase; it ends with a `cancelled` event. No-op for ended or unknown ids. */
  cancel(requestId: string): void {
    this.#assertLive();
    const target = this.#inFlight.get(requestId);
    if (!target || target.cancelling) return;
    const queued = [...this.#inFlight.keys()].indexOf(requestId) > 0;
    if (cancelAction(target.phase, queued) === 'restart') {
      this.#restart(requestId);
      return;
    }
    target.cancelling = true;
    if ('cancelFlag' in target.request && target.request.cancelFlag) raiseCancelFlag(target.request.cancelFlag);
    this.#worker.postMessage({ type: 'cancel', requestId: `r${this.#nextId++}`, targetId: requestId } satisfies WorkerRequest);
    this.#graceTimers.set(
      requestId,
      setTimeout(() => {
        if (this.#inFlight.has(requestId)) this.#restart(requestId);
      }, this.#cancelGraceMs),
    );
  }

  /** Terminates the worker (releasing every session and cache with it) and drops all listeners. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const timer of this.#graceTimers.values()) clearTimeout(timer);
    this.#graceTimers.clear();
    this.#worker.terminate();
    this.#inFlight.clear();
    this.#listeners.clear();
  }

  #startWorker(): Worker {
    const worker = this.#createWorker();
    worker.addEventListener('message', (e: MessageEvent<WorkerEvent>) => {
      if (worker === this.#worker) this.#onEvent(e.data);
    });
    worker.addEventListener('error', (e: ErrorEvent) => {
      if (worker === this.#worker) this.#onCrash(e.message || 'the worker failed to start or threw outside a request');
    });
    worker.addEventListener('messageerror', () => {
      if (worker === this.#worker) this.#onCrash('a message from the worker could not be deserialized');
    });
    return worker;
  }

  #onEvent(event: WorkerEvent): void {
    const entry = this.#inFlight.get(event.requestId);
    if (entry) {
      if (event.type === 'phase') entry.phase = event.phase;
      else if (event.type === 'partial') entry.phase = 'generate';
      if (entry.cancelling) {
        // The worker had entered a call it cannot leave before it saw the flag: do not wait it out.
        if (event.type === 'phase' && cancelAction(event.phase, false) === 'restart') return this.#restart(event.requestId);
        if (event.type === 'partial') return;
      }
      if (TERMINAL_EVENT_TYPES.has(event.type)) this.#end(event.requestId);
      if (entry.request.type === 'load' && event.type === 'loaded') this.#lastLoad = entry.request;
      if (entry.request.type === 'unload' && event.type === 'unloaded') this.#lastLoad = null;
    }
    this.#emit(event);
  }

  #end(requestId: string): void {
    this.#inFlight.delete(requestId);
    const timer = this.#graceTimers.get(requestId);
    if (timer !== undefined) clearTimeout(timer);
    this.#graceTimers.delete(requestId);
  }

  /** Terminates the worker to cancel `targetId`, then brings a fresh one back to the model that was working. */
  #restart(targetId: string): void {
    const dropped = [...this.#inFlight.values()];
    for (const { request } of dropped) this.#end(request.requestId);
    this.#worker.terminate();
    // Cancelling the reload itself leaves no model; otherwise the last loaded one comes back (a
    // load being cancelled had not replaced it yet).
    if (this.#lastLoad?.requestId === targetId) this.#lastLoad = null;
    const reload = this.#lastLoad;
    this.#worker = this.#startWorker();
    if (reload) {
      this.#inFlight.set(reload.requestId, { request: reload, phase: 'load', cancelling: false });
      this.#worker.postMessage(reload);
      this.#emit({ type: 'reloading', requestId: reload.requestId, cause: 'stop' });
    }
    for (const { request } of dropped) {
      if (request.requestId === targetId) this.#emit({ type: 'cancelled', requestId: targetId });
      else if (request.requestId !== reload?.requestId)
        this.#emit({
          type: 'error',
          requestId: request.requestId,
          error: { code: 'engine-restarted', message: 'This was waiting when the engine restarted to stop another run: start it again.' },
        });
    }
  }

  /** An error outside any request: everything in flight fails, and the model must be loaded again. */
  #onCrash(message: string): void {
    const dropped = [...this.#inFlight.keys()];
    for (const id of dropped) this.#end(id);
    const lostLoad = this.#lastLoad && !dropped.includes(this.#lastLoad.requestId) ? this.#lastLoad.requestId : null;
    this.#lastLoad = null;
    this.#worker.terminate();
    this.#worker = this.#startWorker();
    for (const requestId of dropped) this.#emit({ type: 'error', requestId, error: { code: 'worker-crashed', message } });
    if (lostLoad) this.#emit({ type: 'error', requestId: lostLoad, error: { code: 'model-lost', message: `the worker crashed and its model was lost: ${message}` } });
  }

  #emit(event: WorkerEvent): void {
    for (const listener of [...this.#listeners]) listener(event);
  }

  #assertLive(): void {
    if (this.#disposed) throw Object.assign(new Error('EngineClient used after dispose()'), { code: 'client-disposed' });
  }
}
