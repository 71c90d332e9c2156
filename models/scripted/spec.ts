/**
 * The built-in scripted model: the tiny Qwen2.5-VL model's tokenizer, embeddings and vision
 * encoder, with a decoder whose weights write a fixed reply per assistant turn. Its first reply
 * names a box, so the parsed-box path (crop, fine turn on the crop) runs on real model output.
 */
import { TINY_MODELS, type TinyModelSpec } from '../tiny/spec';

export interface ScriptedModelSpec {
  readonly id: string;
  /** The tiny model whose tokenizer, `embed_tokens` and `vision_encoder` it shares (same seed, same bytes). */
  readonly base: TinyModelSpec;
  /** The reply of the first assistant turn, of the second, ...; later turns repeat the last. */
  readonly replies: readonly string[];
}

export const SCRIPTED_MODEL: ScriptedModelSpec = {
  id: 'tiny-scripted-qwen2_5_vl',
  base: TINY_MODELS.find((m) => m.id === 'tiny-random-qwen2_5_vl')!,
  replies: ['<think>the red square</think><zoom>[100, 40, 180, 120]</zoom>', '<think>the square is red</think><answer>red</answer>'],
};
