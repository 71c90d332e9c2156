/**
 * ERGO's conversation in the chat format transformers.js' `apply_chat_template` takes. Image parts
 * come before the text part inside a user turn; the image itself is supplied separately to the
 * processor, in the order its placeholders appear.
 */
import { ERGO_PROMPTS, type ErgoPrompts } from './prompts';

export type ContentPart = { readonly type: 'image' } | { readonly type: 'text'; readonly text: string };

export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: readonly ContentPart[];
}

const text = (value: string): ContentPart => ({ type: 'text', text: value });
const IMAGE: ContentPart = { type: 'image' };

/** `system`, then the user turn with the coarse image and the coarse-turn text. */
export function coarseTurnMessages(question: string, prompts: ErgoPrompts = ERGO_PROMPTS): ChatMessage[] {
  return [
    { role: 'system', content: [text(prompts.system)] },
    { role: 'user', content: [IMAGE, text(prompts.coarse(question))] },
  ];
}

/**
 * The baselines' one turn: the image and the bare question, as stock Qwen2.5-VL is asked (no ERGO
 * system prompt; the chat template supplies its default one).
 */
export function directTurnMessages(question: string): ChatMessage[] {
  return [{ role: 'user', content: [IMAGE, text(question)] }];
}

/**
 * The whole conversation up to the fine turn: the coarse turn, the model's coarse output VERBATIM
 * (so the fine prompt extends the coarse one and its KV cache stays valid), then the crop and the
 * fine-turn text. `fineQuestion` differs from `question` only for benchmark items (options added).
 */
export function fineTurnMessages(
  question: string,
  coarseOutput: string,
  prompts: ErgoPrompts = ERGO_PROMPTS,
  fineQuestion: string = question,
): ChatMessage[] {
  return [
    ...coarseTurnMessages(question, prompts),
    { role: 'assistant', content: [text(coarseOutput)] },
    { role: 'user', content: [IMAGE, text(prompts.fine(fineQuestion))] },
  ];
}

/** A multiple-choice benchmark item. */
export interface ChoiceQuestion {
  readonly question: string;
  readonly options: readonly string[];
  /** `VSTAR_POSTFIX` or `HRBENCH_POSTFIX`. */
  readonly postfix: string;
}

/** The fine-turn question of a benchmark item: question, options one per line, postfix. */
export function choiceFineQuestion(item: ChoiceQuestion): string {
  return `${item.question}\n${item.options.join('\n')}\n${item.postfix}`;
}

/** The fine-turn question of an item that may be open (no options): then the question alone, as a user asks it. */
export function itemFineQuestion(item: ChoiceQuestion): string {
  return item.options.length ? choiceFineQuestion(item) : item.question;
}

/** Benchmark coarse turn: the question WITHOUT its options. */
export function benchmarkCoarseMessages(item: ChoiceQuestion, prompts: ErgoPrompts = ERGO_PROMPTS): ChatMessage[] {
  return coarseTurnMessages(item.question, prompts);
}

/** Benchmark fine turn: coarse turn without options; fine turn with options and the postfix. */
export function benchmarkFineMessages(item: ChoiceQuestion, coarseOutput: string, prompts: ErgoPrompts = ERGO_PROMPTS): ChatMessage[] {
  return fineTurnMessages(item.question, coarseOutput, prompts, choiceFineQuestion(item));
}
