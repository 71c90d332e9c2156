// Long check (`npm run test:long`): real-dimension fixtures (`models:build --like`) built from the
// committed Qwen configs (GBs, in a temporary folder, never committed), then loaded by
// transformers.js on onnxruntime-node through the same config normalization the app uses.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { AutoConfig, AutoProcessor, env, PretrainedConfig, Qwen2VLForConditionalGeneration, Qwen2_5_VLForConditionalGeneration, RawImage, type Tensor } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeConfig } from '../../engines/transformers/modelConfig';
import type { Dtype } from '../tiny/layers';
import { buildLike, type LikeOptions } from './build';

const CONFIGS = join(dirname(new URL(import.meta.url).pathname), '../configs');
const real = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(CONFIGS, name), 'utf8')) as Record<string, unknown>;

/** The same config with its text fields under `text_config`, as newer exports write it. */
function nested(flat: Record<string, unknown>): Record<string, unknown> {
  const { vision_config, model_type, architectures, image_token_id, video_token_id, vision_start_token_id, vision_end_token_id, vision_token_id, ...text } = flat;
  return { architectures, model_type, image_token_id, video_token_id, vision_start_token_id, vision_end_token_id, vision_token_id, vision_config, text_config: { ...text, model_type: `${String(model_type)}_text` } };
}

