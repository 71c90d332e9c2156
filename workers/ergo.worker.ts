/**
 * The inference worker: a thin adapter from protocol requests to engine calls and back to events.
 *
 * Requests run one at a time in arrival order; `cancel` is handled on arrival: a queued target is
 * dropped, a running one is interrupted at its next check (before every token, and between
 * phases). A run's shared cancel flag is read at the same checks even when no message can arrive
 * (see `pipeline/cancelFlag`). Long single calls (load, encode, prefill) cannot be interrupted
 * here: the client terminates the worker for those. One model and one kept coarse turn (the latest
 * ERGO run) live here; both are disposed on `unload` and when a new model has loaded (not before: a failed load
 * leaves the working model in place).
 */
import { eventTransferables, type WorkerEvent, type WorkerRequest } from '../pipeline/protocol';
import { CancelFlag } from '../pipeline/cancelFlag';
import { loadEngine, type LoadedEngine } from '../engines/transformers/load';
import { runBaseline, runErgo, runManualFine, type CoarseTurn, type RunIO } from '../pipeline/runs';
import { CancelledError, EngineError, disposeCache } from '../engines/transformers/turns';

type QueuedRequest = Exclude<WorkerRequest, { type: 'cancel' }>;

let engine: LoadedEngine | null = null;
let kept: CoarseTurn | null = null;
const queue: QueuedRequest[] = [];
let running: { readonly requestId: string; readonly stopper: CancelFlag } | null = null;

function post(event: WorkerEvent): void {
  self.postMessage(event, { transfer: eventTransferables(event) });
}

function forgetKept(): void {
  disposeCache(kept?.cache ?? null);
  kept = null;
}

async function unload(): Promise<void> {
  forgetKept();
  const old = engine;
  engine = null;
  await old?.model.dispose();
}

function requireEngine(): LoadedEngine {
  if (!engine) throw new EngineError('no-model', 'no model is loaded: send `load` first');
  return engine;
}

async function handle(req: QueuedRequest, io: RunIO): Promise<void> {
  switch (req.type) {
    case 'load': {
      // The working model stays until the new one has loaded: a failed load must not cost it.
      const loaded = await loadEngine(req, (p) => {
        if (p.status === 'total') post({ type: 'progress-total', requestId: req.requestId, loaded: p.loaded, total: p.total });
        else post({ type: 'progress', requestId: req.requestId, file: p.file, loaded: p.loaded, total: p.total, status: p.status });
      });
      await unload();
      engine = loaded;
      post({ type: 'loaded', requestId: req.requestId, model: loaded.info });
      return;
    }
    case 'run-ergo': {
      const eng = requireEngine();
      forgetKept();
      kept = await runErgo(io, eng, req.image, req.question, req.settings, req.coarseOutputOverride);
      return;
    }
    case 'run-baseline':
      return runBaseline(io, requireEngine(), req.kind, req.image, req.question, req.settings);
    case 'run-fine': {
      const eng = requireEngine();
      if (!kept || kept.requestId !== req.ergoRequestId) {
        throw new EngineError('no-cached-run', `no kept coarse turn for ERGO run ${req.ergoRequestId}${kept ? ` (the latest is ${kept.requestId})` : ''}`);
      }
      return runManualFine(io, eng, kept, req.box, req.reuseCache ?? true);
    }
    case 'unload':
      await unload();
      post({ type: 'unloaded', requestId: req.requestId });
      return;
    default:
      return req satisfies never;
  }
}

async function pump(): Promise<void> {
  if (running) return;
  for (let req = queue.shift(); req; req = queue.shift()) {
    const stopper = new CancelFlag('cancelFlag' in req ? (req.cancelFlag ?? null) : null);
    running = { requestId: req.requestId, stopper };
    const io: RunIO = { requestId: req.requestId, emit: post, stopper };
    try {
      await handle(req, io);
    } catch (e) {
      if (e instanceof CancelledError) post({ type: 'cancelled', requestId: req.requestId });
      else {
        const err = e as Error & { code?: unknown };
        const code = typeof err?.code === 'string' ? err.code : 'internal';
        post({ type: 'error', requestId: req.requestId, error: { code, message: err?.message ?? String(e) } });
      }
    } finally {
      running = null;
    }
  }
}

self.addEventListener('message', (e: MessageEvent<WorkerRequest>) => {
  const req = e.data;
  if (req.type !== 'cancel') {
    queue.push(req);
    void pump();
    return;
  }
  if (running?.requestId === req.targetId) {
    running.stopper.interrupt();
    return;
  }
  const at = queue.findIndex((q) => q.requestId === req.targetId);
  if (at >= 0) {
    queue.splice(at, 1);
    post({ type: 'cancelled', requestId: req.targetId });
  }
});
