/**
 * The next token: greedy over logits after the repetition penalty, as Hugging Face's
 * `RepetitionPenaltyLogitsProcessor` and vLLM define it. Every token id already in the context (the
 * whole conversation: prompt, image placeholders and generated tokens alike) has its logit divided
 * by the penalty when positive and multiplied by it otherwise. A penalty of 1 is plain greedy.
 */
export class TokenChooser {
  readonly #seen: Uint8Array;
  readonly #penalty: number;
  readonly #vocab: number;

  constructor(vocab: number, penalty: number, context: Iterable<number>) {
    this.#vocab = vocab;
    this.#penalty = penalty;
    this.#seen = new Uint8Array(vocab);
    for (const id of context) this.add(id);
  }

  /** Marks `id` as part of the context from now on. */
  add(id: number): void {
    if (id >= 0 && id < this.#vocab) this.#seen[id] = 1;
  }

  /** The best token of `logits[offset, offset + vocab)`, penalized; the first wins ties (as argmax does). */
  choose(logits: Float32Array, offset: number): number {
    const penalty = this.#penalty;
    let best = 0;
    let bestValue = -Infinity;
    for (let i = 0; i < this.#vocab; i++) {
      let v = logits[offset + i]!;
      if (penalty !== 1 && this.#seen[i] === 1) v = v > 0 ? v / penalty : v * penalty;
      if (v > bestValue) {
        bestValue = v;
        best = i;
      }
    }
    return best;
  }
}
