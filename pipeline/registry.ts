/**
 * Every model the app can load, as data in one place. The worker resolves a load request against
 * this table (source, dtypes per device, box convention); the UI lists it.
 *
 * All entries use the ONNX layout transformers.js v4 expects for Qwen VL models:
 * `onnx/{embed_tokens,vision_encoder,decoder_model_merged}{suffix}.onnx`.
 */
import type { BoxConvention } from '../app/core/zoomRegion';
import type { LocalModelSource } from './protocol';

/** The ONNX files of a Qwen-VL export, keyed the way transformers.js names its sessions. */
export type OnnxFile = 'embed_tokens' | 'vision_encoder' | 'decoder_model_merged';
export type Dtype = 'fp32' | 'fp16' | 'q8' | 'q4' | 'q4f16';
export type DtypeMap = Readonly<Record<OnnxFile, Dtype>>;

/**
 * dtypes per device class. `webgpuF16`: WebGPU adapter with `shader-f16`; `webgpu`: without it
 * (fp16 there silently computes zeros, so only fp32-activation dtypes); `wasm`: CPU.
 * `null` means the model cannot run there (the reason is in `unsupported`).
 *
 * Within one map, `embed_tokens` and `vision_encoder` must produce the same element type: image
 * features are copied into the text embeddings on the CPU without casting. So fp16/q4f16 go
 * together, and fp32/q8/q4 (fp32 activations) go together.
 */
export interface DeviceDtypes {
  readonly webgpuF16: DtypeMap | null;
  readonly webgpu: DtypeMap | null;
  readonly wasm: DtypeMap | null;
}
export type DeviceClass = keyof DeviceDtypes;

export type { BoxConvention } from '../app/core/zoomRegion';

/** Which fine-turn text the conversation uses: the official evaluation's (default) or the official demo's. */
export type PromptProfile = 'ergo-eval' | 'ergo-demo';

export type Architecture = 'qwen2_vl' | 'qwen2_5_vl';

/**
 * Where files come from. `user` entries take the repo id or folder from the load request
 * (`LoadRequest.source`); the others carry their own.
 */
export type EntrySource = Exclude<LocalModelSource, { kind: 'files' }> | { readonly kind: 'user' } | { readonly kind: 'server' };

export interface ModelEntry {
  readonly id: string;
  readonly label: string;
  /** Expected architecture; `null` for user-supplied models (read from their config.json at load). */
  readonly architecture: Architecture | null;
  readonly source: EntrySource;
  readonly dtypes: DeviceDtypes;
  /** Why a device class is `null` in `dtypes`, shown to the user. */
  readonly unsupported: string | null;
  /** Approximate download in bytes of the fp16 (`webgpuF16`) and fp32-activation (`webgpu`/`wasm`) sets; null if unknown. */
  readonly approxBytes: { readonly f16: number; readonly f32: number } | null;
  /**
   * The embedding table's rows x width, from the model's config.json: the largest single tensor
   * (one GPU buffer must hold it). Absent where unknown before loading.
   */
  readonly embedding?: { readonly rows: number; readonly width: number };
  readonly boxConvention: BoxConvention;
  readonly promptProfile: PromptProfile;
  /** Null where the entry is no one model (a server serves a model of its own choice, with its license). */
  readonly licenseUrl: string | null;
  /** Shipped with the site under `models/<id>/`: works offline. */
  readonly builtIn: boolean;
  /** Random weights: exercises the real pipeline, but its text is noise. */
  readonly randomWeights: boolean;
  /**
   * The vision-token budget the model was trained at, when it has one: picking the model selects it,
   * and the budget control offers it beside ERGO's 640 and 1280.
   */
  readonly budget?: number;
  /**
   * The only images the model knows, when it was trained on one kind of image: shown beside it, so
   * that an answer about any other image is not taken for a reading.
   */
  readonly knows?: string;
}

const MB = 1024 ** 2;
const GB = 1024 ** 3;

