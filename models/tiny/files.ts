/**
 * Every file of one tiny model, in the layout of the Hub's ONNX exports of Qwen VL models:
 * configs, tokenizer, and `onnx/{embed_tokens,vision_encoder,decoder_model_merged}{,_q4}.onnx`.
 */
import { buildDecoder, buildEmbedTokens, type TextSpec } from './decoder';
import type { TinyModelSpec } from './spec';
import { buildTokenizer, QWEN_VL_CHAT_TEMPLATE, SPECIAL_TOKENS, type TinyTokenizer } from './tokenizer';
import { buildVisionEncoder, type VisionSpec } from './vision';

export const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value, null, 2) + '\n');

/** Image statistics of Qwen2-VL's processor (CLIP's). */
const IMAGE_MEAN = [0.48145466, 0.4578275, 0.40821073];
const IMAGE_STD = [0.26862954, 0.26130258, 0.27577711];

/** Qwen2-VL's image processor settings, as the Hub exports ship them. */
export function preprocessorConfig(modelType: 'qwen2_vl' | 'qwen2_5_vl'): object {
  return {
    processor_class: modelType === 'qwen2_5_vl' ? 'Qwen2_5_VLProcessor' : 'Qwen2VLProcessor',
    image_processor_type: 'Qwen2VLImageProcessor',
    do_resize: true,
    do_rescale: true,
    rescale_factor: 1 / 255,
    do_normalize: true,
    do_convert_rgb: true,
    image_mean: IMAGE_MEAN,
    image_std: IMAGE_STD,
    min_pixels: 3136,
    max_pixels: 16384 * 28 * 28,
    patch_size: 14,
    temporal_patch_size: 2,
    merge_size: 2,
    resample: 3,
  };
}

/** What the config files describe: architecture, sizes, and a note on where the weights come from. */
export interface ModelDescription {
  readonly modelType: TinyModelSpec['modelType'];
  readonly text: Omit<TextSpec, 'vocabSize' | 'suppressedTokens'>;
  readonly vision: VisionSpec;
  readonly note: { readonly random_weights: boolean; readonly note: string };
}

/** The text spec with the tokenizer's vocabulary and the special tokens a model must never write. */
export function textSpecFor(text: ModelDescription['text'], tokenizer: TinyTokenizer): TextSpec {
  const ids = tokenizer.specialIds;
  const endMarkers: readonly string[] = ['<|im_end|>', '<|endoftext|>'];
  const suppressedTokens = SPECIAL_TOKENS.filter((t) => !endMarkers.includes(t)).map((t) => ids[t]);
  return { ...text, vocabSize: tokenizer.vocabSize, suppressedTokens };
}

