/**
 * A Hub-layout model with exactly the dimensions of a real Qwen2-VL / Qwen2.5-VL `config.json`
 * (hidden size, heads, KV heads, head size, intermediate size, vocabulary, vision width and heads,
 * patch and merge sizes, M-RoPE sections and base), cut to a few layers, with random weights, in
 * every precision the registry can ask for. It proves the real loading path (config shape, dtypes,
 * external data, tokenizer, generation config) before anyone downloads the real weights.
 *
 * Simplifications, which change no shape the app sees: vision blocks use windows of
 * `(window_size / patch)^2` patches (64) in both architectures, with a gated MLP of the config's
 * width, and RMSNorm everywhere.
 */
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { normalizeConfig, type ModelDims } from '../../engines/transformers/modelConfig';
import type { GraphBuilder } from '../onnx/graph';
import { decoderGraph, embedTokensGraph, type TextSpec } from '../tiny/decoder';
import { json, preprocessorConfig } from '../tiny/files';
import type { Dtype } from '../tiny/layers';
import { visionEncoderGraph, type VisionSpec } from '../tiny/vision';
import { qwenVlTokenizer } from './tokenizer';

export type GraphName = 'embed_tokens' | 'vision_encoder' | 'decoder_model_merged';

export const ALL_DTYPES: readonly Dtype[] = ['fp32', 'fp16', 'q8', 'q4', 'q4f16'];
export const SUFFIX: Readonly<Record<Dtype, string>> = { fp32: '', fp16: '_fp16', q8: '_quantized', q4: '_q4', q4f16: '_q4f16' };

/** Protobuf cannot hold a message past 2 GiB: files whose weights pass this go to external data. */
const INLINE_LIMIT = 1.8e9;
/** Chunk size of external data (transformers.js' guidance: at most about 1.9 GB per chunk). */
export const DEFAULT_CHUNK_BYTES = 1.9e9;

const CONFIGS_DIR = join(dirname(fileURLToPath(import.meta.url)), '../configs');

export interface LikeOptions {
  /** A real config.json (flat or nested). */
  readonly like: Record<string, unknown>;
  readonly out: string;
  readonly layers?: number;
  readonly visionBlocks?: number;
  /** Precisions to write: the same for every file, or per file (as a device's dtype map asks for them). */
  readonly dtypes?: readonly Dtype[] | Readonly<Record<GraphName, readonly Dtype[]>>;
  /** Put every file's weights in external data, not only files past 2 GB. */
  readonly externalData?: boolean;
  readonly chunkBytes?: number;
  /** generation_config.json to ship; default: Qwen's, as published with these models. */
  readonly generationConfig?: Record<string, unknown>;
  readonly seed?: number;
}

export interface LikeResult {
  readonly dims: ModelDims;
  /** Every file written, relative to `out`, with its size. */
  readonly files: readonly { readonly path: string; readonly bytes: number }[];
}

/** Qwen's published generation_config.json for the architecture (committed in models/configs). */
export function qwenGenerationConfig(architecture: ModelDims['architecture']): Record<string, unknown> {
  const name = architecture === 'qwen2_vl' ? 'qwen2-vl-2b-instruct.generation_config.json' : 'qwen2.5-vl.generation_config.json';
  return JSON.parse(readFileSync(join(CONFIGS_DIR, name), 'utf8')) as Record<string, unknown>;
}

