/**
 * What the interface can do, as plain functions over the store and the one engine client. The
 * client lives here, outside the store: state holds data only.
 */
import { EngineClient } from '../engine/client';
import { totalOf } from '../../pipeline/stats';
import { findModel } from '../../pipeline/registry';
import { wasmFit } from '../../pipeline/deviceCheck';
import { checkConnection, type ConnectionCheck } from '../../pipeline/serverConnection';
import { parseTrace, type Trace } from '../trace/trace';
import { decodeShareState, encodeShareState } from '../share/shareState';
import { findScene, renderScene } from '../samples/scenes';
import type { CoarseBox } from '../core/geometry';
import type { BoxStatus, ModelSource } from '../../pipeline/protocol';
import { cropRect, ergoImageCost } from '../core';
import { linkImageKey, readImageFile, type ImageOrigin } from './imageFile';
import { boxView, refineState } from './selectors';
import { DEFAULT_SETTINGS, reduceEvent, THEME_KEY, useLens, type ErrorPlace, type LensImage, type LensState, type Theme } from './lensStore';
import { readyModelId, startLoad } from './loadState';
import { startRun, type BaselineKind, type RunKind, type RunState } from './runState';

let engine: EngineClient | null = null;

function client(): EngineClient {
  if (!engine) {
    engine = new EngineClient({ createWorker: () => new Worker(new URL('../../workers/ergo.worker.ts', import.meta.url), { type: 'module' }) });
    engine.subscribe((event) => useLens.setState((s) => reduceEvent(s, event)));
  }
  return engine;
}

const fail = (where: ErrorPlace, code: string, message: string) => useLens.setState({ error: { where, code, message } });
export const dismissError = () => useLens.setState({ error: null });
/** Closes the error of the shown run (its history entry keeps it). */
export const dismissRunError = () => useLens.setState((s) => ({ run: s.run && { ...s.run, error: null } }));
export const dismissLoadError = () => useLens.setState((s) => ({ load: { ...s.load, error: null } }));

/** Takes a file the user gave (picker, drop, paste, URL, sample); a bad file leaves the current image in place. */
export async function pickImage(file: Blob, name: string, origin: ImageOrigin = {}): Promise<void> {
  const result = await readImageFile(file, name, origin);
  if (!result.ok) return fail('image', result.code, result.message);
  useLens.setState({ image: result.image, error: null, run: null, baselines: {}, editedBox: null, showOriginal: false });
}

/** Draws the built-in sample `id` and takes it, remembering which sample it is (for share links). */
export async function openSample(id: string): Promise<void> {
  const scene = findScene(id);
  if (!scene) return fail('image', 'unknown-sample', `There is no built-in sample "${id}".`);
  let file: File;
  try {
    file = await renderScene(scene);
  } catch (error) {
    return fail('image', 'sample-draw-failed', `The sample "${scene.title}" could not be drawn in this browser: ${error instanceof Error ? error.message : String(error)}`);
  }
  await pickImage(file, file.name, { sample: scene.id });
}

/** Switches the theme and remembers it for the next visit. */
export function setTheme(theme: Theme): void {
  try {
    localStorage.setItem(THEME_KEY, theme);
  } catch {
    // Storage can be blocked (private modes, policies): the theme then lasts for this visit only.
  }
  useLens.setState({ theme });
}

/** Fetches a public image by URL (https, CORS) and takes it. */
export async function pickImageUrl(url: string): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return fail('image', 'bad-url', `"${url}" is not a URL`);
  }
  if (parsed.protocol !== 'https:') return fail('image', 'bad-url', `only https image URLs are fetched (got ${parsed.protocol})`);
  let response: Response;
  try {
    response = await fetch(parsed.href, { mode: 'cors', credentials: 'omit' });
  } catch {
    return fail('image', 'url-blocked', `${parsed.host} did not allow this page to read the image (no CORS permission) or could not be reached. Download it and drop the file here instead.`);
  }
  if (!response.ok) return fail('image', 'url-status', `${parsed.href} answered ${response.status} ${response.statusText}`);
  await pickImage(await response.blob(), parsed.pathname.split('/').pop() || parsed.host, { sourceUrl: parsed.href });
}

/** For entries that take the user's own model: the picked folder, else the typed repo id. */
function modelSource(modelId: string, hubRepo: string, folder: LensState['folder']): ModelSource | undefined {
  if (findModel(modelId)?.source.kind === 'server') {
    const { endpoint, model } = useLens.getState().server;
    const apiKey = serverApiKey();
    return { kind: 'server', endpoint: endpoint.trim(), model: model.trim(), ...(apiKey ? { apiKey } : {}) };
  }
  if (findModel(modelId)?.source.kind !== 'user') return undefined;
  if (folder) return { kind: 'files', files: folder.files };
  return hubRepo.trim() ? { kind: 'hub', repo: hubRepo.trim() } : undefined;
}

