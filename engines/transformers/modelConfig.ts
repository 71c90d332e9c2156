/**
 * A Qwen-VL model's `config.json` and `generation_config.json`, read the way the engine needs them
 * and checked before any ONNX file is fetched. Pure: the loader reads the files and passes the JSON.
 *
 * Config shapes in the wild:
 * - flat: text fields at the top level, `vision_config` nested (Qwen/Qwen2-VL-*, Qwen/Qwen2.5-VL-*
 *   as first published, so most fine-tunes such as ERGO-7B);
 * - nested: text fields under `text_config` (exports made with newer `transformers`).
 * transformers.js 4.3.1 reads qwen2_5_vl's text fields only from `text_config` and qwen2_vl's only
 * from the top level, so `normalizeConfig` returns a config that has them in both places.
 *
 * Every failure names the file and the field, with a code, so a user learns what is wrong with an
 * export before a multi-GB download starts.
 */
import type { Architecture } from '../../pipeline/registry';

/** The shape of a Qwen2 decoder stack: what the loader reads from a config and the fixtures are built with. */
export interface DecoderShape {
  readonly hidden: number;
  readonly layers: number;
  readonly heads: number;
  readonly kvHeads: number;
  readonly headDim: number;
  readonly intermediate: number;
}

export interface TextDims extends DecoderShape {
  /** Rows of the embedding table and columns of the LM head (may exceed the tokenizer's ids). */
  readonly vocab: number;
  readonly ropeTheta: number;
  /** Rotary frequency pairs for (temporal, height, width) positions; sums to headDim / 2. */
  readonly mropeSection: readonly [number, number, number];
  readonly rmsEps: number;
  readonly tiedEmbeddings: boolean;
}

export interface VisionDims {
  readonly depth: number;
  /** Width of the vision transformer (`embed_dim` in qwen2_vl, `hidden_size` in qwen2_5_vl). */
  readonly width: number;
  readonly heads: number;
  readonly intermediate: number;
  /** Width of the merger's output: must equal the text hidden size. */
  readonly outHidden: number;
  readonly patch: number;
  readonly merge: number;
  readonly temporalPatch: number;
  /** qwen2_5_vl: window attention size in pixels and the blocks that attend globally; null for qwen2_vl. */
  readonly windowSize: number | null;
  readonly fullAttentionBlocks: readonly number[] | null;
}

export interface ModelDims {
  readonly architecture: Architecture;
  /** Whether the given config kept text fields at the top level (flat) or under `text_config` (nested). */
  readonly shape: 'flat' | 'nested';
  readonly text: TextDims;
  readonly vision: VisionDims;
  readonly tokens: { readonly image: number; readonly visionStart: number; readonly visionEnd: number; readonly eos: readonly number[] };
  /** Fields this loader filled in because the config left them implicit, as `field = value (why)`. */
  readonly derived: readonly string[];
}

export interface ConfigProblem {
  readonly ok: false;
  readonly code: 'bad-config' | 'unsupported-architecture' | 'config-mismatch' | 'bad-generation-config' | 'tokenizer-mismatch' | 'vocab-too-large';
  readonly message: string;
}

export type ConfigCheck = { readonly ok: true; readonly dims: ModelDims; readonly config: Record<string, unknown> } | ConfigProblem;

/**
 * Head width of every Qwen2-VL / Qwen2.5-VL vision tower (1280 wide, 16 heads). HF's vision config
 * classes default `num_heads` to 16 at width 1280, so a config without it means 80-wide heads.
 */
const VISION_HEAD_DIM = 80;

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

class Problem extends Error {
  constructor(
    readonly code: ConfigProblem['code'],
    message: string,
  ) {
    super(message);
  }
}

/** Reads fields of one JSON object, naming `file` and the field's path in every error. */
class Fields {
  constructor(
    private readonly obj: Json,
    private readonly file: string,
    private readonly prefix: string,
  ) {}

  path(key: string): string {
    return `${this.prefix}${key}`;
  }

