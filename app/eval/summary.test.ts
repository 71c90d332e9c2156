import { describe, expect, it } from 'vitest';
import { boxIn } from '../core/geometry';
import type { EvalResultLine, FailedLine, ResultFileLine } from './results';
import { summarize, summaryTable } from './summary';

function line(id: string, category: string, correct: boolean, extra: Partial<EvalResultLine> = {}): EvalResultLine {
  return {
    id, question_id: Number(id), category, mode: 'ergo', question: 'q', options: [], postfix: '', image: { kind: 'file', path: 'x' },
    image_size: { width: 100, height: 100 }, coarse_size: { width: 56, height: 56 }, budget: 1280,
    coarse_output: '', fine_output: '', box_status: 'parsed', box_coarse: null, box_original: null, crop: null, fallback: 'none',
    pred: correct ? 'A' : 'B', label: 'A', correct, targets: [], containment: null, iou: null,
    usage: { coarse: { vision_tokens: 4, text_tokens: 1, prompt_tokens: 5, completion_tokens: 1, cached_tokens: 0, ms: 1 }, fine: null },
    vision_tokens: 100, total_ms: 1000, model: 'm', engine: 'e', ...extra,
  };
}
const failed = (id: string, category: string): FailedLine => ({ id, question_id: Number(id), category, mode: 'ergo', failed: true, error: { code: 'x', message: 'y' }, model: 'm', engine: 'e' });

describe('summarize', () => {
  it('scores per official category; the total counts only those; failures apart', () => {
    const lines: ResultFileLine[] = [
      line('1', 'direct_attributes', true), line('2', 'direct_attributes', false), line('3', 'relative_position', true),
      failed('4', 'relative_position'), line('5', 'unlisted', true),
    ];
    const s = summarize(lines, ['direct_attributes', 'relative_position']);
    const ergo = s.modes[0]!;
    expect(ergo.categories.map((c) => [c.category, c.correct, c.count, c.failed])).toEqual([['direct_attributes', 1, 2, 0], ['relative_position', 1, 1, 1]]);
    // Official: 2 of 3 completed; with the failure counted wrong, 2 of 4.
    expect(ergo.total.accuracy).toBeCloseTo(2 / 3, 12);
    expect(ergo.total.accuracyCountingFailures).toBe(0.5);
    expect(summaryTable(s)).toContain('66.67% (2/3) +1 failed');
  });

  it('a retry after a failure replaces it (resume appends)', () => {
    const s = summarize([failed('1', 'a'), line('1', 'a', true)], null);
    expect(s.modes[0]!.total).toMatchObject({ correct: 1, count: 1, failed: 0 });
  });

  it('ERGO vs direct over paired samples, and the confusion of wrong answers by box placement', () => {
    const target = { targets: [boxIn('original', [0, 0, 10, 10])] };
    const lines: ResultFileLine[] = [
      line('1', 'a', false, { ...target, containment: 1 }),
      line('2', 'a', false, { ...target, containment: 0.1 }),
      line('3', 'a', true, { ...target, containment: 0.9, vision_tokens: 200 }),
      line('1', 'a', true, { mode: 'direct', vision_tokens: 1000, total_ms: 4000 }),
      line('2', 'a', false, { mode: 'direct', vision_tokens: 1000, total_ms: 4000 }),
    ];
    const s = summarize(lines, null);
    // Pairs 1 and 2: ERGO 0/2 vs direct 1/2 = -50 points; tokens 200 / 2000; time 2000 / 8000.
    expect(s.ergoVsDirect).toEqual({ samples: 2, accuracyDelta: -50, visionTokenRatio: 0.1, timeRatio: 0.25 });
    expect(s.confusion).toMatchObject({ wrongOnTarget: 1, wrongOffTarget: 1, rightOnTarget: 1, wrongNoBox: 0 });
    expect(summaryTable(s)).toContain('ERGO vs direct over 2 samples: -50.00 points, 10.0% of the vision tokens, 0.25x the time');
  });
});
