// The built-in tiny models through transformers.js' own loaders on onnxruntime-node: they load,
// generate deterministically, keep a real KV cache, see their images, and take two images at once.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import {
  AutoProcessor,
  env,
  Qwen2_5_VLForConditionalGeneration,
  Qwen2VLForConditionalGeneration,
  RawImage,
  Tensor,
  cat,
  DynamicCache,
} from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeConfig } from '../engines/transformers/modelConfig';
import { DEFAULT_MODELS_DIR, writeTinyModels } from './build';

env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = DEFAULT_MODELS_DIR + '/';

type VlModel = Qwen2VLForConditionalGeneration;
type Processor = Awaited<ReturnType<typeof AutoProcessor.from_pretrained>>;
/** `get_rope_index` as transformers.js implements it: with no video, `video_grid_thw` is null. */
interface RopeIndex {
  get_rope_index(input_ids: Tensor, image_grid_thw: Tensor, video_grid_thw: Tensor | null, attention_mask: Tensor): [Tensor, Tensor];
}
const ropeIndex = (model: RopeIndex): RopeIndex => model;

const MODELS = [
  { id: 'tiny-random-qwen2_5_vl', Model: Qwen2_5_VLForConditionalGeneration },
  { id: 'tiny-random-qwen2_vl', Model: Qwen2VLForConditionalGeneration },
] as const;

const FP32 = { embed_tokens: 'fp32', vision_encoder: 'fp32', decoder_model_merged: 'fp32' } as const;
const Q4 = { embed_tokens: 'fp32', vision_encoder: 'q4', decoder_model_merged: 'q4' } as const;

/** A deterministic RGB test pattern (sides multiples of 28, as the app hands images over). */
function pattern(width: number, height: number, salt = 0): RawImage {
  const data = new Uint8ClampedArray(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37 + salt * 101 + ((i / 3) % width) * 5) % 256;
  return new RawImage(data, width, height, 3);
}

const QUESTION = 'What is the color of the small sign?';

async function promptInputs(processor: Processor, image: RawImage) {
  const text = processor.apply_chat_template([{ role: 'user', content: [{ type: 'image' }, { type: 'text', text: QUESTION }] }], {
    add_generation_prompt: true,
  }) as string;
  return processor(text, image);
}

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