/** The tiny models ship fp32 files plus `_q4` decoder and vision encoder; embed_tokens is fp32 only. */
const TINY_DTYPES: DeviceDtypes = {
  // No fp16 files exist, so an adapter with shader-f16 uses the same q4 set.
  webgpuF16: { embed_tokens: 'fp32', vision_encoder: 'q4', decoder_model_merged: 'q4' },
  // q4 here exercises the block-quantized path (MatMulNBits) that real models use on WebGPU.
  webgpu: { embed_tokens: 'fp32', vision_encoder: 'q4', decoder_model_merged: 'q4' },
  // fp32 on wasm: the reference path, exact enough to compare cached and recomputed logits tightly.
  wasm: { embed_tokens: 'fp32', vision_encoder: 'fp32', decoder_model_merged: 'fp32' },
};

/**
 * onnx-community exports carry every suffix. WebGPU with f16: q4f16 weights, fp16 embeddings.
 * Without f16: q4 (fp32 activations). wasm: q4 decoder, q8 vision encoder (the vision tower is
 * small and more sensitive to 4-bit error), fp32 embeddings.
 */
const HUB_DTYPES: DeviceDtypes = {
  webgpuF16: { embed_tokens: 'fp16', vision_encoder: 'q4f16', decoder_model_merged: 'q4f16' },
  webgpu: { embed_tokens: 'fp32', vision_encoder: 'q4', decoder_model_merged: 'q4' },
  wasm: { embed_tokens: 'fp32', vision_encoder: 'q8', decoder_model_merged: 'q4' },
};

/** 7B: a 4-bit decoder alone is ~4.5 GB, past the 4 GiB a 32-bit wasm heap can address. */
const SEVEN_B_DTYPES: DeviceDtypes = { webgpuF16: HUB_DTYPES.webgpuF16, webgpu: HUB_DTYPES.webgpu, wasm: null };

/** A built-in tiny model (generated by models/build.ts, served under `models/<id>/`): random weights. */
function tinyEntry(id: string, label: string, architecture: Architecture, boxConvention: BoxConvention): ModelEntry {
  return {
    id,
    label,
    architecture,
    source: { kind: 'site', path: id },
    dtypes: TINY_DTYPES,
    unsupported: null,
    approxBytes: { f16: 0.25 * MB, f32: 0.83 * MB },
    boxConvention,
    promptProfile: 'ergo-eval',
    licenseUrl: 'https://www.apache.org/licenses/LICENSE-2.0',
    builtIn: true,
    randomWeights: true,
  };
}

/** What distinguishes one public onnx-community export from another. */
interface HubModel {
  readonly id: string;
  readonly label: string;
  readonly architecture: Architecture;
  readonly repo: string;
  readonly approxBytes: NonNullable<ModelEntry['approxBytes']>;
  readonly embedding: NonNullable<ModelEntry['embedding']>;
  readonly licenseUrl: string;
}

/** A public onnx-community export: every dtype on the Hub, the box convention of its architecture. */
function hubEntry(m: HubModel): ModelEntry {
  return {
    id: m.id,
    label: m.label,
    architecture: m.architecture,
    source: { kind: 'hub', repo: m.repo },
    dtypes: HUB_DTYPES,
    unsupported: null,
    approxBytes: m.approxBytes,
    embedding: m.embedding,
    boxConvention: m.architecture === 'qwen2_vl' ? 'norm1000' : 'pixels-coarse',
    promptProfile: 'ergo-eval',
    licenseUrl: m.licenseUrl,
    builtIn: false,
    randomWeights: false,
  };
}

/** Plain fp32 files on every device: the trained tiny policy is small, and 4-bit weights would cost it accuracy. */
const FP32_DTYPES: DeviceDtypes = {
  webgpuF16: { embed_tokens: 'fp32', vision_encoder: 'fp32', decoder_model_merged: 'fp32' },
  webgpu: { embed_tokens: 'fp32', vision_encoder: 'fp32', decoder_model_merged: 'fp32' },
  wasm: { embed_tokens: 'fp32', vision_encoder: 'fp32', decoder_model_merged: 'fp32' },
};