  has(key: string): boolean {
    return this.obj[key] !== undefined && this.obj[key] !== null;
  }

  raw(key: string): unknown {
    return this.obj[key];
  }

  positiveInt(key: string): number {
    const v = this.obj[key];
    if (typeof v === 'number' && Number.isInteger(v) && v > 0) return v;
    throw new Problem('bad-config', `${this.file}: "${this.path(key)}" must be a positive integer${v === undefined ? ' and is missing' : `, not ${JSON.stringify(v)}`}`);
  }

  optionalPositiveInt(key: string): number | null {
    return this.has(key) ? this.positiveInt(key) : null;
  }

  positiveNumber(key: string, fallback?: number): number {
    const v = this.obj[key];
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v === 'number' && Number.isFinite(v) && v > 0) return v;
    throw new Problem('bad-config', `${this.file}: "${this.path(key)}" must be a positive number${v === undefined ? ' and is missing' : `, not ${JSON.stringify(v)}`}`);
  }

  tokenId(key: string): number {
    const v = this.obj[key];
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
    throw new Problem('bad-config', `${this.file}: "${this.path(key)}" must be a token id${v === undefined ? ' and is missing' : `, not ${JSON.stringify(v)}`}`);
  }
}

/** `eos_token_id` as a list (a number, a list of numbers, or absent). */
function idList(v: unknown, file: string, field: string): number[] {
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  if (!list.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0)) {
    throw new Problem(file === 'generation_config.json' ? 'bad-generation-config' : 'bad-config', `${file}: "${field}" must be a token id or a list of token ids, not ${JSON.stringify(v)}`);
  }
  return list as number[];
}

const TEXT_KEYS = [
  'hidden_size',
  'intermediate_size',
  'num_hidden_layers',
  'num_attention_heads',
  'num_key_value_heads',
  'head_dim',
  'vocab_size',
  'max_position_embeddings',
  'rms_norm_eps',
  'rope_theta',
  'rope_scaling',
  'rope_parameters',
  'hidden_act',
  'tie_word_embeddings',
  'bos_token_id',
  'eos_token_id',
  'pad_token_id',
  'sliding_window',
  'use_sliding_window',
  'max_window_layers',
  'attention_dropout',
] as const;

function mropeSection(text: Fields, headDim: number, file: string): [number, number, number] {
  const scaling = [text.raw('rope_scaling'), text.raw('rope_parameters')].find(isObject);
  const section = scaling?.mrope_section;
  const where = isObject(text.raw('rope_scaling')) ? text.path('rope_scaling.mrope_section') : text.path('rope_parameters.mrope_section');
  if (!Array.isArray(section) || section.length !== 3 || !section.every((n) => typeof n === 'number' && Number.isInteger(n) && n > 0)) {
    throw new Problem('bad-config', `${file}: "${where}" must be three positive integers (M-RoPE's temporal, height and width sections), not ${JSON.stringify(section)}`);
  }
  const sum = section.reduce((a: number, b: number) => a + b, 0);
  if (sum !== headDim / 2) {
    throw new Problem('config-mismatch', `${file}: "${where}" ${JSON.stringify(section)} sums to ${sum}, but a head of ${headDim} has ${headDim / 2} rotary pairs`);
  }
  return [section[0], section[1], section[2]];
}

function ropeTheta(text: Fields): number {
  if (text.has('rope_theta')) return text.positiveNumber('rope_theta');
  const params = text.raw('rope_parameters');
  if (isObject(params) && typeof params.rope_theta === 'number' && params.rope_theta > 0) return params.rope_theta;
  return 1_000_000;
}

/**
 * Checks a parsed `config.json` and returns its dimensions plus the config transformers.js should
 * be given (text fields at the top level and under `text_config`, implicit fields filled in).
 */
export function normalizeConfig(raw: unknown, file = 'config.json'): ConfigCheck {
  try {
    return normalizeOrThrow(raw, file);
  } catch (e) {
    if (e instanceof Problem) return { ok: false, code: e.code, message: e.message };
    throw e;
  }
}

