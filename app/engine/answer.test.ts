import { describe, expect, it } from 'vitest';
import { extractAnswer } from './answer';

describe('extractAnswer', () => {
  it('takes the first <answer> block, stripped', () => {
    expect(extractAnswer('<think>x</think><answer> (B) </answer><answer>C</answer>')).toBe('(B)');
  });
  it('runs to the end when the block is not closed', () => {
    expect(extractAnswer('<think>x<think><answer>red car')).toBe('red car');
  });
  it('returns the whole response without an <answer> or with an empty one', () => {
    expect(extractAnswer('just text')).toBe('just text');
    expect(extractAnswer('a <answer>  </answer>')).toBe('a <answer>  </answer>');
  });
});
