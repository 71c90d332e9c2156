// ERGO's fine turn continued from the coarse turn's KV cache equals the whole two-image
// conversation computed from scratch: the proof that stage 2 may encode only the crop and prefill
// only the new tokens. Real model (tiny, fp32) on onnxruntime-node, through the engine's own code.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AutoProcessor, env, Qwen2_5_VLForConditionalGeneration } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coarseTurnMessages, ERGO_PROMPTS, visionTokens } from '../../app/core';
import { DEFAULT_MODELS_DIR } from '../../models/build';
import { expandImagePads, followUpIds, promptIds } from './chat';
import type { ChatTokenizer } from './load';
import { normalizeConfig } from './modelConfig';
import { buildPixelValues, visionPreprocessFromConfig, type VisionPreprocess } from './pixels';
import { Turns, type QwenVlModel } from './turns';

env.allowRemoteModels = false;
env.localModelPath = DEFAULT_MODELS_DIR + '/';

const ID = 'tiny-random-qwen2_5_vl';
const QUESTION = 'What does the small sign say?';

function pattern(width: number, height: number, salt: number): { data: Uint8ClampedArray; width: number; height: number } {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < data.length; i++) data[i] = i % 4 === 3 ? 255 : (i * 13 + salt * 71) % 256;
  return { data, width, height };
}

describe('stage 2 from the stage-1 cache', () => {
  let model: QwenVlModel & { dispose(): Promise<unknown> };
  let tokenizer: ChatTokenizer;
  let pre: VisionPreprocess;
  let turns: Turns;
  let imageTokenId: number;

  beforeAll(async () => {
    const processor = await AutoProcessor.from_pretrained(ID);
    const loaded = await Qwen2_5_VLForConditionalGeneration.from_pretrained(ID, { dtype: 'fp32' });
    model = loaded;
    tokenizer = processor.tokenizer!;
    pre = visionPreprocessFromConfig(processor.image_processor!.config);
    // The engine reads the ids from the checked config, as the loader does.
    const checked = normalizeConfig(JSON.parse(readFileSync(join(DEFAULT_MODELS_DIR, ID, 'config.json'), 'utf8')));
    if (!checked.ok) throw new Error(checked.message);
    imageTokenId = checked.dims.tokens.image;
    turns = new Turns(model, imageTokenId, checked.dims.text.vocab);
  });
  afterAll(async () => model?.dispose());

  it('gives the same next-token logits as a from-scratch two-image pass (max abs diff < 1e-4)', async () => {
    const coarse = pattern(140, 84, 1); // 5 x 3 = 15 tokens
    const crop = pattern(84, 112, 2); // 3 x 4 = 12 tokens
    const encode = (img: typeof coarse) => turns.encodeImage(buildPixelValues(img.data, img, pre), 2);
    const never = () => false;

    const coarseIds = expandImagePads(promptIds(tokenizer, coarseTurnMessages(QUESTION)), imageTokenId, [visionTokens(84, 140)]);
    const output = tokenizer.encode('<think>the sign is on the left</think><zoom>[10, 20, 60, 70]</zoom>', { add_special_tokens: false });
    const follow = expandImagePads(followUpIds(tokenizer, QUESTION, ERGO_PROMPTS), imageTokenId, [visionTokens(112, 84)]);

    // Stage 1 (prompt, then the output as if generated), then stage 2 on the crop only.
    const stage1 = await turns.prefill(null, coarseIds, [await encode(coarse)], 'last', never);
    const withOutput = await turns.prefill(stage1.cache, output, [], 'last', never);
    const stage2 = await turns.prefill(withOutput.cache, follow, [await encode(crop)], 'last', never);
    // The same conversation in one pass with both images.
    const scratch = await turns.prefill(null, [...coarseIds, ...output, ...follow], [await encode(coarse), await encode(crop)], 'last', never);

    expect(stage2.cache.ids).toEqual(scratch.cache.ids);
    expect(stage2.logits.length).toBe(scratch.logits.length);
    let maxDiff = 0;
    for (let i = 0; i < scratch.logits.length; i++) maxDiff = Math.max(maxDiff, Math.abs(stage2.logits[i]! - scratch.logits[i]!));
    expect(maxDiff).toBeLessThan(1e-4);

    // A different crop must change them: the comparison is not vacuous.
    const otherCrop = await turns.prefill(withOutput.cache, follow, [await encode(pattern(84, 112, 3))], 'last', never);
    let changed = 0;
    for (let i = 0; i < scratch.logits.length; i++) changed = Math.max(changed, Math.abs(otherCrop.logits[i]! - scratch.logits[i]!));
    expect(changed).toBeGreaterThan(1e-3);
  });
});
