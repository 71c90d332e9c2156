import { describe, expect, it } from 'vitest';
import { TokenChooser } from './choose';

describe('TokenChooser (Hugging Face / vLLM repetition penalty)', () => {
  const logits = Float32Array.of(2, 1.9, -1, -0.5);

  it('is argmax with a penalty of 1, whatever the context', () => {
    expect(new TokenChooser(4, 1, [0, 1, 2, 3]).choose(logits, 0)).toBe(0);
  });

  it('divides positive logits of context tokens by the penalty', () => {
    // 2 / 1.1 = 1.818 < 1.9: token 1 wins once token 0 is in the context.
    expect(new TokenChooser(4, 1.1, [0]).choose(logits, 0)).toBe(1);
    // 2 / 1.05 = 1.905 > 1.9: a milder penalty keeps token 0.
    expect(new TokenChooser(4, 1.05, [0]).choose(logits, 0)).toBe(0);
  });

  it('multiplies negative logits of context tokens by the penalty (they fall further)', () => {
    const negative = Float32Array.of(-3, -0.5, -0.52, -4);
    // -0.5 * 1.05 = -0.525 < -0.52: token 2 overtakes token 1.
    expect(new TokenChooser(4, 1.05, [1]).choose(negative, 0)).toBe(2);
  });

  it('counts tokens added while decoding, and reads the row at an offset', () => {
    const chooser = new TokenChooser(4, 1.1, []);
    const rows = Float32Array.of(9, 9, 9, 9, ...logits);
    expect(chooser.choose(rows, 4)).toBe(0);
    chooser.add(0);
    expect(chooser.choose(rows, 4)).toBe(1);
  });

  it('ignores ids outside the vocabulary and does not change the logits', () => {
    const copy = logits.slice();
    new TokenChooser(4, 2, [7, -1, 0]).choose(copy, 0);
    expect([...copy]).toEqual([...logits]);
  });
});