export function buildLike(opts: LikeOptions): LikeResult {
  const check = normalizeConfig(opts.like);
  if (!check.ok) throw new Error(`${check.code}: ${check.message}`);
  const dims = check.dims;
  const layers = opts.layers ?? 1;
  const blocks = opts.visionBlocks ?? 1;
  const seed = opts.seed ?? 2509;
  const dtypes = opts.dtypes ?? ALL_DTYPES;
  const eos = new Set([151643, 151645, ...dims.tokens.eos]);
  const firstSpecial = 151643;
  const suppressedTokens: number[] = [];
  // A trained model never writes markup tokens or the embedding rows past the tokenizer; random weights would.
  for (let id = firstSpecial; id < dims.text.vocab; id++) if (!eos.has(id)) suppressedTokens.push(id);
  const text: TextSpec = {
    vocabSize: dims.text.vocab,
    hidden: dims.text.hidden,
    layers,
    heads: dims.text.heads,
    kvHeads: dims.text.kvHeads,
    headDim: dims.text.headDim,
    intermediate: dims.text.intermediate,
    mropeSection: dims.text.mropeSection,
    suppressedTokens,
    ropeTheta: dims.text.ropeTheta,
    trimLogits: true,
  };
  const windowSide = (dims.vision.windowSize ?? 112) / dims.vision.patch;
  const vision: VisionSpec = {
    gridInput: dims.architecture === 'qwen2_vl' ? 'grid_thw' : 'image_grid_thw',
    hidden: dims.vision.width,
    heads: dims.vision.heads,
    window: windowSide * windowSide,
    outHidden: dims.vision.outHidden,
    depth: blocks,
    intermediate: dims.vision.intermediate,
  };

  const written: { path: string; bytes: number }[] = [];
  const write = (path: string, parts: readonly Uint8Array[]): void => {
    const target = join(opts.out, path);
    mkdirSync(dirname(target), { recursive: true });
    const fd = openSync(target, 'w');
    let bytes = 0;
    try {
      for (const part of parts) bytes += writeSync(fd, part);
    } finally {
      closeSync(fd);
    }
    written.push({ path, bytes });
  };

  const chunks: Record<string, number> = {};
  const graphs: [GraphName, (dtype: Dtype) => GraphBuilder][] = [
    ['embed_tokens', (d) => embedTokensGraph(text, seed, d)],
    ['vision_encoder', (d) => visionEncoderGraph(vision, seed, d)],
    ['decoder_model_merged', (d) => decoderGraph(text, seed, d)],
  ];
  for (const [name, graphOf] of graphs) {
    for (const dtype of isDtypeList(dtypes) ? dtypes : dtypes[name]) {
      const file = `${name}${SUFFIX[dtype]}.onnx`;
      const g = graphOf(dtype);
      const external = opts.externalData === true || g.initializerBytes() > INLINE_LIMIT;
      const out = g.serializeWith(external ? { baseName: file, chunkBytes: opts.chunkBytes ?? DEFAULT_CHUNK_BYTES, threshold: 1024 } : null);
      write(`onnx/${file}`, [out.model]);
      for (const chunk of out.chunks) write(`onnx/${chunk.name}`, chunk.parts);
      if (out.chunks.length > 0) chunks[file] = out.chunks.length;
    }
  }

  const config = cutConfig(opts.like, dims, layers, blocks);
  config['transformers.js_config'] = { ...(config['transformers.js_config'] as object | undefined), ...(Object.keys(chunks).length > 0 ? { use_external_data_format: chunks } : {}) };
  config.ergo_lens = { random_weights: true, note: `Generated by npm run models:build --like with random weights (${layers} of ${dims.text.layers} layers, ${blocks} of ${dims.vision.depth} vision blocks): its text is noise.` };
  const tokenizer = qwenVlTokenizer();
  const small: [string, unknown][] = [
    ['config.json', config],
    ['generation_config.json', opts.generationConfig ?? qwenGenerationConfig(dims.architecture)],
    ['preprocessor_config.json', preprocessorConfig(dims.architecture)],
    ['tokenizer.json', tokenizer.tokenizerJson],
    ['tokenizer_config.json', tokenizer.tokenizerConfig],
  ];
  for (const [path, value] of small) {
    mkdirSync(opts.out, { recursive: true });
    const bytes = json(value);
    writeFileSync(join(opts.out, path), bytes);
    written.push({ path, bytes: bytes.length });
  }
  return { dims, files: written };
}

function isDtypeList(dtypes: NonNullable<LikeOptions['dtypes']>): dtypes is readonly Dtype[] {
  return Array.isArray(dtypes);
}

/** The given config in its own shape (flat or nested), with the layer and block counts cut. */
function cutConfig(raw: Record<string, unknown>, dims: ModelDims, layers: number, blocks: number): Record<string, unknown> {
  const config = structuredClone(raw);
  const text = dims.shape === 'nested' ? (config.text_config as Record<string, unknown>) : config;
  text.num_hidden_layers = layers;
  if (typeof text.max_window_layers === 'number') text.max_window_layers = Math.min(text.max_window_layers, layers);
  const vision = config.vision_config as Record<string, unknown>;
  vision.depth = blocks;
  if (Array.isArray(vision.fullatt_block_indexes)) vision.fullatt_block_indexes = (vision.fullatt_block_indexes as number[]).filter((i) => i < blocks);
  return config;
}
