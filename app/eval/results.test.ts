import { describe, expect, it } from 'vitest';
import { boxIn, choiceFineQuestion, ergoImageCost, fullImageCost, itemFineQuestion } from '../core';
import { ergoResult, parseResultLine, regionOf, type RunContext } from './results';
import { jsonlSample, type EvalSample } from './samples';

const sample = (label = 'B', targets: EvalSample['targets'] = []): EvalSample => ({
  id: '7',
  questionId: 7,
  category: 'direct_attributes',
  question: 'What color is the cup?',
  options: ['(A) red', '(B) blue'],
  postfix: "Answer with the option's letter from the given choices directly.",
  label,
  image: { kind: 'file', path: 'a.jpg' },
  targets,
});
// 2246x1582 at 1280 tokens: ERGO's resize gives 1204x840 (43 x 30 = 1290 tokens).
const ctx: RunContext = { original: { width: 2246, height: 1582 }, budget: 1280, convention: 'pixels-coarse', model: 'm', engine: 'replay' };

describe('scoring as the official evaluation does (expected values computed with its Python rules)', () => {
  // [fine output, label, official pred, official correct]
  const cases: [string, string, string, boolean][] = [
    ['The answer is B', 'B', 'TheanswerisB', false], // no <answer>: every letter of the whole reply
    ['<answer>b</answer>', 'B', 'b', true], // lower case
    ['<think>x</think><answer>B. blue</answer>', 'B', 'Bblue', false], // extra letters
    ['<answer>(B)</answer>', 'B', 'B', true],
    ['<answer>Blue</answer>', 'B', 'Blue', false], // the option's word starts with its letter
    ['<answer>A:red</answer>', 'A', 'Ared', false], // HR-Bench's option format echoed back
    ['<answer> </answer> so B', 'B', 'answeranswersoB', false], // empty answer: the whole reply
    ['<answer>C', 'C', 'C', true], // unclosed
    ['<answer>A</answer> then <answer>B</answer>', 'B', 'A', false], // the first answer counts
    ['x</answer><answer>D</answer>', 'D', 'D', true],
    ['<answer>\u3000C\u3000</answer>', 'C', 'C', true], // Python strips U+3000
    ['<answer>\u3000</answer> A', 'A', 'answeranswerA', false], // whitespace-only is empty
    ['<answer>\u0411</answer>', 'B', '', false], // Cyrillic Be is no ASCII letter
    ['<answer>\uff22</answer>', 'B', '', false], // nor is fullwidth B
    ['<answer>\u200b</answer> B', 'B', '', false], // U+200B is not whitespace in Python: the answer is not empty
    ['B', 'b', 'B', true], // the label is lowered too
  ];
  for (const [fine, label, pred, correct] of cases) {
    it(`${JSON.stringify(fine)} vs ${label}: pred ${JSON.stringify(pred)}, ${correct ? 'right' : 'wrong'}`, () => {
      const line = ergoResult(sample(label), { coarse_output: '<zoom>[10, 10, 200, 200]</zoom>', fine_output: fine, usage: null, total_ms: null }, ctx);
      expect(line.pred).toBe(pred);
      expect(line.correct).toBe(correct);
    });
  }
});

describe('open items (JSONL without options)', () => {
  it('ask the question alone in the fine turn and match the whole answer text, digits included', () => {
    const parsed = jsonlSample({ image: 'a.png', question: 'What is written on the tag of the red circle?', options: [], answer: '7K' }, 1);
    expect(parsed.ok && parsed.sample.postfix).toBe('');
    const open = parsed.ok ? parsed.sample : sample();
    expect(itemFineQuestion(open)).toBe('What is written on the tag of the red circle?');
    expect(itemFineQuestion(sample())).toBe(choiceFineQuestion(sample()));
    const score = (fine: string) => ergoResult(open, { coarse_output: '<zoom>[10, 10, 200, 200]</zoom>', fine_output: fine, usage: null, total_ms: null }, ctx);
    expect(score('<think> The tag reads 7K. </think> <answer>7K</answer>')).toMatchObject({ pred: '7K', correct: true });
    expect(score('<answer> 7k </answer>')).toMatchObject({ pred: '7k', correct: true });
    expect(score('<answer>K</answer>')).toMatchObject({ pred: 'K', correct: false });
    expect(score('<answer>17K</answer>').correct).toBe(false);
  });
});