describe('the generator', () => {
  it('reproduces the committed model files byte for byte', () => {
    const out = mkdtempSync(join(tmpdir(), 'tiny-models-'));
    try {
      writeTinyModels(out);
      const fresh = listFiles(out).map((p) => relative(out, p)).sort();
      const committed = readdirSync(out).flatMap((id) => listFiles(join(DEFAULT_MODELS_DIR, id))).map((p) => relative(DEFAULT_MODELS_DIR, p)).sort();
      expect(fresh).toEqual(committed);
      for (const path of fresh) expect(Buffer.compare(readFileSync(join(out, path)), readFileSync(join(DEFAULT_MODELS_DIR, path))), path).toBe(0);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('keeps every model under 8 MB of ONNX files', () => {
    for (const { id } of MODELS) {
      const bytes = listFiles(join(DEFAULT_MODELS_DIR, id, 'onnx')).reduce((n, p) => n + statSync(p).size, 0);
      expect(bytes, id).toBeLessThan(8 * 1024 * 1024);
    }
  });
});

for (const { id, Model } of MODELS) {
  describe(id, () => {
    let processor: Processor;
    let model: VlModel;
    let quantized: VlModel;

    beforeAll(async () => {
      processor = await AutoProcessor.from_pretrained(id);
      model = (await Model.from_pretrained(id, { dtype: FP32 })) as VlModel;
      quantized = (await Model.from_pretrained(id, { dtype: Q4 })) as VlModel;
    });
    afterAll(async () => {
      await model?.dispose();
      await quantized?.dispose();
    });

    it('loads with the stock processor and generates the same tokens every time', async () => {
      const inputs = await promptInputs(processor, pattern(112, 84));
      // 112x84 -> grid 1 x 6 x 8 patches -> 48 patches -> 12 image tokens
      expect(inputs.image_grid_thw.tolist()).toEqual([[1n, 6n, 8n]]);
      const run = async () => ((await model.generate({ ...inputs, max_new_tokens: 16, do_sample: false })) as Tensor).tolist();
      const first = await run();
      expect(first[0]!.length).toBeGreaterThan(inputs.input_ids.dims[1]!);
      expect(await run()).toEqual(first);
    });

    it('keeps a real cache: token-by-token logits equal one full pass within 1e-4', async () => {
      const inputs = await promptInputs(processor, pattern(84, 56));
      const ids = inputs.input_ids as Tensor;
      const length = ids.dims[1]!;
      const [positions] = ropeIndex(model).get_rope_index(ids, inputs.image_grid_thw, null, inputs.attention_mask);
      const full = (await model({ ...inputs, position_ids: positions })) as { logits: Tensor };
      const split = length - 4;
      // The raw forward returns `present.*`; the next step reads them back as `past_key_values.*`.
      const asCache = (out: Record<string, Tensor>) =>
        new DynamicCache(Object.fromEntries(Object.entries(out).filter(([k]) => k.startsWith('present.')).map(([k, v]) => [k.replace('present.', 'past_key_values.'), v])));
      let step = (await model({
        input_ids: ids.slice(null, [0, split]),
        attention_mask: inputs.attention_mask.slice(null, [0, split]),
        position_ids: positions.slice(null, null, [0, split]),
        pixel_values: inputs.pixel_values,
        image_grid_thw: inputs.image_grid_thw,
      })) as Record<string, Tensor>;
      let maxDiff = 0;
      for (let t = split; t < length; t++) {
        step = (await model({
          input_ids: ids.slice(null, [t, t + 1]),
          attention_mask: inputs.attention_mask.slice(null, [0, t + 1]),
          position_ids: positions.slice(null, null, [t, t + 1]),
          past_key_values: asCache(step),
        })) as Record<string, Tensor>;
        const incremental = step.logits!.data as Float32Array;
        const reference = (full.logits.slice(null, [t, t + 1]).data as Float32Array);
        for (let i = 0; i < reference.length; i++) maxDiff = Math.max(maxDiff, Math.abs(incremental[i]! - reference[i]!));
      }
      expect(maxDiff).toBeLessThan(1e-4);
    });

    it('changing one image pixel or one early token changes later logits', async () => {
      const base = pattern(84, 56);
      const lastLogits = async (image: RawImage, edit?: (ids: BigInt64Array) => void) => {
        const inputs = await promptInputs(processor, image);
        if (edit) edit(inputs.input_ids.data as BigInt64Array);
        const out = (await model(inputs)) as { logits: Tensor };
        const n = out.logits.dims[1]!;
        return Array.from(out.logits.slice(null, [n - 1, n]).data as Float32Array);
      };
      const reference = await lastLogits(base);
      const changed = new RawImage(Uint8ClampedArray.from(base.data), base.width, base.height, 3);
      changed.data[3 * (20 * 84 + 40)] = (changed.data[3 * (20 * 84 + 40)]! + 128) % 256;
      const byPixel = await lastLogits(changed);
      // Token 3 is part of "system" in the template's default system turn: replace it by another text token.
      const byToken = await lastLogits(base, (ids) => {
        ids[3] = ids[3] === 65n ? 66n : 65n;
      });
      const distance = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));
      expect(distance(reference, byPixel)).toBeGreaterThan(1e-4);
      expect(distance(reference, byToken)).toBeGreaterThan(1e-4);
    });

    it('runs a sequence with two images of different sizes, positions over both grids', async () => {
      const images = [pattern(112, 84, 1), pattern(56, 140, 2)];
      const encoded = await Promise.all(images.map((im) => processor.image_processor!(im)));
      const grids = encoded.map((e) => e.image_grid_thw as Tensor);
      const tokensPerImage = grids.map((g) => Number((g.data as BigInt64Array).reduce((a, b) => a * b, 1n)) / 4); // [12, 10]
      expect(tokensPerImage).toEqual([12, 10]);
      const slot = (n: number) => `<|vision_start|>${'<|image_pad|>'.repeat(n)}<|vision_end|>`;
      const text = `<|im_start|>user\n${slot(tokensPerImage[0]!)}first ${slot(tokensPerImage[1]!)}second<|im_end|>\n<|im_start|>assistant\n`;
      const textInputs = processor.tokenizer!(text);
      const pixelValues = cat(encoded.map((e) => e.pixel_values as Tensor), 0);
      const grid = cat(grids, 0);
      expect(pixelValues.dims).toEqual([48 + 40, 1176]);
      const [positions] = ropeIndex(model).get_rope_index(textInputs.input_ids, grid, null, textInputs.attention_mask);
      const rows = positions.tolist() as bigint[][][];
      const ids = Array.from(textInputs.input_ids.data as BigInt64Array);
      const checked = normalizeConfig(JSON.parse(readFileSync(join(DEFAULT_MODELS_DIR, id, 'config.json'), 'utf8')));
      if (!checked.ok) throw new Error(checked.message);
      const imageToken = BigInt(checked.dims.tokens.image);
      const second = ids.map((t, i) => [t, i] as const).filter(([t]) => t === imageToken).slice(12).map(([, i]) => i);
      // The second image's tokens sit on a 5 x 2 grid (140/28 x 56/28): heights 0..4 and widths 0..1 from its start.
      const start = rows[0]![0]![second[0]!]!;
      expect(second.map((i) => Number(rows[1]![0]![i]! - start))).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4]);
      expect(second.map((i) => Number(rows[2]![0]![i]! - start))).toEqual([0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
      const out = (await model.generate({
        ...textInputs,
        pixel_values: pixelValues,
        image_grid_thw: grid,
        max_new_tokens: 4,
        do_sample: false,
      })) as Tensor;
      expect(out.dims[1]).toBe(ids.length + 4);
    });

    it('q4 (MatMulNBits) logits stay close to fp32', async () => {
      const inputs = await promptInputs(processor, pattern(84, 56));
      const a = ((await model(inputs)) as { logits: Tensor }).logits.data as Float32Array;
      const b = ((await quantized(inputs)) as { logits: Tensor }).logits.data as Float32Array;
      let maxDiff = 0;
      let maxAbs = 0;
      for (let i = 0; i < a.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
        maxAbs = Math.max(maxAbs, Math.abs(a[i]!));
      }
      // 4-bit weights move logits, but stay within a tenth of their range (measured about 0.03 of it).
      expect(maxDiff).toBeGreaterThan(0);
      expect(maxDiff / maxAbs).toBeLessThan(0.1);
    });
  });
}