function normalizeOrThrow(raw: unknown, file: string): ConfigCheck {
  if (!isObject(raw)) throw new Problem('bad-config', `${file} is not a JSON object`);
  const modelType = raw.model_type;
  if (typeof modelType !== 'string') throw new Problem('bad-config', `${file}: "model_type" is missing`);
  if (modelType !== 'qwen2_vl' && modelType !== 'qwen2_5_vl') {
    throw new Problem('unsupported-architecture', `${file}: "model_type" is "${modelType}"; supported: qwen2_vl (Qwen2-VL), qwen2_5_vl (Qwen2.5-VL, ERGO)`);
  }
  const architecture: Architecture = modelType;
  const nested = isObject(raw.text_config);
  const textObj: Json = nested ? { ...pick(raw), ...(raw.text_config as Json) } : raw;
  const text = new Fields(textObj, file, nested ? 'text_config.' : '');
  const derived: string[] = [];

  const hidden = text.positiveInt('hidden_size');
  const heads = text.positiveInt('num_attention_heads');
  const kvHeads = text.optionalPositiveInt('num_key_value_heads') ?? heads;
  if (!text.has('num_key_value_heads')) derived.push(`${text.path('num_key_value_heads')} = ${heads} (no grouped-query attention given)`);
  if (heads % kvHeads !== 0) throw new Problem('config-mismatch', `${file}: "${text.path('num_attention_heads')}" ${heads} is not a multiple of "${text.path('num_key_value_heads')}" ${kvHeads}`);
  let headDim = text.optionalPositiveInt('head_dim');
  if (headDim === null) {
    if (hidden % heads !== 0) throw new Problem('config-mismatch', `${file}: "${text.path('hidden_size')}" ${hidden} is not a multiple of "${text.path('num_attention_heads')}" ${heads}, and "head_dim" is not given`);
    headDim = hidden / heads;
    derived.push(`${text.path('head_dim')} = ${headDim} (hidden_size / num_attention_heads)`);
  }
  const textDims: TextDims = {
    hidden,
    layers: text.positiveInt('num_hidden_layers'),
    heads,
    kvHeads,
    headDim,
    intermediate: text.positiveInt('intermediate_size'),
    vocab: text.positiveInt('vocab_size'),
    ropeTheta: ropeTheta(text),
    mropeSection: mropeSection(text, headDim, file),
    rmsEps: text.positiveNumber('rms_norm_eps', 1e-6),
    tiedEmbeddings: (textObj.tie_word_embeddings ?? raw.tie_word_embeddings) === true,
  };

  if (!isObject(raw.vision_config)) throw new Problem('bad-config', `${file}: "vision_config" is missing`);
  const visionObj = { ...(raw.vision_config as Json) };
  const vision = new Fields(visionObj, file, 'vision_config.');
  const width = architecture === 'qwen2_vl' ? vision.positiveInt('embed_dim') : vision.positiveInt('hidden_size');
  const outHidden = architecture === 'qwen2_vl' ? vision.positiveInt('hidden_size') : vision.positiveInt('out_hidden_size');
  if (outHidden !== hidden) {
    const field = architecture === 'qwen2_vl' ? 'vision_config.hidden_size' : 'vision_config.out_hidden_size';
    throw new Problem('config-mismatch', `${file}: "${field}" ${outHidden} must equal the text "${text.path('hidden_size')}" ${hidden} (image features go into the text embeddings)`);
  }
  let visionHeads = vision.optionalPositiveInt('num_heads');
  if (visionHeads === null) {
    if (width % VISION_HEAD_DIM !== 0) throw new Problem('bad-config', `${file}: "vision_config.num_heads" is missing and the vision width ${width} is not a multiple of Qwen's ${VISION_HEAD_DIM}-wide vision heads`);
    visionHeads = width / VISION_HEAD_DIM;
    visionObj.num_heads = visionHeads;
    derived.push(`vision_config.num_heads = ${visionHeads} (width ${width} / ${VISION_HEAD_DIM}-wide heads)`);
  }
  if (width % visionHeads !== 0) throw new Problem('config-mismatch', `${file}: "vision_config.num_heads" ${visionHeads} does not divide the vision width ${width}`);
  const visionDims: VisionDims = {
    depth: vision.positiveInt('depth'),
    width,
    heads: visionHeads,
    intermediate: architecture === 'qwen2_vl' ? width * (vision.has('mlp_ratio') ? vision.positiveNumber('mlp_ratio') : 4) : vision.positiveInt('intermediate_size'),
    outHidden,
    patch: vision.has('patch_size') ? vision.positiveInt('patch_size') : 14,
    merge: vision.has('spatial_merge_size') ? vision.positiveInt('spatial_merge_size') : 2,
    temporalPatch: vision.has('temporal_patch_size') ? vision.positiveInt('temporal_patch_size') : 2,
    windowSize: architecture === 'qwen2_5_vl' ? (vision.optionalPositiveInt('window_size') ?? 112) : null,
    fullAttentionBlocks: architecture === 'qwen2_5_vl' ? intList(visionObj.fullatt_block_indexes, file, 'vision_config.fullatt_block_indexes') : null,
  };
  if (visionDims.patch !== 14 || visionDims.temporalPatch !== 2 || visionDims.merge !== 2) {
    throw new Problem('config-mismatch', `${file}: vision patch ${visionDims.patch}, temporal patch ${visionDims.temporalPatch}, merge ${visionDims.merge}: this engine builds 14x14x2 patches merged 2x2, as Qwen2-VL and Qwen2.5-VL do`);
  }

  const top = new Fields(raw, file, '');
  const tokenField = (key: string): number => (top.has(key) ? top.tokenId(key) : text.tokenId(key));
  const tokens = {
    image: tokenField('image_token_id'),
    visionStart: tokenField('vision_start_token_id'),
    visionEnd: tokenField('vision_end_token_id'),
    eos: [...new Set([...idList(raw.eos_token_id, file, 'eos_token_id'), ...(nested ? idList((raw.text_config as Json).eos_token_id, file, 'text_config.eos_token_id') : [])])],
  };
  for (const [name, id] of Object.entries({ image_token_id: tokens.image, vision_start_token_id: tokens.visionStart, vision_end_token_id: tokens.visionEnd })) {
    if (id >= textDims.vocab) throw new Problem('vocab-too-large', `${file}: "${name}" ${id} is past the embeddings' ${textDims.vocab} rows ("${text.path('vocab_size')}")`);
  }

  // Both shapes at once: transformers.js reads qwen2_vl from the top level and qwen2_5_vl from text_config.
  const textFields = Object.fromEntries(TEXT_KEYS.filter((k) => textObj[k] !== undefined).map((k) => [k, textObj[k]]));
  const textConfig = { ...(nested ? (raw.text_config as Json) : {}), ...textFields, model_type: `${architecture}_text`, head_dim: headDim, num_key_value_heads: kvHeads };
  const config: Json = { ...raw, ...textFields, head_dim: headDim, num_key_value_heads: kvHeads, text_config: textConfig, vision_config: visionObj };
  return {
    ok: true,
    dims: { architecture, shape: nested ? 'nested' : 'flat', text: textDims, vision: visionDims, tokens, derived },
    config,
  };
}