describe('ergoResult geometry', () => {
  it('maps the coarse box to the original and the crop, with containment and IoU of the target', () => {
    // sx = 2246/1204, sy = 1582/840: [100, 100, 300, 200] -> x 186.54..559.63, y 188.33..376.67, truncated.
    const line = ergoResult(sample('B', [boxIn('original', [300, 250, 400, 350])]), { coarse_output: '<think>cup</think><zoom>[100, 100, 300, 200]</zoom>', fine_output: '<answer>B</answer>', usage: null, total_ms: null }, ctx);
    expect(line.coarse_size).toEqual({ width: 1204, height: 840 });
    expect(line.box_status).toBe('parsed');
    expect(line.box_coarse).toEqual([100, 100, 300, 200]);
    expect(line.crop).toEqual({ x1: 186, y1: 188, x2: 559, y2: 376 });
    expect(line.box_original![0]).toBeCloseTo((100 * 2246) / 1204, 9);
    expect(line.fallback).toBe('none');
    // Target 300..400 x 250..350 lies inside the crop: containment 1; IoU = 100*100 / (373*188).
    expect(line.containment).toBe(1);
    expect(line.iou).toBeCloseTo(10000 / (373 * 188), 12);
    // Vision tokens by the protocol when not measured: coarse 1290 + the crop's 373x188 at 1280 tokens
    // (kept at 364x196 = 13 x 7 = 91 tokens).
    expect(line.vision_tokens).toBe(1290 + 91);
    expect(ergoImageCost({ width: 373, height: 188 }).tokens).toBe(91);
    expect(line.correct).toBe(true);
  });

  it('no box and a fine output: the whole-image fallback, costed as the official script sends it (original, Qwen resize)', () => {
    const line = ergoResult(sample(), { coarse_output: 'no box here', fine_output: '<answer>A</answer>', usage: null, total_ms: null }, ctx);
    expect(line.box_status).toBe('no-zoom');
    expect(line.fallback).toBe('full-image');
    expect(line.containment).toBeNull();
    expect(line.usage.fine!.vision_tokens).toBe(fullImageCost(ctx.original)!.tokens);
  });

  it('no fine output: the skip fallback, scored on the coarse output', () => {
    const line = ergoResult(sample(), { coarse_output: '<zoom>[5, 5, 5, 9]</zoom> <answer>B</answer>', fine_output: null, usage: null, total_ms: null }, ctx);
    expect(line.box_status).toBe('degenerate');
    expect(line.fallback).toBe('skip');
    expect(line.pred).toBe('B');
    expect(line.usage.fine).toBeNull();
  });

  it('0-1000 boxes are brought into coarse pixels first', () => {
    const region = regionOf('<zoom>[0, 0, 500, 500]</zoom>', { width: 2000, height: 1000 }, { width: 1000, height: 500 }, 'norm1000');
    expect(region.box).toEqual([0, 0, 500, 250]);
    expect(region.crop).toEqual({ x1: 0, y1: 0, x2: 1000, y2: 500 });
  });

  it('a written line reads back; a malformed one says what is missing', () => {
    const line = ergoResult(sample(), { coarse_output: 'x', fine_output: 'y', usage: null, total_ms: null }, ctx);
    expect(parseResultLine(JSON.parse(JSON.stringify(line))).ok).toBe(true);
    expect(parseResultLine({ id: '1', mode: 'ergo', category: 'c' })).toEqual({ ok: false, message: 'no boolean "correct"' });
    expect(parseResultLine({ id: '1', mode: 'zoom', category: 'c' }).ok).toBe(false);
    expect(parseResultLine([1]).ok).toBe(false);
  });
});

describe('jsonlSample', () => {
  it('takes one box or a list, in original pixels, and rejects reversed ones', () => {
    const base = { image: 'a.png', question: 'Q?', options: ['(A) x', '(B) y'], answer: 'A' };
    const one = jsonlSample({ ...base, bbox: [1, 2, 30, 40] }, 3);
    expect(one.ok && one.sample.targets).toEqual([[1, 2, 30, 40]]);
    expect(one.ok && one.sample.id).toBe('3');
    const two = jsonlSample({ ...base, bbox: [[1, 2, 30, 40], [5, 5, 6, 6]], question_id: 'q9', category: 'street' }, 3);
    expect(two.ok && [two.sample.id, two.sample.category, two.sample.targets.length]).toEqual(['q9', 'street', 2]);
    expect(jsonlSample({ ...base, bbox: [30, 2, 1, 40] }, 1).ok).toBe(false);
    expect(jsonlSample({ ...base, options: 'A or B' }, 1)).toEqual({ ok: false, message: '"options" must be a list of strings, e.g. ["(A) red", "(B) blue"]' });
  });
});