const root = mkdtempSync(join(tmpdir(), 'like-fixtures-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function build(name: string, opts: Omit<LikeOptions, 'out'>): string {
  const out = join(root, name);
  buildLike({ ...opts, out });
  return out;
}

/** Loads `dir` with transformers.js in Node, its config normalized first, and greedily generates `count` tokens. */
async function generate(dir: string, dtype: Dtype, count: number): Promise<{ ids: number[]; processorIds: number[] }> {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = `${dirname(dir)}/`;
  const id = basename(dir);
  const check = normalizeConfig(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')));
  if (!check.ok) throw new Error(check.message);
  const config = await AutoConfig.from_pretrained(id, { config: new PretrainedConfig(check.config) });
  const processor = await AutoProcessor.from_pretrained(id);
  const Model = check.dims.architecture === 'qwen2_vl' ? Qwen2VLForConditionalGeneration : Qwen2_5_VLForConditionalGeneration;
  const model = await Model.from_pretrained(id, { config, dtype: { embed_tokens: dtype, vision_encoder: dtype, decoder_model_merged: dtype } });
  try {
    const text = processor.apply_chat_template([{ role: 'user', content: [{ type: 'image' }, { type: 'text', text: 'Hello world' }] }], { add_generation_prompt: true }) as string;
    const image = new RawImage(new Uint8ClampedArray(56 * 84 * 3).map((_, i) => (i * 7) % 251), 84, 56, 3);
    const inputs = await processor(text, image);
    const prompt = inputs.input_ids.dims[1]!;
    const out = (await model.generate({ ...inputs, max_new_tokens: count, do_sample: false, repetition_penalty: 1 })) as Tensor;
    return { ids: (out.tolist() as bigint[][])[0]!.slice(prompt).map(Number), processorIds: (processor.tokenizer!.encode('Hello world', { add_special_tokens: false }) as number[]) };
  } finally {
    await model.dispose();
  }
}

describe('models:build --like', () => {
  let twoB: string;
  beforeAll(() => {
    // Qwen2-VL-2B (flat config) at one layer, fp32 and fp16, every file in external data of at most 256 MiB.
    twoB = build('qwen2-vl-2b', { like: real('qwen2-vl-2b-instruct.config.json'), dtypes: ['fp32', 'fp16'], externalData: true, chunkBytes: 256 * 1024 * 1024 });
  });

  it('keeps the config flat, cut to one layer, and declares the external data chunks it wrote', () => {
    const config = JSON.parse(readFileSync(join(twoB, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(config.text_config).toBeUndefined();
    expect(config).toMatchObject({ model_type: 'qwen2_vl', hidden_size: 1536, num_hidden_layers: 1, num_attention_heads: 12, num_key_value_heads: 2, vocab_size: 151936, vision_config: { depth: 1, embed_dim: 1280 } });
    const files = readdirSync(join(twoB, 'onnx')).sort();
    // ONNX gives each tensor one file and offset, so a tensor is never split: the 933 MB fp32
    // embedding table (151936 x 1536) fills a chunk of its own, past the 256 MiB asked for, while the
    // decoder's LM head and layer weights spread over several.
    expect(files.filter((f) => f.startsWith('embed_tokens.onnx_data'))).toEqual(['embed_tokens.onnx_data']);
    const declared = (config['transformers.js_config'] as { use_external_data_format: Record<string, number> }).use_external_data_format;
    expect(declared).toMatchObject({ 'embed_tokens.onnx': 1, 'embed_tokens_fp16.onnx': 1 });
    expect(declared['decoder_model_merged.onnx']).toBeGreaterThan(1);
    for (const [file, count] of Object.entries(declared)) expect(files.filter((f) => f.startsWith(`${file}_data`))).toHaveLength(count);
    expect(JSON.parse(readFileSync(join(twoB, 'generation_config.json'), 'utf8'))).toMatchObject({ eos_token_id: [151645, 151643], repetition_penalty: 1.05 });
  });

  it("ships Qwen's real tokenizer with Qwen2.5's added tokens and Qwen2-VL's chat template", () => {
    const tokenizer = JSON.parse(readFileSync(join(twoB, 'tokenizer.json'), 'utf8')) as { added_tokens: { id: number; content: string }[]; model: { vocab: Record<string, number> } };
    expect(Object.keys(tokenizer.model.vocab)).toHaveLength(151643);
    expect(tokenizer.added_tokens.map((t) => t.id)).toEqual(Array.from({ length: 22 }, (_, i) => 151643 + i));
    expect(tokenizer.added_tokens.find((t) => t.id === 151655)?.content).toBe('<|image_pad|>');
    const config = JSON.parse(readFileSync(join(twoB, 'tokenizer_config.json'), 'utf8')) as { chat_template: string };
    expect(config.chat_template).toContain('<|vision_start|><|image_pad|><|vision_end|>');
  });

  it('loads in Node; fp16 and fp32 agree on the first tokens', async () => {
    const fp32 = await generate(twoB, 'fp32', 3);
    const fp16 = await generate(twoB, 'fp16', 3);
    expect(fp32.processorIds).toEqual([9707, 1879]);
    expect(fp32.ids).toHaveLength(3);
    expect(fp16.ids.slice(0, 2)).toEqual(fp32.ids.slice(0, 2));
  });

  it('builds Qwen2.5-VL-3B from a nested config, q4f16 only, and it loads and generates', async () => {
    const dir = build('qwen2.5-vl-3b-nested', { like: nested(real('qwen2.5-vl-3b-instruct.config.json')), dtypes: ['q4f16'] });
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(config).toMatchObject({ model_type: 'qwen2_5_vl', text_config: { num_hidden_layers: 1, hidden_size: 2048 }, vision_config: { depth: 1, fullatt_block_indexes: [] } });
    expect(config.num_hidden_layers).toBeUndefined();
    expect((await generate(dir, 'q4f16', 2)).ids).toHaveLength(2);
  });

  it('loads a flat ERGO-7B-style (Qwen2.5-VL-7B) config at 7B dimensions, which AutoConfig alone cannot', async () => {
    const dir = build('qwen2.5-vl-7b', { like: real('qwen2.5-vl-7b-instruct.config.json'), dtypes: ['q4'] });
    expect(() => new PretrainedConfig(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')))).toThrow(/model_type/);
    expect((await generate(dir, 'q4', 2)).ids).toHaveLength(2);
  });
});
