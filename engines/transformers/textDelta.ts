/**
 * Turns a growing list of generated token ids into appended text chunks for streaming.
 *
 * Why re-decode the whole list: byte-level BPE tokens can end in the middle of a UTF-8 character
 * and a tokenizer may merge spaces across tokens, so decoding tokens one by one gives wrong text.
 * The full decode is the truth; a chunk is released only once the decoded text no longer ends in
 * U+FFFD (an incomplete character), and it is always what the full text grew by.
 */
export class TextDelta {
  readonly #decode: (ids: readonly number[]) => string;
  readonly #ids: number[] = [];
  #emitted = '';

  /** `decode` maps all ids so far to text (special tokens skipped). */
  constructor(decode: (ids: readonly number[]) => string) {
    this.#decode = decode;
  }

  /** Adds a token; returns the new text to append ('' while a character is incomplete). */
  push(id: number): string {
    this.#ids.push(id);
    const text = this.#decode(this.#ids);
    if (text.endsWith('\uFFFD') || !text.startsWith(this.#emitted)) return '';
    const chunk = text.slice(this.#emitted.length);
    this.#emitted = text;
    return chunk;
  }

  /** The complete decoded text, including any trailing incomplete character. */
  text(): string {
    return this.#decode(this.#ids);
  }
}