/** The top-level fields a nested config may still keep there (ids, tying), under the text config's own. */
function pick(raw: Json): Json {
  return Object.fromEntries(['tie_word_embeddings', 'bos_token_id', 'eos_token_id', 'image_token_id', 'vision_start_token_id', 'vision_end_token_id'].filter((k) => raw[k] !== undefined).map((k) => [k, raw[k]]));
}

function intList(v: unknown, file: string, field: string): number[] | null {
  if (v === undefined || v === null) return null;
  if (Array.isArray(v) && v.every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 0)) return v as number[];
  throw new Problem('bad-config', `${file}: "${field}" must be a list of block indexes, not ${JSON.stringify(v)}`);
}

/** How the engine decodes: greedy, stopping on `eosIds`, with `repetitionPenalty` (1 = off). */
export interface Generation {
  readonly eosIds: readonly number[];
  /** From generation_config.json (HF / vLLM semantics); 1 when the file has none. */
  readonly repetitionPenalty: number;
  /** Where the values came from, for the trace. */
  readonly source: 'generation_config.json' | 'defaults';
}

export type GenerationCheck = { readonly ok: true; readonly generation: Generation } | ConfigProblem;

/**
 * The decoding parameters of `generation_config.json` (null when the model has none): every eos id
 * it lists, plus the config's and `<|im_end|>`, and its repetition penalty.
 */
