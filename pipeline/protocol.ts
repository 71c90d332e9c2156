/**
 * The typed message protocol between the UI and the inference worker.
 *
 * One discriminated union per direction, both keyed by `type`. Every request carries a `requestId`;
 * every event the worker sends about that request echoes it, so the UI can drop events of a run it
 * has already abandoned. Image buffers are transferred, never copied.
 *
 * Lifecycle: a request ends with exactly one terminal event (`TERMINAL_EVENT_TYPES`): `loaded` for
 * `load`, `unloaded` for `unload`, `result` for runs, or `cancelled` / `error` for any of them.
 * The worker handles one request at a time, in the order received (except `cancel`).
 */
import type { CoarseBox, OriginalRect, Size } from '../app/core/geometry';
import type { BoxConvention } from '../app/core/zoomRegion';

/** What runs the model: onnxruntime-web on WebGPU or wasm, onnxruntime-node (`cpu`), or an OpenAI-compatible `server`. */
export type Backend = 'webgpu' | 'wasm' | 'cpu' | 'server';
/** The browser's choice among its own backends. */
export type BackendPreference = 'auto' | 'webgpu' | 'wasm';

/** Which turn or baseline a piece of output belongs to. */
export type Stage = 'coarse' | 'fine' | 'direct' | 'coarse-only';
/**
 * Where a request is. During `decode`, `resize` and `generate` the worker leaves within one step
 * (an image decode, a resize, a token) of a `cancel`; `load`, `encode` and `prefill` are single
 * runtime calls that can take minutes on a large model, so the client terminates the worker instead.
 */
export type Phase = 'load' | 'decode' | 'resize' | 'encode' | 'prefill' | 'generate';

/** What to do when the coarse turn yields no usable box (the user is always told which ran). */
export type NoBoxFallback = 'skip' | 'full-image';

export interface RunSettings {
  /** Vision-token budget per image for ERGO's resize (paper: 640 or 1280). */
  readonly budget: number;
  /** Greedy decoding limit per turn (protocol parity: 1024). */
  readonly maxNewTokens: number;
  readonly fallback: NoBoxFallback;
  /** Token cap of the "direct" baseline (Qwen's resize); lowered by the worker if the device cannot hold it. */
  readonly directCap: number;
  /**
   * `generation-config` (the default): greedy with the model's generation_config.json repetition
   * penalty, as the official evaluation (vLLM) decodes. `greedy`: plain argmax, no penalty.
   */
  readonly decoding?: Decoding;
}

export type Decoding = 'generation-config' | 'greedy';

/** An encoded image file (PNG, JPEG, WebP...), decoded inside the worker. A Blob is posted by reference, not copied. */
export interface ImageFile {
  readonly blob: Blob;
  readonly name: string;
}

/**
 * Largest image accepted, in pixels (100 MP: 400 MB of RGBA). Chromium's canvas area limit is
 * 268 MP, but the original must stay in memory next to its crops and resized copies. The UI
 * checks it on input; the worker checks it again when decoding.
 */
export const MAX_IMAGE_PIXELS = 100_000_000;

/** RGBA pixels (ImageData layout) sent back so the UI shows exactly what the model saw. */
export interface RgbaImage extends Size {
  readonly data: Uint8ClampedArray;
}

/**
 * Where a model's files come from. Registry models resolve to `site` (served under `<site>/models/`)
 * or `hub`; a user may also name any Hub repo or pick a local folder (`files`, paths relative to the
 * folder, e.g. `onnx/decoder_model_merged_q4.onnx`).
 */
export type LocalModelSource =
  | { readonly kind: 'site'; readonly path: string }
  | { readonly kind: 'hub'; readonly repo: string }
  | { readonly kind: 'files'; readonly files: readonly { readonly path: string; readonly blob: Blob }[] };

/**
 * An OpenAI-compatible server (`engines/openai/`): its API base URL, the served model name and an
 * optional key. The key lives only in the page's memory and the worker's; it is never logged.
 */
export interface ServerSource {
  readonly kind: 'server';
  readonly endpoint: string;
  readonly model: string;
  readonly apiKey?: string;
}

export type ModelSource = LocalModelSource | ServerSource;

export interface LoadRequest {
  readonly type: 'load';
  readonly requestId: string;
  /** A registry id (`pipeline/registry.ts`). */
  readonly modelId: string;
  /** Required for registry entries that take the user's own repo or folder (`custom`, ERGO-7B); else the registry's. */
  readonly source?: ModelSource;
  readonly backend: BackendPreference;
  /** Absolute URL of the site root: models under `models/`, the ORT runtime under `ort/`. Filled in by the client. */
  readonly siteUrl: string;
}

