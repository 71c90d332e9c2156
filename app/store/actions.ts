/**
 * What the interface can do, as plain functions over the store and the one engine client. The
 * client lives here, outside the store: state holds data only.
 */
import { EngineClient } from '../engine/client';
import { findModel } from '../../pipeline/registry';
import { parseTrace, type Trace } from '../trace/trace';
import { decodeShareState, encodeShareState } from '../share/shareState';
import type { CoarseBox } from '../core/geometry';
import type { BoxStatus, ModelSource } from '../../pipeline/protocol';
import { cropRect, ergoImageCost } from '../core';
import { readImageFile } from './imageFile';
import { reduceEvent, useLens, type LensImage, type LensState } from './lensStore';
import { readyModelId, startLoad } from './loadState';
import { startRun, type RunKind, type RunState } from './runState';

let engine: EngineClient | null = null;

function client(): EngineClient {
  if (!engine) {
    engine = new EngineClient({ createWorker: () => new Worker(new URL('../../workers/ergo.worker.ts', import.meta.url), { type: 'module' }) });
    engine.subscribe((event) => useLens.setState((s) => reduceEvent(s, event)));
  }
  return engine;
}

const fail = (code: string, message: string) => useLens.setState({ error: { code, message } });
export const dismissError = () => useLens.setState({ error: null });
export const dismissLoadError = () => useLens.setState((s) => ({ load: { ...s.load, error: null } }));

/** Takes a file the user gave (picker, drop, paste, URL, sample); a bad file leaves the current image in place. */
export async function pickImage(file: Blob, name: string, sourceUrl: string | null = null): Promise<void> {
  const result = await readImageFile(file, name, sourceUrl);
  if (!result.ok) return fail(result.code, result.message);
  useLens.setState({ image: result.image, error: null, run: null, compare: null, editedBox: null, showOriginal: false });
}

/** Fetches a public image by URL (https, CORS) and takes it. */
export async function pickImageUrl(url: string): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return fail('bad-url', `"${url}" is not a URL`);
  }
  if (parsed.protocol !== 'https:') return fail('bad-url', `only https image URLs are fetched (got ${parsed.protocol})`);
  let response: Response;
  try {
    response = await fetch(parsed.href, { mode: 'cors', credentials: 'omit' });
  } catch {
    return fail('url-blocked', `${parsed.host} did not allow this page to read the image (no CORS permission) or could not be reached. Download it and drop the file here instead.`);
  }
  if (!response.ok) return fail('url-status', `${parsed.href} answered ${response.status} ${response.statusText}`);
  await pickImage(await response.blob(), parsed.pathname.split('/').pop() || parsed.host, parsed.href);
}

/** For entries that take the user's own model: the picked folder, else the typed repo id. */
function modelSource(modelId: string, hubRepo: string, folder: LensState['folder']): ModelSource | undefined {
  if (findModel(modelId)?.source.kind !== 'user') return undefined;
  if (folder) return { kind: 'files', files: folder.files };
  return hubRepo.trim() ? { kind: 'hub', repo: hubRepo.trim() } : undefined;
}

/** Takes a picked folder (`webkitdirectory` input): paths become relative to the folder itself. */
export function pickModelFolder(files: readonly File[]): void {
  if (!files.length) return;
  const name = files[0]!.webkitRelativePath.split('/')[0] ?? 'folder';
  const list = files.map((f) => ({ path: f.webkitRelativePath.split('/').slice(1).join('/'), blob: f as Blob }));
  if (!list.some((f) => f.path === 'config.json')) return fail('folder-no-config', `"${name}" has no config.json at its top: pick the model's own folder (the one holding config.json and onnx/).`);
  useLens.setState({ folder: { name, files: list }, hubRepo: '' });
}

/** Loads the selected model (no-op when it is already loaded or loading). */
export function loadModel(): void {
  const { modelId, backend, hubRepo, folder, load } = useLens.getState();
  const source = modelSource(modelId, hubRepo, folder);
  // A user-supplied model may change under the same id (another repo or folder): always reload it.
  if (!source && (readyModelId(load) === modelId || load.pending?.modelId === modelId)) return;
  const requestId = client().request({ type: 'load', modelId, backend, ...(source ? { source } : {}) });
  useLens.setState({ load: startLoad(load, requestId, modelId) });
}

export function selectModel(modelId: string): void {
  useLens.setState({ modelId });
}

function begin(kind: RunKind, image: LensImage, extra: Partial<RunState> = {}): RunState | null {
  const s = useLens.getState();
  if (!s.question.trim()) {
    fail('no-question', 'Type a question about the image first.');
    return null;
  }
  loadModel();
  return startRun({ requestId: '', kind, question: s.question.trim(), modelId: s.modelId, settings: s.settings, original: image, imageName: image.name, ...extra });
}

/** Runs ERGO (both turns) on the current image and question. */
export function runErgo(): void {
  const { image, question, settings } = useLens.getState();
  if (!image) return fail('no-image', 'Choose an image first: drop a file, paste, open a URL or pick a sample.');
  const run = begin('ergo', image);
  if (!run) return;
  const requestId = client().request({ type: 'run-ergo', image: { blob: image.blob, name: image.name }, question: question.trim(), settings });
  useLens.setState({ run: { ...run, requestId }, compare: null, editedBox: null, error: null });
}

