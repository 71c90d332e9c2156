import { AutoProcessor, env, Qwen2_5_VLForConditionalGeneration, Qwen2VLForConditionalGeneration, RawImage, type Tensor } from '@huggingface/transformers';
import { expect, test } from '@playwright/test';
import { openHarness } from './support';

// The built-in tiny models in Chromium through transformers.js' own loaders, on wasm and WebGPU,
// fp32 and q4: same input, same tokens as onnxruntime-node, logits within a stated tolerance.

const MODELS = ['tiny-random-qwen2_5_vl', 'tiny-random-qwen2_vl'] as const;
const QUESTION = 'What is the color of the small sign?';
const WIDTH = 84;
const HEIGHT = 56;
/** fp32 on wasm and WebGPU vs onnxruntime-node: float reassociation only. */
const TOLERANCE = 1e-3;

function patternBytes(): Uint8ClampedArray {
  const data = new Uint8ClampedArray(WIDTH * HEIGHT * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37 + ((i / 3) % WIDTH) * 5) % 256;
  return data;
}

interface Reference {
  logits: number[];
  tokens: number[];
}

/** Last-position logits and 8 greedy tokens, computed in Node. */
async function reference(id: (typeof MODELS)[number], dtype: 'fp32' | 'q4'): Promise<Reference> {
  env.allowRemoteModels = false;
  env.localModelPath = new URL('../public/models/', import.meta.url).pathname;
  const processor = await AutoProcessor.from_pretrained(id);
  const Model = id === 'tiny-random-qwen2_5_vl' ? Qwen2_5_VLForConditionalGeneration : Qwen2VLForConditionalGeneration;
  const model = await Model.from_pretrained(id, { dtype: { embed_tokens: 'fp32', vision_encoder: dtype, decoder_model_merged: dtype } });
  const text = processor.apply_chat_template([{ role: 'user', content: [{ type: 'image' }, { type: 'text', text: QUESTION }] }], { add_generation_prompt: true }) as string;
  const inputs = await processor(text, new RawImage(patternBytes(), WIDTH, HEIGHT, 3));
  const out = (await model(inputs)) as { logits: Tensor };
  const n = out.logits.dims[1]!;
  const logits = Array.from(out.logits.slice(null, [n - 1, n]).data as Float32Array);
  const generated = (await model.generate({ ...inputs, max_new_tokens: 8, do_sample: false })) as Tensor;
  const tokens = (generated.tolist()[0] as bigint[]).slice(inputs.input_ids.dims[1]).map(Number);
  await model.dispose();
  return { logits, tokens };
}

for (const id of MODELS) {
  for (const [device, dtype] of [
    ['wasm', 'fp32'],
    ['wasm', 'q4'],
    ['webgpu', 'fp32'],
    ['webgpu', 'q4'],
  ] as const) {
    test(`${id} on ${device} (${dtype}) matches onnxruntime-node`, async ({ page }) => {
      const expected = await reference(id, dtype);
      await openHarness(page);
      const got = await page.evaluate(
        async ({ id, device, dtype, question, width, height }) => {
          const T = window.harness.localTransformers();
          const processor = await T.AutoProcessor.from_pretrained(id);
          const Model = id === 'tiny-random-qwen2_5_vl' ? T.Qwen2_5_VLForConditionalGeneration : T.Qwen2VLForConditionalGeneration;
          const model = await Model.from_pretrained(id, { device, dtype: { embed_tokens: 'fp32', vision_encoder: dtype, decoder_model_merged: dtype } });
          const data = new Uint8ClampedArray(width * height * 3);
          for (let i = 0; i < data.length; i++) data[i] = (i * 37 + ((i / 3) % width) * 5) % 256;
          const text = processor.apply_chat_template([{ role: 'user', content: [{ type: 'image' }, { type: 'text', text: question }] }], { add_generation_prompt: true }) as string;
          const inputs = await processor(text, new T.RawImage(data, width, height, 3));
          const out = (await model(inputs)) as { logits: { dims: number[]; slice: (...a: unknown[]) => { data: Float32Array } } };
          const n = out.logits.dims[1]!;
          const logits = Array.from(out.logits.slice(null, [n - 1, n]).data);
          const generated = (await model.generate({ ...inputs, max_new_tokens: 8, do_sample: false })) as { tolist(): bigint[][] };
          const tokens = generated.tolist()[0]!.slice(inputs.input_ids.dims[1]).map(Number);
          await model.dispose();
          return { logits, tokens };
        },
        { id, device, dtype, question: QUESTION, width: WIDTH, height: HEIGHT },
      );
      expect(got.tokens).toEqual(expected.tokens);
      const maxDiff = Math.max(...got.logits.map((v, i) => Math.abs(v - expected.logits[i]!)));
      // q4 kernels differ across backends in accumulation order and in-kernel dequantization.
      expect(maxDiff).toBeLessThan(dtype === 'q4' ? 1e-2 : TOLERANCE);
    });
  }
}