/**
 * The built-in policy trained by this project (models/policy/): it does ERGO for real on the
 * generated scenes (app/scenes/), at the 64-token budget it was trained at, and on nothing else.
 */
const ERGO_TINY: ModelEntry = {
  id: 'ergo-tiny',
  label: 'ERGO tiny (built in): trained on synthetic scenes; answers questions about them',
  architecture: 'qwen2_5_vl',
  source: { kind: 'site', path: 'ergo-tiny' },
  dtypes: FP32_DTYPES,
  unsupported: null,
  approxBytes: { f16: 4.5 * MB, f32: 4.5 * MB },
  boxConvention: 'pixels-coarse',
  promptProfile: 'ergo-eval',
  licenseUrl: 'https://www.apache.org/licenses/LICENSE-2.0',
  builtIn: true,
  randomWeights: false,
  budget: 64,
  knows: 'It knows only the tagged-shape scenes (the "Tagged shapes" samples); about any other image its answer is noise.',
};

export const MODEL_REGISTRY: readonly ModelEntry[] = [
  {
    // Any OpenAI-compatible server (vLLM serving nota-ai/ERGO-7B, or npm run serve): the load
    // request carries its endpoint, model name and key (ServerSource); engines/openai runs it.
    id: 'server',
    label: 'Server (OpenAI-compatible)',
    architecture: null,
    source: { kind: 'server' },
    // Nothing is downloaded or run in this browser: the server holds the weights and runs them.
    dtypes: { webgpuF16: null, webgpu: null, wasm: null },
    unsupported: 'the model runs on the server; this browser downloads and runs nothing of it',
    approxBytes: null,
    // ERGO's (and most models'); the served model's name decides at load (boxConventionForServedModel).
    boxConvention: 'pixels-coarse',
    promptProfile: 'ergo-eval',
    // Whatever model the server serves, under that model's own license.
    licenseUrl: null,
    builtIn: false,
    randomWeights: false,
  },
  tinyEntry('tiny-random-qwen2_5_vl', 'Tiny Qwen2.5-VL (random weights, built in)', 'qwen2_5_vl', 'pixels-coarse'),
  tinyEntry('tiny-random-qwen2_vl', 'Tiny Qwen2-VL (random weights, built in)', 'qwen2_vl', 'norm1000'),
  ERGO_TINY,
  {
    // models/scripted/: a decoder that writes a fixed reply per turn (the first names a box), so
    // the parsed-box path runs on real model output. fp32 files only.
    ...tinyEntry('tiny-scripted-qwen2_5_vl', 'Tiny scripted Qwen2.5-VL (always names the same box, built in)', 'qwen2_5_vl', 'pixels-coarse'),
    dtypes: { webgpuF16: TINY_DTYPES.wasm, webgpu: TINY_DTYPES.wasm, wasm: TINY_DTYPES.wasm },
    approxBytes: { f16: 0.5 * MB, f32: 0.5 * MB },
  },
  // ERGO's own architecture (Qwen2.5-VL, pixel-coordinate boxes) at 3B: the best browser model
  // until an ERGO export exists. Config: flat in Qwen's repo (36 layers, hidden 2048, 16/2 heads,
  // tied 151936-row embeddings); the loader normalizes either shape. Sizes are estimates: the
  // q4f16 set is reported at about 2.5 GB; the fp32-activation set adds fp32 embeddings
  // (151936 x 2048 x 4 B = 1.24 GB instead of 0.62 GB). Before downloading, the loader reads the
  // configs and the real file sizes, and the device check compares them with this device.
  // Qwen Research License (not Apache-2.0 like the 2B and 7B models): research use.
  hubEntry({
    id: 'qwen2.5-vl-3b-instruct',
    label: 'Qwen2.5-VL 3B Instruct (recommended, Hub download)',
    architecture: 'qwen2_5_vl',
    repo: 'onnx-community/Qwen2.5-VL-3B-Instruct-ONNX',
    approxBytes: { f16: 2.5 * GB, f32: 3.4 * GB },
    embedding: { rows: 151936, width: 2048 },
    licenseUrl: 'https://huggingface.co/Qwen/Qwen2.5-VL-3B-Instruct/blob/main/LICENSE',
  }),
  // The smallest public Qwen-VL export in the layout above. Sizes: the q4f16 set is about 2.7 GB;
  // the fp32-activation set adds fp32 embeddings (151936 x 1536 x 4 B = 0.9 GB instead of 0.45 GB).
  hubEntry({
    id: 'qwen2-vl-2b-instruct',
    label: 'Qwen2-VL 2B Instruct (Hub download)',
    architecture: 'qwen2_vl',
    repo: 'onnx-community/Qwen2-VL-2B-Instruct',
    approxBytes: { f16: 2.7 * GB, f32: 3.2 * GB },
    embedding: { rows: 151936, width: 1536 },
    licenseUrl: 'https://huggingface.co/Qwen/Qwen2-VL-2B-Instruct/blob/main/LICENSE',
  }),
  {
    // No public ONNX export of nota-ai/ERGO-7B exists: the user exports it (same layout) and names the repo.
    id: 'ergo-7b',
    label: 'ERGO-7B (your own ONNX export on the Hub)',
    architecture: 'qwen2_5_vl',
    source: { kind: 'user' },
    dtypes: SEVEN_B_DTYPES,
    unsupported: 'a 7B model does not fit the 4 GiB wasm heap; use WebGPU',
    // 7.6B decoder at ~4.5 bits + 0.67B vision tower; fp16 vs fp32 embeddings (152064 x 3584).
    approxBytes: { f16: 5.5 * GB, f32: 6.6 * GB },
    embedding: { rows: 152064, width: 3584 },
    boxConvention: 'pixels-coarse',
    promptProfile: 'ergo-eval',
    licenseUrl: 'https://huggingface.co/nota-ai/ERGO-7B',
    builtIn: false,
    randomWeights: false,
  },
  {
    id: 'custom',
    label: 'Custom: a Hub repo id or a local folder (Qwen2-VL / Qwen2.5-VL ONNX export)',
    architecture: null,
    source: { kind: 'user' },
    dtypes: HUB_DTYPES,
    unsupported: null,
    approxBytes: null,
    // Read from the config at load: norm1000 for qwen2_vl, pixels for qwen2_5_vl (see `boxConventionFor`).
    boxConvention: 'pixels-coarse',
    promptProfile: 'ergo-eval',
    licenseUrl: 'https://huggingface.co/docs/hub/repositories-licenses',
    builtIn: false,
    randomWeights: false,
  },
];

/** The registry entry with this id, or undefined. */
export function findModel(id: string): ModelEntry | undefined {
  return MODEL_REGISTRY.find((m) => m.id === id);
}

/**
 * The box convention to parse a model's coarse output with: the entry's, except for user-supplied
 * models, whose convention follows the architecture read from their config.
 */
export function boxConventionFor(entry: ModelEntry, architecture: Architecture): BoxConvention {
  if (entry.architecture !== null) return entry.boxConvention;
  return architecture === 'qwen2_vl' ? 'norm1000' : 'pixels-coarse';
}

/**
 * The box convention of a model a server serves, from its served name: Qwen2-VL and Qwen3-VL
 * write 0-1000 normalized boxes; ERGO, Qwen2.5-VL and anything else, pixels of the coarse image.
 */
export function boxConventionForServedModel(name: string): BoxConvention {
  return /qwen2[-_]?vl|qwen3[-_.\d]*vl/i.test(name) ? 'norm1000' : 'pixels-coarse';
}
