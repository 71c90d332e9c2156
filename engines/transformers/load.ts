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
  PretrainedConfig,
} from '@huggingface/transformers';
import { chooseBackend, wasmThreads, type BackendChoice } from './backendChoice';
import { probeGpu } from '../../pipeline/gpuProbe';
import { DTYPE_SUFFIX, dtypesForFolder } from './folderDtypes';
import { boxConventionFor, findModel, type Architecture, type BoxConvention, type DtypeMap, type ModelEntry } from '../../pipeline/registry';
import type { LoadRequest, LoadedModel, LocalModelSource, LoadPhase, ProgressStatus } from '../../pipeline/protocol';
import { bytesOf, fileReader, HttpError, onnxFileSizes, type ModelFileReader, type ModelFiles } from './modelFiles';
import { createSessions, externalDataName, sessionFiles, type SessionFiles } from './sessions';
import { embeddingTable, type EmbeddingTable } from './embeddings';
import { checkTokenizer, normalizeConfig, readGeneration, type Generation, type ModelDims } from './modelConfig';
import { visionPreprocessFromConfig, type VisionPreprocess } from './pixels';
import { EngineError } from '../../pipeline/errors';
import { Turns, type QwenVlModel } from './turns';

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
  /** Tokens that end a turn: `<|im_end|>`, the config's and generation_config.json's eos ids. */
  readonly eosIds: ReadonlySet<number>;
  /** Decoding as generation_config.json defines it (eos ids, repetition penalty). */
  readonly generation: Generation;
  /** The model's dimensions, from its normalized config. */
  readonly dims: ModelDims;
  /** Attention heads of the vision tower (sizes its score matrices). */
  readonly visionHeads: number;
  /** Largest WebGPU storage buffer binding in bytes (0 on wasm). */
  readonly maxBufferBytes: number;
}

/** The tokenizer methods the engine uses. */
export interface ChatTokenizer {
  apply_chat_template(messages: unknown[], options: Record<string, unknown>): unknown;
  encode(text: string, options?: { add_special_tokens?: boolean }): number[];
  decode(ids: number[] | bigint[], options?: { skip_special_tokens?: boolean }): string;
  /** Every token (BPE and added) with its id. */
  get_vocab(): Record<string, number> | Map<string, number>;
}

export type ProgressSink = (
  e: { file: string; loaded: number; total: number; status: ProgressStatus } | { total: number; loaded: number; status: 'total' } | { status: 'phase'; phase: LoadPhase; file: string | null },
) => void;

const PICKED_FOLDER_ROOT = 'picked-folder/';

