import { AutoTokenizer, env } from '@huggingface/transformers';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { benchmarkCoarseMessages, benchmarkFineMessages, coarseTurnMessages, directTurnMessages, fineTurnMessages, type ChatMessage } from './messages';
import { ERGO_PROMPTS, VSTAR_POSTFIX } from './prompts';

describe('conversation builders', () => {
  it('put image parts before text and keep the coarse output verbatim', () => {
    const coarse = coarseTurnMessages('Q?');
    expect(coarse.map((m) => m.role)).toEqual(['system', 'user']);
    expect(coarse[1]!.content).toEqual([{ type: 'image' }, { type: 'text', text: ERGO_PROMPTS.coarse('Q?') }]);
    const output = '<think> a </think>\n<zoom>[1, 2, 3, 4]</zoom>  ';
    const fine = fineTurnMessages('Q?', output);
    expect(fine.slice(0, 2)).toEqual(coarse);
    expect(fine[2]).toEqual({ role: 'assistant', content: [{ type: 'text', text: output }] });
    expect(fine[3]!.content).toEqual([{ type: 'image' }, { type: 'text', text: ERGO_PROMPTS.fine('Q?') }]);
  });

  it('benchmark items: options only in the fine turn, then the postfix', () => {
    const item = { question: 'What is the color of the cup?', options: ['(A) red', '(B) blue'], postfix: VSTAR_POSTFIX };
    expect(benchmarkCoarseMessages(item)).toEqual(coarseTurnMessages(item.question));
    const fine = benchmarkFineMessages(item, 'out');
    expect(fine[1]).toEqual(coarseTurnMessages(item.question)[1]);
    expect(fine[3]!.content[1]).toEqual({
      type: 'text',
      text: ERGO_PROMPTS.fine("What is the color of the cup?\n(A) red\n(B) blue\nAnswer with the option's letter from the given choices directly."),
    });
  });
});

// The Qwen2.5-VL chat template (tokenizer_config.json of the built-in tiny model) rendered by
// transformers.js itself: the strings the model is actually prompted with.
describe('rendered by the Qwen2.5-VL chat template', () => {
  type Tokenizer = Awaited<ReturnType<typeof AutoTokenizer.from_pretrained>>;
  let tokenizer: Tokenizer;
  const render = (messages: readonly ChatMessage[], addGenerationPrompt: boolean): string =>
    tokenizer.apply_chat_template(
      messages.map((message) => ({ ...message, content: [...message.content] })),
      { tokenize: false, add_generation_prompt: addGenerationPrompt },
    ) as string;

  beforeAll(async () => {
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = fileURLToPath(new URL('../../public/models/', import.meta.url));
    tokenizer = await AutoTokenizer.from_pretrained('tiny-random-qwen2_5_vl');
  });

  const IMAGE = '<|vision_start|><|image_pad|><|vision_end|>';
  const output = '<think>The sign is small.</think>\n<zoom>[10, 20, 300, 400]</zoom>';

  it('gives the protocol conversation, image placeholder before each turn text', () => {
    expect(render(fineTurnMessages('Q?', output), true)).toBe(
      `<|im_start|>system\n${ERGO_PROMPTS.system}<|im_end|>\n` +
        `<|im_start|>user\n${IMAGE}${ERGO_PROMPTS.coarse('Q?')}<|im_end|>\n` +
        `<|im_start|>assistant\n${output}<|im_end|>\n` +
        `<|im_start|>user\n${IMAGE}${ERGO_PROMPTS.fine('Q?')}<|im_end|>\n` +
        '<|im_start|>assistant\n',
    );
  });

  it('makes the fine prompt a strict extension of the coarse prompt plus its output', () => {
    // what the coarse turn's KV cache holds: its prompt, the generated output and the <|im_end|> stop token
    const coarsePrompt = render(coarseTurnMessages('Q?'), true);
    expect(render(fineTurnMessages('Q?', output), true).startsWith(`${coarsePrompt}${output}<|im_end|>`)).toBe(true);
  });

  it('lets the template add its default system prompt to the direct baseline', () => {
    expect(render(directTurnMessages('Q?'), true)).toBe(
      `<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n${IMAGE}Q?<|im_end|>\n<|im_start|>assistant\n`,
    );
  });
});