/** Runs a baseline beside the current ERGO run. */
export function runBaseline(kind: 'direct' | 'coarse-only'): void {
  const { image, question, settings } = useLens.getState();
  if (!image) return fail('no-image', 'Choose an image first.');
  const run = begin(kind, image);
  if (!run) return;
  const requestId = client().request({ type: 'run-baseline', kind, image: { blob: image.blob, name: image.name }, question: question.trim(), settings });
  useLens.setState({ compare: { ...run, requestId } });
}

/** Re-runs only the fine turn on `box` (coarse pixels), continuing the current ERGO run's coarse turn. */
export function askAboutRegion(box: CoarseBox): void {
  const { run, image } = useLens.getState();
  if (!run || !image || (run.kind !== 'ergo' && run.kind !== 'fine') || run.status === 'running') return;
  const ergoRequestId = run.ergoRequestId ?? run.requestId;
  const requestId = client().request({ type: 'run-fine', ergoRequestId, box });
  const next = startRun({ ...run, requestId, kind: 'fine', ergoRequestId, status: 'running' });
  useLens.setState({ run: { ...next, texts: { coarse: run.texts.coarse ?? '' }, coarse: run.coarse, stages: [], notices: [], answer: null, box: null }, editedBox: box });
}

/** Stops whatever runs (within one token while generating; by restarting the worker otherwise). */
export function stop(): void {
  const { run, compare, load } = useLens.getState();
  for (const r of [run, compare]) if (r?.status === 'running') client().cancel(r.requestId);
  if (load.pending) client().cancel(load.pending.requestId);
}

/** Shows an earlier run of the session again. */
export function showRun(run: RunState): void {
  useLens.setState({ run, editedBox: null, compare: null });
}

/** Reads a trace file and shows it over the current image (whose size must match). */
export async function importTrace(file: Blob): Promise<void> {
  let json: unknown;
  try {
    json = JSON.parse(await file.text());
  } catch {
    return fail('trace-not-json', 'That file is not JSON: export a trace from ERGO Lens or a runtime that writes the same fields.');
  }
  const parsed = parseTrace(json);
  if (!parsed.ok) return fail(parsed.code, parsed.message);
  const { image } = useLens.getState();
  if (!image) return fail('trace-needs-image', `Load the trace's image first (${parsed.trace.image.width}x${parsed.trace.image.height}, "${parsed.trace.image.name}").`);
  if (image.width !== parsed.trace.image.width || image.height !== parsed.trace.image.height) {
    return fail('trace-image-mismatch', `The trace is for a ${parsed.trace.image.width}x${parsed.trace.image.height} image; the loaded one is ${image.width}x${image.height}.`);
  }
  useLens.setState({ run: traceRun(parsed.trace, image), compare: null, editedBox: null, error: null, question: parsed.trace.question });
}

/** The trace's box with its crop in the original, or null when the trace has no usable box. */
function traceBox(trace: Trace, image: LensImage, budget: number): BoxStatus | null {
  if (!trace.box) return null;
  const crop = cropRect(trace.box, image, trace.coarseSize ?? ergoImageCost(image, budget));
  return crop ? { kind: 'parsed', box: trace.box, crop } : { kind: 'none', reason: 'degenerate', fallback: 'skip' };
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
    original: image,
    imageName: image.name,
    texts: { coarse: trace.coarseOutput, ...(trace.fineOutput !== null ? { fine: trace.fineOutput } : {}) },
    box: traceBox(trace, image, budget),
    answer: trace.answer,
  });
}

/** Restores what a share link carries; bad parameters are reported and ignored. */
export async function openShareLink(search: string): Promise<void> {
  const { state, problems } = decodeShareState(search, (id) => !!findModel(id));
  const current = useLens.getState();
  useLens.setState({
    ...(state.model ? { modelId: state.model } : {}),
    ...(state.backend ? { backend: state.backend } : {}),
    ...(state.question ? { question: state.question } : {}),
    settings: {
      ...current.settings,
      ...(state.budget ? { budget: state.budget } : {}),
      ...(state.fallback ? { fallback: state.fallback } : {}),
      ...(state.maxNewTokens ? { maxNewTokens: state.maxNewTokens } : {}),
    },
    shared: state.localImage || state.box ? { localImage: state.localImage ?? null, box: state.box ?? null } : null,
  });
  if (problems.length) fail('bad-link', `Parts of this link were ignored: ${problems.map((p) => p.message).join('; ')}.`);
  if (state.imageUrl) await pickImageUrl(state.imageUrl);
}

/** A link to this question on this model, with the image's URL (or the note that it was local) and the box. */
export function shareLink(): string {
  const s = useLens.getState();
  const box = s.editedBox ?? (s.run?.box && s.run.box.kind !== 'none' ? s.run.box.box : null);
  const search = encodeShareState({
    question: s.question.trim() || undefined,
    model: s.modelId,
    backend: s.backend,
    budget: s.settings.budget,
    fallback: s.settings.fallback,
    maxNewTokens: s.settings.maxNewTokens,
    imageUrl: s.image?.sourceUrl ?? undefined,
    localImage: s.image && !s.image.sourceUrl ? { name: s.image.name, width: s.image.width, height: s.image.height } : undefined,
    box: box ?? undefined,
  });
  return `${location.origin}${location.pathname}${search}`;
}