/** Resolves the model id string transformers.js loads and configures `env` for its source. */
function configureSource(source: LocalModelSource, siteUrl: string): string {
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

function resolveSource(req: LoadRequest, entry: ModelEntry): LocalModelSource {
  if (entry.source.kind === 'server') throw new EngineError('server-source', `"${entry.id}" is a server: it is loaded through the server engine`);
  if (entry.source.kind !== 'user') return entry.source;
  if (!req.source) throw new EngineError('missing-source', `model "${entry.id}" needs a Hub repo id or a local folder`);
  if (req.source.kind === 'server') throw new EngineError('server-source', `"${entry.id}" is a local model: a server is loaded through the server engine`);
  if (req.source.kind === 'hub' && !/^[\w.-]+\/[\w.-]+$/.test(req.source.repo)) {
    throw new EngineError('bad-repo-id', `"${req.source.repo}" is not a Hub repo id (expected owner/name)`);
  }
  return req.source;
}

/** A picked folder holds whatever precisions its export has: use the closest to the registry's. */
function withFolderDtypes(choice: Extract<BackendChoice, { ok: true }>, source: Extract<LocalModelSource, { kind: 'files' }>): Extract<BackendChoice, { ok: true }> {
  const folder = dtypesForFolder(choice.dtypes, new Set(source.files.map((f) => f.path.replace(/^\/+/, ''))), choice.deviceClass !== 'webgpu');
  if (!folder.ok) {
    const onnx = source.files.filter((f) => f.path.endsWith('.onnx'));
    const half = onnx.length > 0 && onnx.every((f) => /_(fp16|q4f16)\.onnx$/.test(f.path));
    if (half && choice.deviceClass === 'webgpu') {
      throw new EngineError('needs-shader-f16', `the picked folder has only fp16/q4f16 files, and this WebGPU adapter has no shader-f16 (float16 would compute zeros); use wasm, or export fp32/q4 files`);
    }
    throw new EngineError('model-file-missing', `the picked folder has no ${folder.missing}`);
  }
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
  const files = fileReader(source, req.siteUrl, env.remoteHost, env.cacheKey);
  return loadModelFiles({
    id,
    where,
    entry,
    dtypes: choice.dtypes,
    device: choice.backend,
    backend: choice.backend,
    backendReason: choice.reason,
    adapter: choice.backend === 'webgpu' ? (probe.adapter?.description ?? null) : null,
    shaderF16: probe.adapter?.shaderF16 ?? false,
    threads: choice.backend === 'wasm' ? threads : 1,
    maxBufferBytes: probe.adapter?.maxBufferBytes ?? 0,
    reader: files,
    files,
    started,
    onProgress,
  });
}

/** Where and how to load a model's files, once the host has configured transformers.js' `env` for them. */
export interface LoadSpec {
  /** The id transformers.js resolves (a repo id, or a folder name under `env.localModelPath`). */
  readonly id: string;
  /** How errors name the model ("built-in model ...", "Hub repo ..."). */
  readonly where: string;
  readonly entry: ModelEntry;
  readonly dtypes: DtypeMap;
  /** transformers.js device: `webgpu` or `wasm` in the browser, `cpu` (onnxruntime-node) in Node. */
  readonly device: 'webgpu' | 'wasm' | 'cpu';
  readonly backend: LoadedModel['backend'];
  readonly backendReason: string;
  readonly adapter: string | null;
  readonly shaderF16: boolean;
  readonly threads: number;
  readonly maxBufferBytes: number;
  /**
   * Reads the model's small files and ONNX sizes before transformers.js loads anything large, and
   * in Node the embed_tokens file for the embedding lookup (`embeddings.ts`).
   */
  readonly reader: ModelFiles;
  /**
   * In the browser, the files as the runtime takes them: the sessions are then created one at a time,
   * each file fetched for its own session and dropped once it exists (`sessions.ts`). Null in Node,
   * where onnxruntime-node reads the files from their paths itself.
   */
  readonly files: ModelFiles | null;
  readonly started: number;
  readonly onProgress: ProgressSink;
}

/** Loads config, processor and sessions; throws EngineError with a code for every expected failure. */
export async function loadModelFiles(spec: LoadSpec): Promise<LoadedEngine> {
  const { id, where, entry, onProgress } = spec;
  // Set once transformers.js fetches the model's ONNX files: their download is over when every one
  // is done, or when the aggregate total is complete; the sessions are being built from then on.
  let awaitedFiles: Set<string> | null = null;
  const downloaded = (): void => {
    if (!awaitedFiles) return;
    awaitedFiles = null;
    onProgress({ status: 'phase', phase: 'session', file: null });
  };
  const progress_callback = (p: { status: string; file?: string; loaded?: number; total?: number }): void => {
    if (p.status === 'progress_total') {
      onProgress({ status: 'total', loaded: p.loaded ?? 0, total: p.total ?? 0 });
      if ((p.total ?? 0) > 0 && (p.loaded ?? 0) >= (p.total ?? 0)) downloaded();
    } else if (p.status === 'initiate' || p.status === 'download' || p.status === 'progress' || p.status === 'done') {
      onProgress({ status: p.status, file: p.file ?? '', loaded: p.loaded ?? 0, total: p.total ?? 0 });
      if (p.status === 'done' && awaitedFiles?.delete(p.file ?? '') && awaitedFiles.size === 0) downloaded();
    }
  };

  try {
    const reader = spec.reader;
    const { config: normalized, dims } = await readConfig(reader, where);
    if (entry.architecture && entry.architecture !== dims.architecture) {
      throw new EngineError('unexpected-architecture', `${where} is "${dims.architecture}", the registry expects "${entry.architecture}"`);
    }
    const generationJson = await readJson(reader, 'generation_config.json', where);
    // Every ONNX file (and external-data chunk) must be there before transformers.js fetches any.
    const sizes = await onnxFileSizes(reader, Object.entries(spec.dtypes).map(([file, dtype]) => `${file}${DTYPE_SUFFIX[dtype]}`));
    if (sizes.missing.length > 0) {
      throw new EngineError('model-file-missing', `${where} has no ${sizes.missing.join(', ')} (needed for the ${Object.values(spec.dtypes).join('/')} dtypes on ${spec.device})`);
    }
    const jsConfig = (normalized['transformers.js_config'] ?? {}) as Record<string, unknown>;
    normalized['transformers.js_config'] = { ...jsConfig, use_external_data_format: sizes.chunks };
    const config = (await AutoConfig.from_pretrained(id, { config: new PretrainedConfig(normalized), progress_callback })) as PretrainedConfig & Record<string, unknown>;
    const architecture = dims.architecture;
    const { tokenizer, image_processor: imageProcessor } = await AutoProcessor.from_pretrained(id, { progress_callback });
    if (!tokenizer || !imageProcessor) {
      throw new EngineError('bad-config', `${where}: no ${tokenizer ? 'image processor (preprocessor_config.json)' : 'tokenizer (tokenizer.json, tokenizer_config.json)'} was found`);
    }
    const imEnd = tokenId(tokenizer, '<|im_end|>', where);
    const tokenizerCheck = checkTokenizer(dims, tokenizerFacts(tokenizer));
    if (!tokenizerCheck.ok) throw new EngineError(tokenizerCheck.code, `${where}: ${tokenizerCheck.message}`);
    const generationCheck = readGeneration(generationJson, dims, imEnd);
    if (!generationCheck.ok) throw new EngineError(generationCheck.code, `${where}: ${generationCheck.message}`);
    const generation = generationCheck.generation;
    const Model = CLASSES[architecture];
    onProgress({ status: 'phase', phase: 'download', file: null });
    // transformers.js fetches every file, then builds the sessions without a word: the session
    // step starts when the last byte is in.
    const fromPretrained = () => {
      awaitedFiles = new Set(sizes.files.map((f) => f.path));
      return Model.from_pretrained(id, { config, dtype: spec.dtypes, device: spec.device, progress_callback });
    };
    let model: LoadedEngine['model'];
    let embeddings: EmbeddingTable | null;
    if (spec.files && spec.device !== 'cpu') {
      const created = await createSessions(
        {
          dtypes: spec.dtypes,
          device: spec.device,
          files: sizes.files,
          gpuOutputs: Array.from({ length: dims.text.layers }, (_, i) => [`present.${i}.key`, `present.${i}.value`]).flat(),
          onProgress,
        },
        spec.files,
      );
      model = new Model(config, created.sessions, {});
      embeddings = created.embeddings;
    } else {
      const made = await fromPretrained();
      embeddings = await replaceEmbedSession(made, spec.reader, sessionFiles('embed_tokens', spec.dtypes.embed_tokens, sizes.files));
      model = made;
    }
    const imageTokenId = dims.tokens.image;
    const info: LoadedModel = {
      modelId: entry.id,
      architecture,
      backend: spec.backend,
      backendReason: spec.backendReason,
      adapter: spec.adapter,
      shaderF16: spec.shaderF16,
      dtypes: spec.dtypes,
      threads: spec.threads,
      loadMs: performance.now() - spec.started,
      fileBytes: sizes.files.reduce((n, f) => n + f.bytes, 0),
      externalDataFiles: sizes.files.filter((f) => f.path.includes('.onnx_data')).length,
      configShape: dims.shape,
      derived: dims.derived,
      generation: { eosIds: generation.eosIds, repetitionPenalty: generation.repetitionPenalty, source: generation.source },
      boxConvention: boxConventionFor(entry, architecture),
    };
    return {
      info,
      entry,
      architecture,
      boxConvention: info.boxConvention,
      model,
      tokenizer,
      pre: visionPreprocessFromConfig(imageProcessor.config),
      turns: new Turns(model, imageTokenId, dims.text.vocab, embeddings),
      imageTokenId,
      eosIds: new Set(generation.eosIds),
      generation,
      dims,
      visionHeads: dims.vision.heads,
      maxBufferBytes: spec.maxBufferBytes,
    };
  } catch (e) {
    throw classifyLoadError(e, where);
  }
}

/**
 * Node: the same embedding lookup as in the browser, so both hosts embed text the same way. Its
 * session, already made by `from_pretrained`, is released when the lookup replaces it; it stays
 * when the graph is not one the lookup evaluates.
 */
async function replaceEmbedSession(model: { sessions: Record<string, { release(): Promise<void> } | undefined> }, reader: ModelFiles, files: SessionFiles): Promise<EmbeddingTable | null> {
  const read = async (file: string) => bytesOf(await reader.data(file, () => {}));
  const external = new Map(await Promise.all(files.chunks.map(async (c) => [externalDataName(c.path), await read(c.path)] as const)));
  const table = embeddingTable(await read(files.model.path), external);
  if (table) {
    await model.sessions.embed_tokens?.release();
    delete model.sessions.embed_tokens;
  }
  return table;
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

async function readJson(reader: ModelFileReader, path: string, where: string): Promise<unknown | null> {
  let text: string | null;
  try {
    text = await reader.text(path);
  } catch (e) {
    if (e instanceof HttpError) throw new EngineError(e.status === 401 || e.status === 403 ? 'hub-refused' : 'load-failed', `${where}: ${path} could not be read (HTTP ${e.status})`);
    throw e;
  }
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new EngineError('bad-config', `${where}: ${path} is not valid JSON`);
  }
}

/** config.json, checked and normalized (flat or nested, implicit fields derived) before anything large is fetched. */
async function readConfig(reader: ModelFileReader, where: string): Promise<{ config: Record<string, unknown>; dims: ModelDims }> {
  const raw = await readJson(reader, 'config.json', where);
  if (raw === null) throw new EngineError('model-file-missing', `${where} has no config.json`);
  const check = normalizeConfig(raw);
  if (!check.ok) throw new EngineError(check.code, `${where}: ${check.message}`);
  return check;
}

function tokenizerFacts(tokenizer: ChatTokenizer): Parameters<typeof checkTokenizer>[1] {
  const known = (token: string): number | undefined => {
    const ids = tokenizer.encode(token, { add_special_tokens: false });
    return ids.length === 1 ? ids[0] : undefined;
  };
  const vocab = tokenizer.get_vocab();
  let maxId = 0;
  for (const id of vocab instanceof Map ? vocab.values() : Object.values(vocab)) maxId = Math.max(maxId, id);
  return {
    ids: { '<|image_pad|>': known('<|image_pad|>'), '<|vision_start|>': known('<|vision_start|>'), '<|vision_end|>': known('<|vision_end|>'), '<|im_end|>': known('<|im_end|>'), '<|im_start|>': known('<|im_start|>') },
    maxId,
  };
}

function tokenId(tokenizer: ChatTokenizer, token: string, where: string): number {
  const ids = tokenizer.encode(token, { add_special_tokens: false });
  if (ids.length !== 1) throw new EngineError('bad-tokenizer', `${where}: the tokenizer does not know the special token ${token}`);
  return ids[0]!;
}
