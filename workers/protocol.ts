/**
 * The typed message protocol between the UI and the inference worker.
 *
 * One discriminated union per direction, both keyed by `type`. Every request carries a `requestId`;
 * every event the worker sends about that request echoes it, so the UI can drop events of a run it
 * has already abandoned. Image buffers are transferred, never copied.
 */
import type { CoarseBox, OriginalRect, Size } from '../app/core/geometry';

export type Backend = 'webgpu' | 'wasm';
export type BackendPreference = 'auto' | Backend;

/** Which turn or baseline a piece of output belongs to. */
export type Stage = 'coarse' | 'fine' | 'direct' | 'coarse-only';
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
}

/** An encoded image file (PNG, JPEG, WebP...), decoded inside the worker. */
export interface ImageFile {
  readonly bytes: ArrayBuffer;
  readonly mimeType: string;
  readonly name: string;
}

/** RGBA pixels (ImageData layout) sent back so the UI shows exactly what the model saw. */
export interface RgbaImage extends Size {
  readonly data: Uint8ClampedArray;
}

export type WorkerRequest =
  | { readonly type: 'load'; readonly requestId: string; readonly modelId: string; readonly backend: BackendPreference }
  | {
      readonly type: 'run-ergo';
      readonly requestId: string;
      readonly image: ImageFile;
      readonly question: string;
      readonly settings: RunSettings;
    }
  | {
      readonly type: 'run-baseline';
      readonly requestId: string;
      readonly kind: 'direct' | 'coarse-only';
      readonly image: ImageFile;
      readonly question: string;
      readonly settings: RunSettings;
    }
  /** Re-run only the fine turn of an earlier ERGO run (its cached coarse turn) on a user-given box. */
  | { readonly type: 'run-fine'; readonly requestId: string; readonly ergoRequestId: string; readonly box: CoarseBox }
  | { readonly type: 'cancel'; readonly requestId: string }
  | { readonly type: 'unload'; readonly requestId: string };

export type BoxStatus =
  | { readonly kind: 'parsed'; readonly box: CoarseBox; readonly crop: OriginalRect }
  | { readonly kind: 'manual'; readonly box: CoarseBox; readonly crop: OriginalRect }
  | { readonly kind: 'none'; readonly reason: 'no-zoom' | 'malformed' | 'degenerate'; readonly fallback: NoBoxFallback };

export interface StageStats {
  readonly stage: Stage;
  readonly imageSize: Size;
  readonly visionTokens: number;
  readonly encoderRows: number;
  readonly encoderMs: number;
  readonly prefillTokens: number;
  readonly prefillMs: number;
  readonly decodeTokens: number;
  readonly decodeMs: number;
  readonly tokensPerSecond: number;
  readonly totalMs: number;
}

export interface LoadedModel {
  readonly modelId: string;
  readonly backend: Backend;
  readonly adapter: string | null;
  readonly dtypes: Readonly<Record<string, string>>;
  readonly threads: number;
}

export interface WorkerErrorInfo {
  readonly code: string;
  readonly message: string;
}

export type WorkerEvent =
  | { readonly type: 'progress'; readonly requestId: string; readonly file: string; readonly loaded: number; readonly total: number; readonly status: 'initiate' | 'download' | 'progress' | 'done' }
  | { readonly type: 'progress-total'; readonly requestId: string; readonly loaded: number; readonly total: number }
  | { readonly type: 'loaded'; readonly requestId: string; readonly model: LoadedModel }
  | { readonly type: 'phase'; readonly requestId: string; readonly stage: Stage; readonly phase: Phase }
  | { readonly type: 'image'; readonly requestId: string; readonly role: 'original-size' | 'coarse' | 'crop'; readonly image: RgbaImage }
  | { readonly type: 'partial'; readonly requestId: string; readonly stage: Stage; readonly text: string }
  | { readonly type: 'box'; readonly requestId: string; readonly status: BoxStatus }
  | { readonly type: 'stage-result'; readonly requestId: string; readonly stage: Stage; readonly text: string; readonly stats: StageStats }
  | {
      readonly type: 'result';
      readonly requestId: string;
      readonly answer: string;
      readonly stages: readonly StageStats[];
      /** Vision tokens stock Qwen2.5-VL would spend on the whole original (Qwen's resize at 16384 tokens). */
      readonly fullImageTokens: number;
    }
  | { readonly type: 'cancelled'; readonly requestId: string }
  | { readonly type: 'error'; readonly requestId: string; readonly error: WorkerErrorInfo };
