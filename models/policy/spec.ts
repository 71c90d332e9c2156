/**
 * `ergo-tiny`: the built-in policy, a Qwen2.5-VL-architecture model in miniature trained by this
 * project on the scene family of `app/scenes/` (see models/README.md). Sizes, budget and tokenizer.
 */
import { ERGO_PROMPTS, HRBENCH_POSTFIX, VSTAR_POSTFIX } from '../../app/core/prompts';
import { COLORS, QUADRANTS, SHAPES } from '../../app/scenes/scene';
import type { ModelDescription } from '../tiny/files';
import { buildTokenizer, type TinyTokenizer } from '../tiny/tokenizer';

export const POLICY_ID = 'ergo-tiny';
/** Vision tokens per image: the coarse 2688-px scene becomes 224x224 (8x8 tokens), and so does a crop. */
export const POLICY_BUDGET = 64;
/** Scenes the policy is trained and evaluated on: 2688x2688 (scale 2 of the scene layout). */
export const POLICY_SCENE_SCALE = 2;

export const POLICY_MODEL: ModelDescription = {
  modelType: 'qwen2_5_vl',
  text: { hidden: 96, layers: 2, heads: 4, kvHeads: 2, headDim: 24, intermediate: 256, mropeSection: [2, 5, 5] },
  // One attention window of 256 patches covers a whole 224x224 image; row/column embeddings give
  // each patch and each merged token its place in the image.
  vision: { gridInput: 'image_grid_thw', hidden: 128, heads: 4, window: 256, outHidden: 96, depth: 2, rowColumn: 64 },
  note: {
    random_weights: false,
    note: 'Trained on synthetic scenes (app/scenes); answers questions about them. See models/README.md.',
  },
};

/** Text the tokenizer's merges are learned from: every fixed string the policy reads or writes, twice. */
function corpus(): string[] {
  const texts = [
    ERGO_PROMPTS.system,
    ERGO_PROMPTS.coarse(''),
    ERGO_PROMPTS.fine(''),
    'You are a helpful assistant.',
    'system user assistant',
    VSTAR_POSTFIX,
    HRBENCH_POSTFIX,
    'What is written on the tag of the What does the tag below the shape say? in the quarter of the image?',
    ...COLORS.map((c) => ` ${c.name}`),
    ...SHAPES.map((s) => ` ${s}`),
    ...QUADRANTS.map((q) => ` ${q}`),
    '<think> The is in row , column . </think> <zoom>[, , , ]</zoom>',
    '<think> The tag reads , option . </think> <answer></answer>',
    '(A) (B) (C) (D)',
  ];
  return [...texts, ...texts];
}

export function policyTokenizer(): TinyTokenizer {
  return buildTokenizer(4000, corpus());
}
