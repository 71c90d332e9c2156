/**
 * Loads a Qwen-VL model for the engine: transformers.js environment, backend and dtypes, the
 * processor (tokenizer + preprocessing constants) and the three ONNX sessions, with progress.
 *
 * Environment, set on every load because `env` is global to the worker:
 * - the ORT runtime comes from `<site>/ort/` (never a CDN): `wasmPaths` as absolute URLs;
 * - site models resolve under `<site>/models/`, remote access off, browser cache off (they are
 *   served locally, and a cached bad response would outlive a fix);
 * - Hub models: remote on, local off, browser cache on (multi-GB downloads must survive reloads);
 * - a picked folder: served from memory through transformers.js' custom-cache hook, remote off.
 */
import {
  AutoConfig,
  AutoProcessor,
  Qwen2VLForConditionalGeneration,
  Qwen2_5_VLForConditionalGeneration,
  env,
  type PretrainedConfig,
} from '@huggingface/transformers';
import { chooseBackend, wasmThreads, type BackendChoice, type GpuProbe } from './backendChoice';
import { dtypesForFolder } from './folderDtypes';
import { boxConventionFor, findModel, type Architecture, type BoxConvention, type ModelEntry } from '../../pipeline/registry';
import type { LoadRequest, LoadedModel, ModelSource, ProgressStatus } from '../../pipeline/protocol';
import { visionPreprocessFromConfig, type VisionPreprocess } from './pixels';
import { EngineError, Turns, type QwenVlModel } from './turns';

export interface LoadedEngine {
  readonly info: LoadedModel;
  readonly entry: ModelEntry;
  readonly architecture: Architecture;
  readonly boxConvention: BoxConvention;
  readonly model: QwenVlModel & { dispose(): Promise<unknown> };
  readonly tokenizer: ChatTokenizer;
  readonly pre: VisionPreprocess;
  readonly turns: Turns;
  readonly imageTokenId: number;
  /** Tokens that end a turn: `<|im_end|>` and the config's eos ids. */
  readonly eosIds: ReadonlySet<number>;
  /** Attention heads of the vision tower (sizes its score matrices). */
  readonly visionHeads: number;
  /** Largest WebGPU storage buffer binding in bytes (0 on wasm). */
  readonly maxBufferBytes: number;
}

/** The tokenizer methods the engine uses. */
export interface ChatTokenizer {
  apply_chat_template(messages: unknown[], options: Record<string, unknown>): unknown;
  encode(text: string, options?: { add_special_tokens?: boolean }): number[];
  decode(ids: readonly number[] | bigint[], options?: { skip_special_tokens?: boolean }): string;
  convert_tokens_to_ids?(tokens: string): number;
  model: { tokens_to_ids?: Map<string, number> };
}

export type ProgressSink = (e: { file: string; loaded: number; total: number; status: ProgressStatus } | { total: number; loaded: number; status: 'total' }) => void;

const PICKED_FOLDER_ROOT = 'picked-folder/';

export async function probeGpu(): Promise<GpuProbe> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> } }).gpu;
  if (!gpu) return { adapter: null };
  const adapter = await gpu.requestAdapter().catch(() => null);
  if (!adapter) return { adapter: null };
  const info = adapter.info;
  const description = [info?.vendor, info?.architecture, info?.device].filter(Boolean).join(' ') || 'unknown adapter';
  return { adapter: { description, shaderF16: adapter.features.has('shader-f16'), maxBufferBytes: adapter.limits?.maxStorageBufferBindingSize ?? 0 } };
}

interface GpuAdapterLike {
  readonly features: ReadonlySet<string>;
  readonly info?: { vendor?: string; architecture?: string; device?: string };
  readonly limits?: { maxStorageBufferBindingSize?: number };
}