/**
 * Run requests may carry a cancel flag: 4 bytes of shared memory the client sets (`raiseCancelFlag`)
 * and the worker reads before every token, so cancel lands even while the worker is deep in a chain
 * of awaits that never lets a `cancel` message in. Absent when the page cannot share memory (not
 * cross-origin isolated); the worker then yields a task per token to read `cancel` messages.
 */
interface Cancellable {
  readonly cancelFlag?: SharedArrayBuffer;
}

/** A cancel flag for a new request, or undefined where SharedArrayBuffer cannot be posted. */
export function createCancelFlag(): SharedArrayBuffer | undefined {
  return typeof SharedArrayBuffer === 'function' && globalThis.crossOriginIsolated === true ? new SharedArrayBuffer(4) : undefined;
}

export function raiseCancelFlag(flag: SharedArrayBuffer): void {
  Atomics.store(new Int32Array(flag, 0, 1), 0, 1);
}

export function cancelFlagRaised(flag: SharedArrayBuffer): boolean {
  return Atomics.load(new Int32Array(flag, 0, 1), 0) !== 0;
}

export interface ErgoRunRequest extends Cancellable {
  readonly type: 'run-ergo';
  readonly requestId: string;
  readonly image: ImageFile;
  readonly question: string;
  readonly settings: RunSettings;
  /** The fine turn's question when it differs: a benchmark item's question with its options and postfix. */
  readonly fineQuestion?: string;
}

export type WorkerRequest =
  | LoadRequest
  | ErgoRunRequest
  | (Cancellable & {
      readonly type: 'run-baseline';
      readonly requestId: string;
      readonly kind: 'direct' | 'coarse-only';
      readonly image: ImageFile;
      readonly question: string;
      readonly settings: RunSettings;
    })
  /**
   * Re-run only the fine turn of ERGO run `ergoRequestId` on a user-given box (coarse-image pixels).
   * `reuseCache` (default true) continues the kept coarse turn's KV cache; false recomputes the
   * whole two-image conversation from scratch (same tokens; for comparison and benchmarks).
   * The worker keeps one coarse turn (the latest ERGO run's; gone after a restart or a model
   * change). With `recompute`, the run's own image, question and settings, a coarse turn that is
   * gone is computed again first (notice `coarse-recomputed`); without, that ends in `no-cached-run`.
   */
  | (Cancellable & {
      readonly type: 'run-fine';
      readonly requestId: string;
      readonly ergoRequestId: string;
      readonly box: CoarseBox;
      readonly reuseCache?: boolean;
      readonly recompute?: { readonly image: ImageFile; readonly question: string; readonly settings: RunSettings };
    })
  /** Cancels the request `targetId`; its terminal event is `cancelled` (or its own, if it finished first). */
  | { readonly type: 'cancel'; readonly requestId: string; readonly targetId: string }
  | { readonly type: 'unload'; readonly requestId: string };

export type NoBoxReason = 'no-zoom' | 'malformed' | 'degenerate';

export type BoxStatus =
  | { readonly kind: 'parsed'; readonly box: CoarseBox; readonly crop: OriginalRect }
  | { readonly kind: 'manual'; readonly box: CoarseBox; readonly crop: OriginalRect }
  | { readonly kind: 'none'; readonly reason: NoBoxReason; readonly fallback: NoBoxFallback };

export interface StageStats {
  readonly stage: Stage;
  /** Size of the image encoded in this stage (the model's input, after resizing); 0x0 if none. */
  readonly imageSize: Size;
  /** Vision tokens of this stage's image: (h/28)*(w/28). */
  readonly visionTokens: number;
  /** Rows the vision encoder produced in this stage (equals `visionTokens` when the image was encoded). */
  readonly encoderRows: number;
  readonly encoderMs: number;
  /** Tokens reused from an earlier turn's KV cache (not recomputed). */
  readonly cachedTokens: number;
  /** Tokens run through the decoder in the prefill of this stage. */
  readonly prefillTokens: number;
  readonly prefillMs: number;
  readonly decodeTokens: number;
  readonly decodeMs: number;
  /** decodeTokens per second of decodeMs; 0 when nothing was decoded. */
  readonly tokensPerSecond: number;
  readonly totalMs: number;
}

export interface LoadedModel {
  readonly modelId: string;
  /** `qwen2_vl` or `qwen2_5_vl`, read from the model's config. */
  readonly architecture: string;
  readonly backend: Backend;
  /** Why this backend (e.g. "auto: no WebGPU adapter"). */
  readonly backendReason: string;
  /** `vendor architecture` of the WebGPU adapter; null on wasm. */
  readonly adapter: string | null;
  readonly shaderF16: boolean;
  /** dtype per ONNX file (`embed_tokens`, `vision_encoder`, `decoder_model_merged`). */
  readonly dtypes: Readonly<Record<string, string>>;
  /** wasm threads; 1 without cross-origin isolation. */
  readonly threads: number;
  readonly loadMs: number;
  /** Bytes of the ONNX files loaded, external data included. */
  readonly fileBytes: number;
  /** External-data chunks among them (`X.onnx_data`, `X.onnx_data_1`, ...). */
  readonly externalDataFiles: number;
  /** How config.json kept its text fields: at the top level (`flat`) or under `text_config` (`nested`). */
  readonly configShape: 'flat' | 'nested';
  /** Config fields the loader derived because the config left them implicit (`field = value (why)`). */
  readonly derived: readonly string[];
  /** Decoding parameters read from generation_config.json. */
  readonly generation: GenerationInfo;
  /** How the loaded model writes its box: from its config, or a served model's name (streaming boxes are read so). */
  readonly boxConvention: BoxConvention;
}