const KEY_STORAGE = 'ergo-lens-server-api-key';

/** The server's API key: kept in this tab's sessionStorage only, never in the store, links, traces or logs. */
export function serverApiKey(): string {
  return sessionStorage.getItem(KEY_STORAGE) ?? '';
}

export function setServerApiKey(key: string): void {
  if (key) sessionStorage.setItem(KEY_STORAGE, key);
  else sessionStorage.removeItem(KEY_STORAGE);
}

/** Lists the server's models, or says what is wrong (a CORS refusal named as one). */
export function testServer(): Promise<ConnectionCheck> {
  return checkConnection({ endpoint: useLens.getState().server.endpoint.trim(), apiKey: serverApiKey() });
}

/** Takes a picked folder (`webkitdirectory` input): paths become relative to the folder itself. */
export function pickModelFolder(files: readonly File[]): void {
  if (!files.length) return;
  const name = files[0]!.webkitRelativePath.split('/')[0] ?? 'folder';
  const list = files.map((f) => ({ path: f.webkitRelativePath.split('/').slice(1).join('/'), blob: f as Blob }));
  if (!list.some((f) => f.path === 'config.json')) return fail('model', 'folder-no-config', `"${name}" has no config.json at its top: pick the model's own folder (the one holding config.json and onnx/).`);
  useLens.setState({ folder: { name, files: list }, hubRepo: '' });
}

/** Loads the selected model (no-op when it is already loaded or loading). */
export function loadModel(): void {
  const { modelId, backend, hubRepo, folder, load } = useLens.getState();
  const source = modelSource(modelId, hubRepo, folder);
  // A user-supplied model may change under the same id (another repo or folder): always reload it.
  if (!source && (readyModelId(load) === modelId || load.pending?.modelId === modelId)) return;
  // A multi-GB Hub download must not be evicted and fetched again without a word: ask to keep it.
  if (findModel(modelId)?.source.kind === 'hub' || source?.kind === 'hub') void navigator.storage?.persist?.().catch(() => false);
  const requestId = client().request({ type: 'load', modelId, backend, ...(source ? { source } : {}) });
  useLens.setState({ load: startLoad(load, requestId, modelId) });
}

/**
 * The budget once `next` replaces `previous`: a model trained at its own budget (the built-in
 * policy's 64 tokens) brings that budget; leaving such a model restores ERGO's default, since its
 * budget means nothing to other models; otherwise the budget the user chose stays.
 */
function budgetAfterSwitch(next: string, previous: string, budget: number): number {
  return findModel(next)?.budget ?? (findModel(previous)?.budget === budget ? DEFAULT_SETTINGS.budget : budget);
}

/** Picks a model, with the budget that goes with it (`budgetAfterSwitch`). */
export function selectModel(modelId: string): void {
  const { settings, modelId: previous, backend } = useLens.getState();
  const entry = findModel(modelId);
  const budget = budgetAfterSwitch(modelId, previous, settings.budget);
  // wasm is not offered for a model that cannot run there (the panel says why): Auto instead.
  const keepBackend = backend !== 'wasm' || !entry || wasmFit(entry).ok;
  useLens.setState({ modelId, settings: { ...settings, budget }, ...(keepBackend ? {} : { backend: 'auto' as const }) });
}

function begin(kind: RunKind, image: LensImage, extra: Partial<RunState> = {}): RunState | null {
  const s = useLens.getState();
  if (!s.question.trim()) {
    fail('run', 'no-question', 'Type a question about the image first.');
    return null;
  }
  loadModel();
  return startRun({ requestId: '', kind, question: s.question.trim(), modelId: s.modelId, settings: s.settings, image, ...extra });
}

/** Runs ERGO (both turns) on the current image and question. */
export function runErgo(fineQuestion?: string): void {
  const { image, question, settings } = useLens.getState();
  if (!image) return fail('run', 'no-image', 'Choose an image first: drop a file, paste, open a URL or pick a sample.');
  const run = begin('ergo', image);
  if (!run) return;
  const requestId = client().request({ type: 'run-ergo', image: { blob: image.blob, name: image.name }, question: question.trim(), settings, ...(fineQuestion ? { fineQuestion } : {}) });
  // The worker drops its kept coarse turn as an ERGO run starts.
  useLens.setState({ run: { ...run, requestId }, baselines: {}, editedBox: null, error: null, keptCoarse: null });
}