export function readGeneration(raw: unknown, dims: ModelDims, imEndId: number): GenerationCheck {
  const file = 'generation_config.json';
  try {
    if (raw === null) return { ok: true, generation: { eosIds: [...new Set([...dims.tokens.eos, imEndId])], repetitionPenalty: 1, source: 'defaults' } };
    if (!isObject(raw)) throw new Problem('bad-generation-config', `${file} is not a JSON object`);
    const eos = idList(raw.eos_token_id, file, 'eos_token_id');
    const penalty = raw.repetition_penalty ?? 1;
    if (typeof penalty !== 'number' || !Number.isFinite(penalty) || penalty <= 0) {
      throw new Problem('bad-generation-config', `${file}: "repetition_penalty" must be a positive number, not ${JSON.stringify(raw.repetition_penalty)}`);
    }
    for (const id of eos) {
      if (id >= dims.text.vocab) throw new Problem('vocab-too-large', `${file}: eos id ${id} is past the embeddings' ${dims.text.vocab} rows`);
    }
    return { ok: true, generation: { eosIds: [...new Set([...eos, ...dims.tokens.eos, imEndId])], repetitionPenalty: penalty, source: file } };
  } catch (e) {
    if (e instanceof Problem) return { ok: false, code: e.code, message: e.message };
    throw e;
  }
}

/** What the loaded tokenizer says about the tokens the config names. */
export interface TokenizerFacts {
  /** Id the tokenizer gives each special token (undefined: unknown to it). */
  readonly ids: Readonly<Record<'<|image_pad|>' | '<|vision_start|>' | '<|vision_end|>' | '<|im_end|>' | '<|im_start|>', number | undefined>>;
  /** Largest token id the tokenizer can produce. */
  readonly maxId: number;
}

/** Checks the tokenizer against the config: same special-token ids, every id inside the embeddings. */
export function checkTokenizer(dims: ModelDims, facts: TokenizerFacts): { readonly ok: true } | ConfigProblem {
  for (const token of ['<|im_start|>', '<|im_end|>'] as const) {
    if (facts.ids[token] === undefined) return { ok: false, code: 'tokenizer-mismatch', message: `tokenizer.json has no ${token}: this is not a Qwen chat tokenizer` };
  }
  const expected = { '<|image_pad|>': ['image_token_id', dims.tokens.image], '<|vision_start|>': ['vision_start_token_id', dims.tokens.visionStart], '<|vision_end|>': ['vision_end_token_id', dims.tokens.visionEnd] } as const;
  for (const [token, [field, id]] of Object.entries(expected) as [keyof typeof expected, (typeof expected)[keyof typeof expected]][]) {
    const got = facts.ids[token];
    if (got !== id) {
      return { ok: false, code: 'tokenizer-mismatch', message: `tokenizer.json gives ${token} ${got === undefined ? 'no id' : `id ${got}`}, but config.json "${field}" is ${id}: the tokenizer belongs to another model` };
    }
  }
  if (facts.maxId >= dims.text.vocab) {
    return { ok: false, code: 'vocab-too-large', message: `tokenizer.json has token ids up to ${facts.maxId}, but config.json "vocab_size" is ${dims.text.vocab}: the embeddings have no row for ids ${dims.text.vocab} and above` };
  }
  return { ok: true };
}
