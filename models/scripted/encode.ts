/**
 * Encodes ordinary text (no special tokens) with a tiny tokenizer's BPE, as the runtime does:
 * Qwen's split, each piece's bytes mapped to symbols, then merges applied lowest rank first.
 */
import { byteSymbols, QWEN_SPLIT_PATTERN, type TinyTokenizer } from '../tiny/tokenizer';

interface BpeModel {
  readonly model: { readonly vocab: Readonly<Record<string, number>>; readonly merges: readonly (readonly [string, string])[] };
}

export function encodeText(tokenizer: TinyTokenizer, text: string): number[] {
  const { vocab, merges } = (tokenizer.tokenizerJson as BpeModel).model;
  const rank = new Map(merges.map(([a, b], i) => [`${a}\u0000${b}`, i]));
  const symbols = byteSymbols();
  const split = new RegExp(QWEN_SPLIT_PATTERN.replace('(?i:', '(?:'), 'gu');
  const ids: number[] = [];
  for (const match of text.matchAll(split)) {
    let parts = [...new TextEncoder().encode(match[0])].map((b) => symbols[b]!);
    for (;;) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i + 1 < parts.length; i++) {
        const r = rank.get(`${parts[i]}\u0000${parts[i + 1]}`);
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          best = i;
        }
      }
      if (best < 0) break;
      parts = [...parts.slice(0, best), parts[best]! + parts[best + 1]!, ...parts.slice(best + 2)];
    }
    for (const p of parts) {
      const id = vocab[p];
      if (id === undefined) throw new Error(`no token for ${JSON.stringify(p)}`);
      ids.push(id);
    }
  }
  return ids;
}
