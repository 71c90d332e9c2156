import { describe, expect, it } from 'vitest';
import { answerText, extractAnswer, scoreChoice } from './answer';

describe('extractAnswer', () => {
  it('reads to the end when unclosed and strips Python whitespace', () => {
    expect(extractAnswer('<answer>\u3000 B\n')).toBe('B');
    expect(extractAnswer('<think>..</think><answer> red </answer><answer>blue</answer>')).toBe('red');
  });
  it("strips Python's whitespace set only", () => {
    expect(extractAnswer('<answer>\x1cB\x85</answer>')).toBe('B'); // U+001C and U+0085 are Python whitespace
    expect(extractAnswer('<answer>\ufeffB</answer>')).toBe('\ufeffB'); // U+FEFF is not (JS trim() would drop it)
    expect(extractAnswer('<answer>B</answer><answer>C</answer>')).toBe('B');
  });
  it('distinguishes no tag (null) from an empty one', () => {
    expect(extractAnswer('')).toBeNull();
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
    expect(scoreChoice('<answer>(A)', 'a')).toBe(true); // unclosed: to the end
    expect(scoreChoice('<answer>\ufeffB</answer>', 'B')).toBe(true); // the BOM is no letter
    expect(scoreChoice('<answer>\uff21</answer>', 'A')).toBe(false); // fullwidth A is not ASCII: no letters
    // a blank answer falls back to the whole response, whose letters are "answeranswerC"
    expect(scoreChoice('<answer> \u3000 </answer>(C)', 'C')).toBe(false);
  });
});
