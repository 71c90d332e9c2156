/**
 * The two built-in tiny models: same sizes, two architectures. `tiny-random-qwen2_5_vl` is ERGO's
 * architecture (config nested under `text_config`, vision input `image_grid_thw`);
 * `tiny-random-qwen2_vl` is the older flat layout (vision input `grid_thw`).
 */
import type { TextSpec } from './decoder';
import type { VisionSpec } from './vision';

export interface TinyModelSpec {
  readonly id: string;
  readonly modelType: 'qwen2_vl' | 'qwen2_5_vl';
  readonly seed: number;
  readonly text: Omit<TextSpec, 'vocabSize' | 'suppressedTokens'>;
  readonly vision: VisionSpec;
  readonly merges: number;
}

const TEXT = { hidden: 64, layers: 2, heads: 4, kvHeads: 2, headDim: 16, intermediate: 128, mropeSection: [2, 3, 3] } as const;

export const TINY_MODELS: readonly TinyModelSpec[] = [
  {
    id: 'tiny-random-qwen2_5_vl',
    modelType: 'qwen2_5_vl',
    seed: 2509,
    text: TEXT,
    vision: { gridInput: 'image_grid_thw', hidden: 32, heads: 2, window: 16, outHidden: TEXT.hidden },
    merges: 400,
  },
  {
    id: 'tiny-random-qwen2_vl',
    modelType: 'qwen2_vl',
    seed: 21991,
    text: TEXT,
    vision: { gridInput: 'grid_thw', hidden: 32, heads: 2, window: 16, outHidden: TEXT.hidden },
    merges: 400,
  },
];