/** Resolves the model id string transformers.js loads and configures `env` for its source. */
function configureSource(source: ModelSource, siteUrl: string): string {
  env.backends.onnx.wasm!.proxy = false;
  env.useCustomCache = false;
  switch (source.kind) {
    case 'site':
      env.allowLocalModels = true;
      env.allowRemoteModels = false;
      env.useBrowserCache = false;
      // A path, not a full URL: transformers.js 4.3.1 skips its local-file existence check for
      // http(s) local paths (tokenizer files then count as missing); a path-absolute one is fetched.
      env.localModelPath = new URL('models/', siteUrl).pathname;
      return source.path;
    case 'hub':
      env.allowLocalModels = false;
      env.allowRemoteModels = true;
      env.useBrowserCache = true;
      return source.repo;
    case 'files': {
      const root = new URL(PICKED_FOLDER_ROOT, siteUrl).href;
      const byUrl = new Map(source.files.map((f) => [new URL(`folder/${f.path.replace(/^\/+/, '')}`, root).href, f.blob]));
      env.allowLocalModels = true;
      env.allowRemoteModels = false;
      env.useBrowserCache = false;
      env.localModelPath = root;
      env.useCustomCache = true;
      env.customCache = {
        async match(key: string | Request) {
          const blob = byUrl.get(typeof key === 'string' ? key : key.url);
          return blob ? new Response(blob, { headers: { 'content-length': String(blob.size) } }) : undefined;
        },
        async put() {},
      };
      return 'folder';
    }
    default:
      return source satisfies never;
  }
}

function resolveSource(req: LoadRequest, entry: ModelEntry): ModelSource {
  if (entry.source.kind !== 'user') return entry.source;
  if (!req.source) throw new EngineError('missing-source', `model "${entry.id}" needs a Hub repo id or a local folder`);
  if (req.source.kind === 'hub' && !/^[\w.-]+\/[\w.-]+$/.test(req.source.repo)) {
    throw new EngineError('bad-repo-id', `"${req.source.repo}" is not a Hub repo id (expected owner/name)`);
  }
  return req.source;
}

/** A picked folder holds whatever precisions its export has: use the closest to the registry's. */
function withFolderDtypes(choice: Extract<BackendChoice, { ok: true }>, source: Extract<ModelSource, { kind: 'files' }>): Extract<BackendChoice, { ok: true }> {
  const folder = dtypesForFolder(choice.dtypes, new Set(source.files.map((f) => f.path.replace(/^\/+/, ''))));
  if (!folder.ok) throw new EngineError('model-file-missing', `the picked folder has no ${folder.missing}`);
  return { ...choice, dtypes: folder.dtypes };
}

const CLASSES: Record<Architecture, typeof Qwen2VLForConditionalGeneration> = {
  qwen2_vl: Qwen2VLForConditionalGeneration,
  qwen2_5_vl: Qwen2_5_VLForConditionalGeneration,
};

