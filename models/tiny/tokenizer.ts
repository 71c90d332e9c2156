/**
 * A small byte-level BPE tokenizer in the `tokenizer.json` format of Qwen2 models: the 256 byte
 * symbols, merges learned deterministically from a fixed English corpus (ERGO's own prompts among
 * it, so ordinary questions tokenize into a few pieces), and Qwen's special tokens in Qwen's order.
 */
import { ERGO_PROMPTS } from '../../app/core/prompts';

/** Qwen2's pre-tokenizer split pattern (from its tokenizer.json). */
export const QWEN_SPLIT_PATTERN =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

/** Qwen2-VL's special tokens, in the order of their ids there (151643...). */
export const SPECIAL_TOKENS = [
  '<|endoftext|>',
  '<|im_start|>',
  '<|im_end|>',
  '<|object_ref_start|>',
  '<|object_ref_end|>',
  '<|box_start|>',
  '<|box_end|>',
  '<|quad_start|>',
  '<|quad_end|>',
  '<|vision_start|>',
  '<|vision_end|>',
  '<|vision_pad|>',
  '<|image_pad|>',
  '<|video_pad|>',
] as const;

/** GPT-2's reversible byte -> printable character map used by byte-level BPE. */
export function byteSymbols(): string[] {
  const printable = (b: number) => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
  let extra = 0;
  return Array.from({ length: 256 }, (_, b) => String.fromCodePoint(printable(b) ? b : 256 + extra++));
}

const CORPUS = [
  ERGO_PROMPTS.system,
  ERGO_PROMPTS.coarse('What is the color of the small sign on the left?'),
  ERGO_PROMPTS.fine('What does the text on the red bus say?'),
  'The answer is (A). The object is located in the upper right corner of the image.',
  'What color is the car? How many people are there? Which side of the road is the bicycle on?',
  '<think> The question asks about a small detail, so I zoom into the region. </think> <zoom>[120, 340, 560, 780]</zoom>',
  '<answer> B </answer> 0123456789',
];

/** Pre-tokenizes like the runtime: Qwen's split, then each byte mapped to its symbol. */
function words(text: string, symbols: readonly string[]): string[][] {
  const split = new RegExp(QWEN_SPLIT_PATTERN.replace('(?i:', '(?:'), 'gu');
  return [...text.matchAll(split)].map((m) => [...new TextEncoder().encode(m[0])].map((b) => symbols[b]!));
}

/** Learns `count` merges: repeatedly the most frequent adjacent pair, ties broken by string order. */
function learnMerges(count: number, symbols: readonly string[], texts: readonly string[]): [string, string][] {
  let corpus = texts.flatMap((text) => words(text, symbols));
  const merges: [string, string][] = [];
  while (merges.length < count) {
    const pairs = new Map<string, number>();
    for (const word of corpus) {
      for (let i = 0; i + 1 < word.length; i++) {
        const key = `${word[i]}\u0000${word[i + 1]}`;
        pairs.set(key, (pairs.get(key) ?? 0) + 1);
      }
    }
    let best: string | null = null;
    let bestCount = 0;
    for (const [key, n] of pairs) {
      if (n > bestCount || (n === bestCount && best !== null && key < best)) {
        best = key;
        bestCount = n;
      }
    }
    if (best === null || bestCount < 2) break;
    const [a, b] = best.split('\u0000') as [string, string];
    merges.push([a, b]);
    corpus = corpus.map((word) => {
      const out: string[] = [];
      for (let i = 0; i < word.length; i++) {
        if (i + 1 < word.length && word[i] === a && word[i + 1] === b) {
          out.push(a + b);
          i++;
        } else out.push(word[i]!);
      }
      return out;
    });
  }
  return merges;
}

export interface TinyTokenizer {
  readonly tokenizerJson: object;
  readonly vocabSize: number;
  /** Id of each special token. */
  readonly specialIds: Readonly<Record<(typeof SPECIAL_TOKENS)[number], number>>;
}

/** A tokenizer with up to `mergeCount` merges learned from `corpus` (by default the built-in English corpus). */
export function buildTokenizer(mergeCount: number, corpus: readonly string[] = CORPUS): TinyTokenizer {
  const symbols = byteSymbols();
  const merges = learnMerges(mergeCount, symbols, corpus);
  const vocab: Record<string, number> = {};
  for (const symbol of symbols) vocab[symbol] = Object.keys(vocab).length;
  for (const [a, b] of merges) if (!(a + b in vocab)) vocab[a + b] = Object.keys(vocab).length;
  const firstSpecial = Object.keys(vocab).length;
  const specialIds = Object.fromEntries(SPECIAL_TOKENS.map((t, i) => [t, firstSpecial + i])) as TinyTokenizer['specialIds'];
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false };
  const tokenizerJson = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((content) => ({
      id: specialIds[content],
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: { type: 'NFC' },
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [{ type: 'Split', pattern: { Regex: QWEN_SPLIT_PATTERN }, behavior: 'Isolated', invert: false }, byteLevel],
    },
    post_processor: byteLevel,
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges: merges.map(([a, b]) => [a, b]),
    },
  };
  return { tokenizerJson, vocabSize: firstSpecial + SPECIAL_TOKENS.length, specialIds };
}

/** The Qwen2-VL / Qwen2.5-VL chat template (the `chat_template` of their tokenizer_config.json). */
export const QWEN_VL_CHAT_TEMPLATE =
  "{% set image_count = namespace(value=0) %}{% set video_count = namespace(value=0) %}{% for message in messages %}{% if loop.first and message['role'] != 'system' %}<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n{% endif %}<|im_start|>{{ message['role'] }}\n{% if message['content'] is string %}{{ message['content'] }}<|im_end|>\n{% else %}{% for content in message['content'] %}{% if content['type'] == 'image' or 'image' in content or 'image_url' in content %}{% set image_count.value = image_count.value + 1 %}{% if add_vision_id %}Picture {{ image_count.value }}: {% endif %}<|vision_start|><|image_pad|><|vision_end|>{% elif content['type'] == 'video' or 'video' in content %}{% set video_count.value = video_count.value + 1 %}{% if add_vision_id %}Video {{ video_count.value }}: {% endif %}<|vision_start|><|video_pad|><|vision_end|>{% elif 'text' in content %}{{ content['text'] }}{% endif %}{% endfor %}<|im_end|>\n{% endif %}{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";