/** config.json, generation_config.json, preprocessor_config.json and the tokenizer files of a model. */
export function configFiles(model: ModelDescription, tokenizer: TinyTokenizer): Map<string, Uint8Array> {
  const spec = model;
  const ids = tokenizer.specialIds;
  const text = textSpecFor(model.text, tokenizer);
  const textConfig = {
    hidden_size: text.hidden,
    intermediate_size: text.intermediate,
    num_hidden_layers: text.layers,
    num_attention_heads: text.heads,
    num_key_value_heads: text.kvHeads,
    head_dim: text.headDim,
    vocab_size: text.vocabSize,
    max_position_embeddings: 32768,
    rms_norm_eps: 1e-6,
    rope_theta: 1000000,
    rope_scaling: { type: 'mrope', mrope_section: [...text.mropeSection] },
    hidden_act: 'silu',
    bos_token_id: ids['<|endoftext|>'],
    eos_token_id: ids['<|im_end|>'],
  };
  // Each architecture's own vision_config shape: qwen2_vl names the tower's width `embed_dim` and
  // the merger's output `hidden_size`; qwen2_5_vl names them `hidden_size` and `out_hidden_size`.
  const widths =
    spec.modelType === 'qwen2_vl'
      ? { embed_dim: spec.vision.hidden, hidden_size: spec.vision.outHidden, mlp_ratio: 2 }
      : { hidden_size: spec.vision.hidden, out_hidden_size: spec.vision.outHidden, intermediate_size: 2 * spec.vision.hidden };
  const visionConfig = {
    depth: spec.vision.depth ?? 1,
    ...widths,
    num_heads: spec.vision.heads,
    in_chans: 3,
    patch_size: 14,
    spatial_merge_size: 2,
    temporal_patch_size: 2,
    window_patches: spec.vision.window,
    ...(spec.vision.rowColumn ? { row_column_embeddings: spec.vision.rowColumn } : {}),
  };
  const architecture = spec.modelType === 'qwen2_5_vl' ? 'Qwen2_5_VLForConditionalGeneration' : 'Qwen2VLForConditionalGeneration';
  const config = {
    architectures: [architecture],
    model_type: spec.modelType,
    // qwen2_5_vl reads layer and head counts from text_config; qwen2_vl from the top level.
    ...(spec.modelType === 'qwen2_5_vl' ? { text_config: { model_type: 'qwen2_5_vl_text', ...textConfig } } : textConfig),
    vision_config: visionConfig,
    image_token_id: ids['<|image_pad|>'],
    video_token_id: ids['<|video_pad|>'],
    vision_start_token_id: ids['<|vision_start|>'],
    vision_end_token_id: ids['<|vision_end|>'],
    bos_token_id: ids['<|endoftext|>'],
    eos_token_id: ids['<|im_end|>'],
    tie_word_embeddings: false,
    'transformers.js_config': { dtype: 'fp32' },
    ergo_lens: model.note,
  };
  const addedTokensDecoder = Object.fromEntries(
    SPECIAL_TOKENS.map((content) => [String(ids[content]), { content, lstrip: false, normalized: false, rstrip: false, single_word: false, special: true }]),
  );
  const files = new Map<string, Uint8Array>([
    ['config.json', json(config)],
    [
      'generation_config.json',
      json({ bos_token_id: ids['<|endoftext|>'], eos_token_id: [ids['<|im_end|>'], ids['<|endoftext|>']], pad_token_id: ids['<|endoftext|>'], do_sample: false }),
    ],
    ['preprocessor_config.json', json(preprocessorConfig(spec.modelType))],
    ['tokenizer.json', json(tokenizer.tokenizerJson)],
    [
      'tokenizer_config.json',
      json({
        add_prefix_space: false,
        added_tokens_decoder: addedTokensDecoder,
        additional_special_tokens: SPECIAL_TOKENS.slice(1),
        bos_token: null,
        chat_template: QWEN_VL_CHAT_TEMPLATE,
        clean_up_tokenization_spaces: false,
        eos_token: '<|im_end|>',
        errors: 'replace',
        model_max_length: 32768,
        pad_token: '<|endoftext|>',
        split_special_tokens: false,
        tokenizer_class: 'Qwen2Tokenizer',
        unk_token: null,
      }),
    ],
  ]);
  return files;
}

export function tinyModelFiles(spec: TinyModelSpec): Map<string, Uint8Array> {
  const tokenizer = buildTokenizer(spec.merges);
  const note = { random_weights: true, note: 'Generated by models/build.ts with random weights: its text is noise.' };
  const files = configFiles({ ...spec, note }, tokenizer);
  const text = textSpecFor(spec.text, tokenizer);
  files.set('onnx/embed_tokens.onnx', buildEmbedTokens(text, spec.seed));
  for (const q4 of [false, true]) {
    const suffix = q4 ? '_q4' : '';
    files.set(`onnx/vision_encoder${suffix}.onnx`, buildVisionEncoder(spec.vision, spec.seed, q4));
    files.set(`onnx/decoder_model_merged${suffix}.onnx`, buildDecoder(text, spec.seed, q4));
  }
  return files;
}