/** Runs a baseline beside the current ERGO run. */
export function runBaseline(kind: BaselineKind): void {
  const { image, question, settings } = useLens.getState();
  if (!image) return fail('run', 'no-image', 'Choose an image first.');
  const run = begin(kind, image);
  if (!run) return;
  const requestId = client().request({ type: 'run-baseline', kind, image: { blob: image.blob, name: image.name }, question: question.trim(), settings });
  useLens.setState((s) => ({ baselines: { ...s.baselines, [kind]: { ...run, requestId } } }));
}

/** Re-runs only the fine turn on `box` (coarse pixels), continuing the current ERGO run's coarse turn. */
export function askAboutRegion(box: CoarseBox): void {
  const state = useLens.getState();
  const { run } = state;
  if (!run || !refineState(state)?.ok) return;
  const ergoRequestId = run.ergoRequestId ?? run.requestId;
  // Always offered: the worker uses its kept coarse turn when it has this run's, else computes it again.
  const recompute = { image: { blob: run.image.blob, name: run.image.name }, question: run.question, settings: run.settings };
  const requestId = client().request({ type: 'run-fine', ergoRequestId, box, recompute });
  const next = startRun({ ...run, requestId, kind: 'fine', ergoRequestId, status: 'running' });
  useLens.setState({ run: { ...next, texts: { coarse: run.texts.coarse ?? '' }, coarse: run.coarse, stages: [], notices: [], answer: null, box: null }, editedBox: box });
}

/** Stops whatever runs (within one token while generating; by restarting the worker otherwise). */
export function stop(): void {
  const { run, baselines, load } = useLens.getState();
  for (const r of [run, ...Object.values(baselines)]) if (r?.status === 'running') client().cancel(r.requestId);
  if (load.pending) client().cancel(load.pending.requestId);
}

const isBaseline = (run: RunState) => run.kind === 'direct' || run.kind === 'coarse-only';
const sameAsk = (a: RunState, b: RunState) => a.image === b.image && a.question === b.question;

/**
 * Shows an earlier run of the session again, on its own image (which becomes the current one),
 * with the latest baselines run on the same image and question.
 */
export function showRun(picked: RunState): void {
  const { history } = useLens.getState();
  const run = isBaseline(picked) ? (history.find((h) => !isBaseline(h) && sameAsk(h, picked)) ?? picked) : picked;
  const baselines: Partial<Record<BaselineKind, RunState>> = {};
  for (const h of [...history].reverse()) if (isBaseline(h) && sameAsk(h, run)) baselines[h.kind as BaselineKind] = h;
  useLens.setState({ run, image: run.image, baselines, editedBox: null, showOriginal: false, question: run.question });
}

/** Reads a trace file, shows it over the current image (same size and, when the trace has one, same SHA-256) and adds it to History. */
export async function importTrace(file: Blob, fileName = 'trace'): Promise<void> {
  let json: unknown;
  try {
    json = JSON.parse(await file.text());
  } catch {
    return fail('trace', 'trace-not-json', 'That file is not JSON: export a trace from ERGO Lens or a runtime that writes the same fields.');
  }
  const parsed = parseTrace(json);
  if (!parsed.ok) return fail('trace', parsed.code, parsed.message);
  const { image } = useLens.getState();
  if (!image) return fail('trace', 'trace-needs-image', `Load the trace's image first (${parsed.trace.image.width}x${parsed.trace.image.height}, "${parsed.trace.image.name}").`);
  if (image.width !== parsed.trace.image.width || image.height !== parsed.trace.image.height) {
    return fail('trace', 'trace-image-mismatch', `The trace is for a ${parsed.trace.image.width}x${parsed.trace.image.height} image; the loaded one is ${image.width}x${image.height}.`);
  }
  if (parsed.trace.image.sha256 && image.sha256 && parsed.trace.image.sha256 !== image.sha256) {
    return fail('trace', 'trace-image-mismatch', `The trace is for another image of the same size ("${parsed.trace.image.name}", SHA-256 ${parsed.trace.image.sha256.slice(0, 12)}…); the loaded one is "${image.name}" (${image.sha256.slice(0, 12)}…).`);
  }
  const run = traceRun(parsed.trace, image);
  useLens.setState((s) => ({
    run,
    baselines: {},
    editedBox: null,
    error: null,
    question: parsed.trace.question,
    history: [run, ...s.history],
    historyNote: `Imported "${fileName}" (${parsed.trace.model}): shown above and added to History.`,
  }));
}

