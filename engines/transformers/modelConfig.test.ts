// config.json / generation_config.json / tokenizer checks against the real Qwen configs committed in models/configs.
import { readFileSync } from 'node:fs';
import { AutoConfig, PretrainedConfig } from '@huggingface/transformers';
import { describe, expect, it } from 'vitest';
import { checkTokenizer, normalizeConfig, readGeneration, type ModelDims } from './modelConfig';

const real = (name: string): Record<string, unknown> => JSON.parse(readFileSync(new URL(`../../models/configs/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;

/** The same config with its text fields moved under `text_config`, as newer exports write it. */
function nestedFrom(flat: Record<string, unknown>): Record<string, unknown> {
  const { vision_config, model_type, architectures, image_token_id, video_token_id, vision_start_token_id, vision_end_token_id, vision_token_id, ...text } = flat;
  return { architectures, model_type, image_token_id, video_token_id, vision_start_token_id, vision_end_token_id, vision_token_id, vision_config, text_config: { ...text, model_type: `${String(model_type)}_text` } };
}

function dimsOf(config: unknown): ModelDims {
  const check = normalizeConfig(config);
  if (!check.ok) throw new Error(check.message);
  return check.dims;
}

describe('normalizeConfig on the real configs', () => {
  it('reads Qwen2.5-VL-3B (flat) with its exact dimensions', () => {
    const dims = dimsOf(real('qwen2.5-vl-3b-instruct.config.json'));
    expect(dims).toMatchObject({ architecture: 'qwen2_5_vl', shape: 'flat', derived: ['head_dim = 128 (hidden_size / num_attention_heads)'] });
    expect(dims.text).toEqual({ hidden: 2048, layers: 36, heads: 16, kvHeads: 2, headDim: 128, intermediate: 11008, vocab: 151936, ropeTheta: 1e6, mropeSection: [16, 24, 24], rmsEps: 1e-6, tiedEmbeddings: true });
    expect(dims.vision).toEqual({ depth: 32, width: 1280, heads: 16, intermediate: 3420, outHidden: 2048, patch: 14, merge: 2, temporalPatch: 2, windowSize: 112, fullAttentionBlocks: [7, 15, 23, 31] });
    expect(dims.tokens).toEqual({ image: 151655, visionStart: 151652, visionEnd: 151653, eos: [151645] });
  });

  it('reads Qwen2-VL-2B (flat, embed_dim and mlp_ratio in its vision config)', () => {
    const dims = dimsOf(real('qwen2-vl-2b-instruct.config.json'));
    expect(dims.text).toMatchObject({ hidden: 1536, layers: 28, heads: 12, kvHeads: 2, headDim: 128, intermediate: 8960, vocab: 151936 });
    // 1280 * mlp_ratio 4 = 5120; the merger's output is vision_config.hidden_size = 1536.
    expect(dims.vision).toMatchObject({ width: 1280, heads: 16, intermediate: 5120, outHidden: 1536, windowSize: null, fullAttentionBlocks: null });
  });

  it('reads a flat ERGO-7B-style (Qwen2.5-VL-7B) config', () => {
    const dims = dimsOf(real('qwen2.5-vl-7b-instruct.config.json'));
    expect(dims.text).toMatchObject({ hidden: 3584, layers: 28, heads: 28, kvHeads: 4, headDim: 128, intermediate: 18944, vocab: 152064, tiedEmbeddings: false });
  });

  it('gives the same dimensions for the nested shape of each config', () => {
    for (const name of ['qwen2.5-vl-3b-instruct.config.json', 'qwen2-vl-2b-instruct.config.json', 'qwen2.5-vl-7b-instruct.config.json']) {
      const flat = dimsOf(real(name));
      const nested = dimsOf(nestedFrom(real(name)));
      expect(nested.shape, name).toBe('nested');
      expect({ ...nested, shape: 'flat', derived: [] }, name).toEqual({ ...flat, derived: [] });
    }
  });

  it("lets transformers.js's AutoConfig read a flat qwen2_5_vl config once normalized (it throws on the raw one)", async () => {
    const flat = real('qwen2.5-vl-7b-instruct.config.json');
    expect(() => new PretrainedConfig(flat)).toThrow(/model_type/);
    const check = normalizeConfig(flat);
    if (!check.ok) throw new Error(check.message);
    const config = await AutoConfig.from_pretrained('unused', { config: new PretrainedConfig(check.config) });
    expect(config.normalized_config).toMatchObject({ num_heads: 4, num_layers: 28, hidden_size: 3584, num_attention_heads: 28, dim_kv: 128 });
  });

  it('gives qwen2_vl its text fields at the top level when the config is nested', () => {
    const check = normalizeConfig(nestedFrom(real('qwen2-vl-2b-instruct.config.json')));
    if (!check.ok) throw new Error(check.message);
    expect(new PretrainedConfig(check.config).normalized_config).toMatchObject({ num_heads: 2, num_layers: 28, hidden_size: 1536 });
  });

  it('derives vision num_heads from the width when the config omits it', () => {
    const config = real('qwen2.5-vl-3b-instruct.config.json');
    const { num_heads: _omitted, ...vision } = config.vision_config as Record<string, unknown>;
    const check = normalizeConfig({ ...config, vision_config: vision });
    if (!check.ok) throw new Error(check.message);
    expect(check.dims.vision.heads).toBe(16);
    expect(check.dims.derived).toContain('vision_config.num_heads = 16 (width 1280 / 80-wide heads)');
    expect((check.config.vision_config as Record<string, unknown>).num_heads).toBe(16);
  });
});

describe('normalizeConfig errors name the file and field', () => {
  const base = real('qwen2.5-vl-3b-instruct.config.json');
  const cases: [string, unknown, string, RegExp][] = [
    ['not an object', [1, 2], 'bad-config', /config\.json is not a JSON object/],
    ['another architecture', { ...base, model_type: 'llava' }, 'unsupported-architecture', /"model_type" is "llava"; supported: qwen2_vl/],
    ['no model_type', { ...base, model_type: undefined }, 'bad-config', /"model_type" is missing/],
    ['a missing text field', { ...base, num_hidden_layers: undefined }, 'bad-config', /"num_hidden_layers" must be a positive integer and is missing/],
    ['a nested field of the wrong type', nestedFrom({ ...base, hidden_size: '2048' }), 'bad-config', /"text_config\.hidden_size" must be a positive integer, not "2048"/],
    ['no vision_config', { ...base, vision_config: undefined }, 'bad-config', /"vision_config" is missing/],
    ['vision output width != text width', { ...base, vision_config: { ...(base.vision_config as object), out_hidden_size: 3584 } }, 'config-mismatch', /"vision_config\.out_hidden_size" 3584 must equal the text "hidden_size" 2048/],
    ['M-RoPE sections that do not fill the head', { ...base, rope_scaling: { type: 'mrope', mrope_section: [16, 24, 16] } }, 'config-mismatch', /"rope_scaling\.mrope_section" \[16,24,16\] sums to 56, but a head of 128 has 64 rotary pairs/],
    ['heads not a multiple of KV heads', { ...base, num_key_value_heads: 3 }, 'config-mismatch', /"num_attention_heads" 16 is not a multiple of "num_key_value_heads" 3/],
    ['an image token past the embeddings', { ...base, vocab_size: 151000 }, 'vocab-too-large', /"image_token_id" 151655 is past the embeddings' 151000 rows/],
    ['a patch size this engine does not build', { ...base, vision_config: { ...(base.vision_config as object), patch_size: 16 } }, 'config-mismatch', /vision patch 16/],
  ];
  for (const [what, config, code, message] of cases) {
    it(what, () => {
      const check = normalizeConfig(config);
      expect(check.ok).toBe(false);
      if (!check.ok) {
        expect(check.code).toBe(code);
        expect(check.message).toMatch(message);
      }
    });
  }
});

describe('readGeneration', () => {
  const dims = dimsOf(real('qwen2.5-vl-3b-instruct.config.json'));

  it("stops on every eos id of Qwen's generation_config.json and takes its repetition penalty", () => {
    const check = readGeneration(real('qwen2.5-vl.generation_config.json'), dims, 151645);
    expect(check).toEqual({ ok: true, generation: { eosIds: [151645, 151643], repetitionPenalty: 1.05, source: 'generation_config.json' } });
  });

  it('without a generation_config.json: the config eos and <|im_end|>, no penalty', () => {
    expect(readGeneration(null, dims, 151645)).toEqual({ ok: true, generation: { eosIds: [151645], repetitionPenalty: 1, source: 'defaults' } });
  });

  it('rejects a bad penalty or eos id, naming the field', () => {
    expect(readGeneration({ repetition_penalty: 0 }, dims, 151645)).toMatchObject({ ok: false, code: 'bad-generation-config', message: expect.stringMatching(/"repetition_penalty" must be a positive number, not 0/) });
    expect(readGeneration({ eos_token_id: ['x'] }, dims, 151645)).toMatchObject({ ok: false, code: 'bad-generation-config', message: expect.stringMatching(/"eos_token_id"/) });
    expect(readGeneration({ eos_token_id: 160000 }, dims, 151645)).toMatchObject({ ok: false, code: 'vocab-too-large' });
  });
});

describe('checkTokenizer', () => {
  const dims = dimsOf(real('qwen2.5-vl-3b-instruct.config.json'));
  const qwen = { '<|image_pad|>': 151655, '<|vision_start|>': 151652, '<|vision_end|>': 151653, '<|im_end|>': 151645, '<|im_start|>': 151644 };

  it("accepts Qwen's tokenizer (ids up to 151664 inside 151936 rows)", () => {
    expect(checkTokenizer(dims, { ids: qwen, maxId: 151664 })).toEqual({ ok: true });
  });

  it('names a special token whose id differs from the config', () => {
    expect(checkTokenizer(dims, { ids: { ...qwen, '<|image_pad|>': 400 }, maxId: 151664 })).toMatchObject({
      ok: false,
      code: 'tokenizer-mismatch',
      message: expect.stringMatching(/tokenizer\.json gives <\|image_pad\|> id 400, but config\.json "image_token_id" is 151655/),
    });
    expect(checkTokenizer(dims, { ids: { ...qwen, '<|im_start|>': undefined }, maxId: 151664 })).toMatchObject({ ok: false, code: 'tokenizer-mismatch' });
  });

  it('rejects a vocabulary that does not fit the embeddings', () => {
    expect(checkTokenizer(dims, { ids: qwen, maxId: 151936 })).toMatchObject({ ok: false, code: 'vocab-too-large', message: expect.stringMatching(/ids up to 151936, but config\.json "vocab_size" is 151936/) });
  });
});