/** What generation_config.json asks of decoding (recorded in every run's trace). */
export interface GenerationInfo {
  readonly eosIds: readonly number[];
  /** Hugging Face / vLLM repetition penalty; 1 means none. */
  readonly repetitionPenalty: number;
  readonly source: 'generation_config.json' | 'defaults';
}

export interface WorkerErrorInfo {
  readonly code: string;
  readonly message: string;
}

export type ProgressStatus = 'initiate' | 'download' | 'progress' | 'done';

/**
 * What a load is doing once its configuration and tokenizer are read: fetching model files
 * (`download`), or the runtime building a session from a downloaded file (`session`), a step with
 * no progress of its own that takes seconds to minutes on a multi-GB file. In the browser the two
 * alternate, one session at a time.
 */
export type LoadPhase = 'download' | 'session';

export type WorkerEvent =
  | { readonly type: 'progress'; readonly requestId: string; readonly file: string; readonly loaded: number; readonly total: number; readonly status: ProgressStatus }
  | { readonly type: 'progress-total'; readonly requestId: string; readonly loaded: number; readonly total: number }
  /** `file`: the ONNX file whose session is being created; null when unknown (all at once). */
  | { readonly type: 'load-phase'; readonly requestId: string; readonly phase: LoadPhase; readonly file: string | null }
  | { readonly type: 'loaded'; readonly requestId: string; readonly model: LoadedModel }
  /**
   * Sent by the EngineClient, not the worker: it terminated the worker (to stop a request in a phase
   * that cannot be left otherwise) and is loading the model of load `requestId` again. That load's
   * `progress` and then `loaded` (or `error`) events follow under the same id.
   */
  | { readonly type: 'reloading'; readonly requestId: string; readonly cause: 'stop' }
  | { readonly type: 'unloaded'; readonly requestId: string }
  /**
   * `compilingShaders`: on WebGPU, the model's first encode or prefill also compiles its shaders
   * (measured on SwiftShader at 256 tokens: first encode 12.3 s, then 3.1 s and 3.0 s).
   */
  | { readonly type: 'phase'; readonly requestId: string; readonly stage: Stage | null; readonly phase: Phase; readonly compilingShaders?: boolean }
  | { readonly type: 'image'; readonly requestId: string; readonly role: 'coarse' | 'crop' | 'full'; readonly original: Size; readonly image: RgbaImage }
  /** `text` is the new chunk, to append to what came before for the same stage. */
  | { readonly type: 'partial'; readonly requestId: string; readonly stage: Stage; readonly text: string }
  | { readonly type: 'box'; readonly requestId: string; readonly status: BoxStatus }
  /** Something the user must know that is not an error (a lowered cap, a fallback, a reduced budget). */
  | { readonly type: 'notice'; readonly requestId: string; readonly code: string; readonly message: string }
  | { readonly type: 'stage-result'; readonly requestId: string; readonly stage: Stage; readonly text: string; readonly stats: StageStats }
  | {
      readonly type: 'result';
      readonly requestId: string;
      /** The final answer text (protocol extraction from the last stage's output). */
      readonly answer: string;
      readonly stages: readonly StageStats[];
      /** Vision tokens stock Qwen2.5-VL would spend on the whole original (Qwen's resize at 16384 tokens). */
      readonly fullImageTokens: number;
      readonly backend: Backend;
      readonly totalMs: number;
      /** The decoding values this run used. */
      readonly generation: { readonly eosIds: readonly number[]; readonly repetitionPenalty: number | null };
    }
  | { readonly type: 'cancelled'; readonly requestId: string }
  | { readonly type: 'error'; readonly requestId: string; readonly error: WorkerErrorInfo };

export type WorkerEventType = WorkerEvent['type'];

/** Events after which the worker sends nothing more about that request. */
export const TERMINAL_EVENT_TYPES: ReadonlySet<WorkerEventType> = new Set(['loaded', 'unloaded', 'result', 'cancelled', 'error']);

/** Buffers to transfer with an event (the RGBA of `image` events), so pixels are moved, not copied. */
export function eventTransferables(event: WorkerEvent): Transferable[] {
  return event.type === 'image' ? [event.image.data.buffer as ArrayBuffer] : [];
}