/** Loads the model named by `req`; throws EngineError with a code for every expected failure. */
export async function loadEngine(req: LoadRequest, onProgress: ProgressSink): Promise<LoadedEngine> {
  const started = performance.now();
  const entry = findModel(req.modelId);
  if (!entry) throw new EngineError('unknown-model', `no model "${req.modelId}" in the registry`);
  const source = resolveSource(req, entry);
  const probe = await probeGpu();
  const backendChoice = chooseBackend(req.backend, probe, entry);
  if (!backendChoice.ok) throw new EngineError(backendChoice.code, backendChoice.message);
  const choice = source.kind === 'files' ? withFolderDtypes(backendChoice, source) : backendChoice;

  const ort = new URL('ort/', req.siteUrl).href;
  env.backends.onnx.wasm!.wasmPaths = { mjs: `${ort}ort-wasm-simd-threaded.asyncify.mjs`, wasm: `${ort}ort-wasm-simd-threaded.asyncify.wasm` };
  const threads = wasmThreads(navigator.hardwareConcurrency, globalThis.crossOriginIsolated === true);
  env.backends.onnx.wasm!.numThreads = threads;
  const id = configureSource(source, req.siteUrl);
  const where = source.kind === 'hub' ? `Hub repo "${source.repo}"` : source.kind === 'site' ? `built-in model "${source.path}"` : 'the picked folder';

  const progress_callback = (p: { status: string; file?: string; loaded?: number; total?: number }): void => {
    if (p.status === 'progress_total') onProgress({ status: 'total', loaded: p.loaded ?? 0, total: p.total ?? 0 });
    else if (p.status === 'initiate' || p.status === 'download' || p.status === 'progress' || p.status === 'done') {
      onProgress({ status: p.status, file: p.file ?? '', loaded: p.loaded ?? 0, total: p.total ?? 0 });
    }
  };

  try {
    const config = (await AutoConfig.from_pretrained(id, { progress_callback })) as PretrainedConfig & Record<string, unknown>;
    const architecture = config.model_type as string;
    if (architecture !== 'qwen2_vl' && architecture !== 'qwen2_5_vl') {
      throw new EngineError('unsupported-architecture', `${where} is a "${architecture}" model; supported: qwen2_vl, qwen2_5_vl`);
    }
    if (entry.architecture && entry.architecture !== architecture) {
      throw new EngineError('unexpected-architecture', `${where} is "${architecture}", the registry expects "${entry.architecture}"`);
    }
    const processor = (await AutoProcessor.from_pretrained(id, { progress_callback })) as unknown as {
      tokenizer: ChatTokenizer;
      image_processor: { config: Record<string, unknown> };
    };
    const model = (await CLASSES[architecture].from_pretrained(id, {
      config,
      dtype: choice.dtypes,
      device: choice.backend,
      progress_callback,
    })) as unknown as LoadedEngine['model'];
    const tokenizer = processor.tokenizer;
    const imageTokenId = numberFrom(config.image_token_id, 'image_token_id', where);
    const textConfig = (config.text_config ?? config) as Record<string, unknown>;
    const vocabSize = numberFrom(textConfig.vocab_size ?? config.vocab_size, 'vocab_size', where);
    const eosIds = new Set<number>([...idsFrom(config.eos_token_id), ...idsFrom(textConfig.eos_token_id), tokenId(tokenizer, '<|im_end|>', where)]);
    const info: LoadedModel = {
      modelId: entry.id,
      architecture,
      backend: choice.backend,
      backendReason: choice.reason,
      adapter: choice.backend === 'webgpu' ? (probe.adapter?.description ?? null) : null,
      shaderF16: probe.adapter?.shaderF16 ?? false,
      dtypes: choice.dtypes,
      threads: choice.backend === 'wasm' ? threads : 1,
      loadMs: performance.now() - started,
    };
    return {
      info,
      entry,
      architecture,
      boxConvention: boxConventionFor(entry, architecture),
      model,
      tokenizer,
      pre: visionPreprocessFromConfig(processor.image_processor.config),
      turns: new Turns(model, imageTokenId, vocabSize),
      imageTokenId,
      eosIds,
      visionHeads: numberFrom((config.vision_config as Record<string, unknown> | undefined)?.num_heads, 'vision_config.num_heads', where),
      maxBufferBytes: probe.adapter?.maxBufferBytes ?? 0,
    };
  } catch (e) {
    throw classifyLoadError(e, where);
  }
}

/** Maps transformers.js / fetch failures to coded errors that name the model. */
function classifyLoadError(e: unknown, where: string): Error {
  if (e instanceof EngineError) return e;
  const err = e as Error;
  const message = err?.message ?? String(e);
  if (err?.name === 'ModelFileNotFoundError' || /not found locally|could not locate file/i.test(message)) {
    return new EngineError('model-file-missing', `${where}: a required file is missing (${message})`);
  }
  if (err instanceof TypeError && /fetch/i.test(message)) {
    return new EngineError('network', `${where} could not be fetched (no network or host unreachable): ${message}`);
  }
  if (/Unauthorized|401|403|404/.test(message)) return new EngineError('hub-refused', `${where}: ${message}`);
  return new EngineError('load-failed', `${where} failed to load: ${message}`);
}

function numberFrom(v: unknown, key: string, where: string): number {
  if (typeof v === 'number') return v;
  throw new EngineError('bad-config', `${where}: config.json has no numeric "${key}"`);
}

function idsFrom(v: unknown): number[] {
  if (typeof v === 'number') return [v];
  return Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number') : [];
}

function tokenId(tokenizer: ChatTokenizer, token: string, where: string): number {
  const ids = tokenizer.encode(token, { add_special_tokens: false });
  if (ids.length !== 1) throw new EngineError('bad-tokenizer', `${where}: the tokenizer does not know the special token ${token}`);
  return ids[0]!;
}