/** The trace's box with its crop in the original, or null when the trace has no usable box. */
function traceBox(trace: Trace, image: LensImage, budget: number): BoxStatus | null {
  if (!trace.box) return null;
  const crop = cropRect(trace.box, image, trace.coarseSize ?? ergoImageCost(image, budget));
  return crop ? { kind: trace.boxSource, box: trace.box, crop } : { kind: 'none', reason: 'degenerate', fallback: 'skip' };
}

function traceRun(trace: Trace, image: LensImage): RunState {
  const budget = typeof trace.settings.budget === 'number' ? trace.settings.budget : useLens.getState().settings.budget;
  return startRun({
    requestId: `trace-${Date.now()}`,
    kind: 'trace',
    status: 'done',
    question: trace.question,
    modelId: trace.model,
    settings: { ...useLens.getState().settings, budget },
    image,
    texts: { coarse: trace.coarseOutput, ...(trace.fineOutput !== null ? { fine: trace.fineOutput } : {}) },
    box: traceBox(trace, image, budget),
    answer: trace.answer,
    stages: trace.stats,
    totalMs: trace.stats.length ? totalOf(trace.stats, 'totalMs') : null,
  });
}

/** Restores what a share link carries; bad parameters are reported and ignored. */
export async function openShareLink(search: string): Promise<void> {
  const { state, problems } = decodeShareState(search, (id) => !!findModel(id), (id) => !!findScene(id));
  const current = useLens.getState();
  const model = findModel(state.model ?? current.modelId);
  const wasm = state.backend === 'wasm' && model ? wasmFit(model) : { ok: true as const };
  const messages = [...problems.map((p) => p.message), ...(wasm.ok ? [] : [`backend "wasm" (${model?.label}: ${wasm.reason})`])];
  useLens.setState({
    // A link's server is held until the recipient accepts it (acceptSharedServer): nothing is sent there before.
    ...(state.model && !state.server ? { modelId: state.model } : {}),
    ...(state.backend && wasm.ok ? { backend: state.backend } : {}),
    ...(state.question ? { question: state.question } : {}),
    settings: {
      ...current.settings,
      ...(state.model && !state.server ? { budget: budgetAfterSwitch(state.model, current.modelId, current.settings.budget) } : {}),
      ...(state.budget ? { budget: state.budget } : {}),
      ...(state.fallback ? { fallback: state.fallback } : {}),
      ...(state.maxNewTokens ? { maxNewTokens: state.maxNewTokens } : {}),
    },
    sharedServer: state.server ?? null,
    shared: state.localImage || state.box ? { localImage: state.localImage ?? null, box: state.box ?? null, imageKey: linkImageKey({ sample: state.sample ?? null, sourceUrl: state.imageUrl ?? null, localImage: state.localImage ?? null }) } : null,
  });
  if (messages.length) fail('link', 'bad-link', `Parts of this link were ignored: ${messages.join('; ')}.`);
  if (state.imageUrl) await pickImageUrl(state.imageUrl);
  if (state.sample) await openSample(state.sample);
}

/** Takes the server a share link named, once the recipient has seen its endpoint and model name. */
export function acceptSharedServer(): void {
  const { sharedServer } = useLens.getState();
  if (!sharedServer) return;
  selectModel('server');
  useLens.setState({ server: { endpoint: sharedServer.endpoint, model: sharedServer.model }, sharedServer: null });
}

export const dismissSharedServer = () => useLens.setState({ sharedServer: null });

/** A link to this question on this model (a server: its endpoint and model name), with the image's URL (or the note that it was local) and the box. */
export function shareLink(): string {
  const s = useLens.getState();
  const { box } = boxView(s);
  const search = encodeShareState({
    question: s.question.trim() || undefined,
    model: s.modelId,
    backend: s.backend,
    budget: s.settings.budget,
    fallback: s.settings.fallback,
    maxNewTokens: s.settings.maxNewTokens,
    imageUrl: s.image?.sourceUrl ?? undefined,
    sample: s.image?.sample ?? undefined,
    localImage: s.image && !s.image.sourceUrl && !s.image.sample ? { name: s.image.name, width: s.image.width, height: s.image.height } : undefined,
    box: box ?? undefined,
    // The endpoint and model name only: the key stays in this tab's sessionStorage.
    server: s.modelId === 'server' ? s.server : undefined,
  });
  return `${location.origin}${location.pathname}${search}`;
}
