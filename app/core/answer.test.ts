import { describe, expect, it } from 'vitest';
import { answerText, extractAnswer, scoreChoice } from './answer';

describe('extractAnswer', () => {
  it('reads to the end when unclosed and strips Python whitespace', () => {
    expect(extractAnswer('<answer>\u3000 B\n')).toBe('B');
    expect(extractAnswer('<think>..</think><answer> red </answer><answer>blue</answer>')).toBe('red');
  });
  it('distinguishes no tag (null) from an empty one', () => {
    expect(extractAnswer('The sign says STOP.')).toBeNull();
    expect(extractAnswer('<answer>  </answer>')).toBe('');
  });
});

describe('answerText and scoreChoice', () => {
  it('falls back to the whole response when the answer is missing or empty', () => {
    expect(answerText('It is (C)')).toBe('It is (C)');
    expect(answerText('<answer></answer>B')).toBe('<answer></answer>B');
  });
  it('compares the ASCII letters of the answer with the gold letter', () => {
    expect(scoreChoice('<answer>(b)</answer>', 'B')).toBe(true);
    expect(scoreChoice('<answer>A. red</answer>', 'A')).toBe(false); // letters "Ared"
    expect(scoreChoice('(B)', 'B')).toBe(true);
  });
});
