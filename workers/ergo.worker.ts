/**
 * The inference worker: a host of the engine interface. It adapts protocol requests to the
 * pipeline's runs (`pipeline/runs.ts`) over the transformers.js engine, and their events back.
 *
 * Requests run one at a time in arrival order; `cancel` is handled on arrival: a queued target is
 * dropped, a running one is interrupted at its next check (before every token, and between
 * phases). A run's shared cancel flag is read at the same checks even when no message can arrive
 * (see `pipeline/cancelFlag`). Long single calls (load, encode, prefill) cannot be interrupted
 * here: the client terminates the worker for those. One model and one kept coarse turn (the latest
 * ERGO run) live here; both are released on `unload` and when a new model has loaded (not before:
 * a failed load leaves the working model in place).
 */
import { eventTransferables, type ImageFile, type LoadedModel, type ServerSource, type WorkerEvent, type WorkerRequest } from '../pipeline/protocol';
import { OpenAIEngine } from '../engines/openai/engine';
import { apiBase, checkConnection } from '../pipeline/serverConnection';
import type { Engine } from '../pipeline/engine';
import { CancelFlag } from '../pipeline/cancelFlag';
import { CancelledError, EngineError } from '../pipeline/errors';
import { recomputeCoarseTurn, runBaseline, runErgo, runManualFine, type CoarseTurn, type RunContext } from '../pipeline/runs';
import { TransformersEngine } from '../engines/transformers/engine';
import { loadEngine } from '../engines/transformers/load';
import { decodeImage } from './decode';

type QueuedRequest = Exclude<WorkerRequest, { type: 'cancel' }>;

let engine: Engine | null = null;
let kept: CoarseTurn | null = null;
const queue: QueuedRequest[] = [];
let running: { readonly requestId: string; readonly stopper: CancelFlag } | null = null;

function post(event: WorkerEvent): void {
  self.postMessage(event, { transfer: eventTransferables(event) });
}

function forgetKept(): void {
  if (kept) engine?.release(kept.turn);
  kept = null;
}

async function unload(): Promise<void> {
  forgetKept();
  const old = engine;
  engine = null;
  await old?.dispose();
}

function requireEngine(): Engine {
  if (!engine) throw new EngineError('no-model', 'No model is loaded: press Load model first.');
  return engine;
}

const decode = (image: ImageFile) => decodeImage(image.blob, image.name);

/** Checks the server lists the model, then talks to it (the key stays in this worker's memory). */
async function connectServer(source: ServerSource): Promise<{ engine: OpenAIEngine; info: LoadedModel }> {
  const started = performance.now();
  const check = await checkConnection(source);
  if (!check.ok) throw new EngineError(check.code, check.message);
  if (!check.models.includes(source.model)) {
    throw new EngineError('server-no-model', `${apiBase(source.endpoint)} serves ${check.models.map((m) => `"${m}"`).join(', ') || 'no models'}, not "${source.model}"`);
  }
  const server = new OpenAIEngine({ endpoint: source.endpoint, model: source.model, apiKey: source.apiKey });
  const info: LoadedModel = {
    modelId: 'server',
    architecture: source.model,
    backend: 'server',
    backendReason: `OpenAI-compatible server at ${apiBase(source.endpoint)}`,
    adapter: null,
    shaderF16: false,
    dtypes: {},
    threads: 0,
    loadMs: performance.now() - started,
    fileBytes: 0,
    externalDataFiles: 0,
    configShape: 'nested',
    derived: [],
    generation: { eosIds: [], repetitionPenalty: 1, source: 'defaults' },
    boxConvention: server.model.boxConvention,
  };
  return { engine: server, info };
}

async function handle(req: QueuedRequest, io: Omit<RunContext, 'engine'>): Promise<void> {
  switch (req.type) {
    case 'load': {
      if (req.source?.kind === 'server') {
        const server = await connectServer(req.source);
        await unload();
        engine = server.engine;
        post({ type: 'loaded', requestId: req.requestId, model: server.info });
        return;
      }
      // The working model stays until the new one has loaded: a failed load must not cost it.
      const loaded = await loadEngine(req, (p) => {
        if (p.status === 'total') post({ type: 'progress-total', requestId: req.requestId, loaded: p.loaded, total: p.total });
        else if (p.status === 'phase') post({ type: 'load-phase', requestId: req.requestId, phase: p.phase, file: p.file });
        else post({ type: 'progress', requestId: req.requestId, file: p.file, loaded: p.loaded, total: p.total, status: p.status });
      });
      await unload();
      engine = new TransformersEngine(loaded);
      post({ type: 'loaded', requestId: req.requestId, model: loaded.info });
      return;
    }
    case 'run-ergo': {
      const ctx = { ...io, engine: requireEngine() };
      forgetKept();
      kept = await runErgo(ctx, req.image, req.question, req.settings, req.fineQuestion ?? req.question);
      return;
    }
    case 'run-baseline':
      return runBaseline({ ...io, engine: requireEngine() }, req.kind, req.image, req.question, req.settings);
    case 'run-fine': {
      const ctx = { ...io, engine: requireEngine() };
      if (!kept || kept.requestId !== req.ergoRequestId) {
        if (!req.recompute) throw new EngineError('no-cached-run', "This run's first look is no longer in memory: run ERGO again to ask about a region.");
        forgetKept();
        kept = await recomputeCoarseTurn(ctx, req.ergoRequestId, req.recompute.image, req.recompute.question, req.recompute.settings);
      }
      return runManualFine(ctx, kept, req.box, req.reuseCache ?? true);
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
    try {
      await handle(req, { requestId: req.requestId, emit: post, cancel: stopper, decodeImage: decode });
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
