/**
 * Token ids of ERGO's conversation, built so the fine turn is a strict token-level extension of the
 * coarse turn: `coarse prompt + coarse output tokens + follow-up`, where the follow-up starts with
 * the `<|im_end|>` closing the assistant turn. Splitting at a special token keeps tokenization at
 * the boundary identical to tokenizing the whole conversation at once, and using the generated ids
 * themselves (not a re-tokenization of their text) means the cache holds exactly the tokens the
 * conversation continues from.
 *
 * Image parts come before the text part inside a user turn; the template renders each as
 * `<|vision_start|><|image_pad|><|vision_end|>`, and `expandImagePads` grows each pad to the
 * image's token count.
 */
import { coarseTurnMessages, fineTurnMessages, type ChatMessage, type ErgoPrompts } from '../../app/core';
import type { ChatTokenizer } from './load';
import { EngineError } from '../../pipeline/errors';

/** Stands in for the assistant's text while rendering, to find where the follow-up starts. */
const CONTENT_MARKER = '\u2063ASSISTANT-CONTENT\u2063';

function render(tok: ChatTokenizer, messages: readonly ChatMessage[]): string {
  return tok.apply_chat_template(messages as unknown[], { tokenize: false, add_generation_prompt: true }) as string;
}

/** Prompt ids of `messages` with the generation prompt; each image is one unexpanded pad. */
export function promptIds(tok: ChatTokenizer, messages: readonly ChatMessage[]): number[] {
  return tok.encode(render(tok, messages), { add_special_tokens: false });
}

/**
 * The ids after an assistant reply: its closing `<|im_end|>`, then `next` (e.g. the user turn with
 * the crop and the fine-turn text), then the generation prompt. `before` is the conversation the
 * reply answered. Checks the template really renders the conversation as prompt + reply + the rest
 * (else the cache could not be reused).
 */
export function continuationIds(tok: ChatTokenizer, before: readonly ChatMessage[], next: readonly ChatMessage[]): number[] {
  const first = render(tok, before);
  const whole = render(tok, [...before, { role: 'assistant', content: [{ type: 'text', text: CONTENT_MARKER }] }, ...next]);
  const at = whole.indexOf(CONTENT_MARKER);
  if (at !== first.length || !whole.startsWith(first)) {
    throw new EngineError('template-not-prefix', 'the chat template does not render the next turn as an extension of the previous one');
  }
  const follow = whole.slice(at + CONTENT_MARKER.length);
  if (!follow.startsWith('<|im_end|>')) throw new EngineError('template-not-prefix', `the assistant turn is closed by ${JSON.stringify(follow.slice(0, 12))}, expected <|im_end|>`);
  return tok.encode(follow, { add_special_tokens: false });
}

/**
 * ERGO's follow-up after the coarse turn's output: the crop and the fine-turn text (`fineQuestion`:
 * the question with its options, for a multiple-choice item).
 */
export function followUpIds(tok: ChatTokenizer, question: string, prompts: ErgoPrompts, fineQuestion: string = question): number[] {
  return continuationIds(tok, coarseTurnMessages(question, prompts), fineTurnMessages(question, '', prompts, fineQuestion).slice(-1));
}

/** Replaces the k-th `padId` with `counts[k]` copies; throws if the number of pads and counts differ. */
export function expandImagePads(ids: readonly number[], padId: number, counts: readonly number[]): number[] {
  const out: number[] = [];
  let k = 0;
  for (const id of ids) {
    if (id !== padId) {
      out.push(id);
      continue;
    }
    const n = counts[k++];
    if (n === undefined) throw new EngineError('image-tokens', `more image pads than images (${counts.length})`);
    for (let i = 0; i < n; i++) out.push(padId);
  }
  if (k !== counts.length) throw new EngineError('image-tokens', `${counts.length} images but ${k} image pads in the prompt`);
  return out;
}
