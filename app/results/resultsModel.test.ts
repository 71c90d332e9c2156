import { describe, expect, it } from 'vitest';
import { boxIn } from '../core/geometry';
import type { EvalResultLine } from '../eval/results';
import { DEFAULT_FILTER, facets, readResultsText, viewResults } from './resultsModel';

function line(id: string, over: Partial<EvalResultLine>): EvalResultLine {
  return {
    id, question_id: id, category: 'a', mode: 'ergo', question: 'q', options: [], postfix: '', image: { kind: 'file', path: `${id}.png` },
    image_size: { width: 100, height: 100 }, coarse_size: { width: 56, height: 56 }, budget: 1280, coarse_output: '', fine_output: null,
    box_status: 'parsed', box_coarse: boxIn('coarse', [0, 0, 10, 10]), box_original: boxIn('original', [0, 0, 10, 10]), crop: { x1: 0, y1: 0, x2: 10, y2: 10 }, fallback: 'none',
    pred: 'A', label: 'A', correct: true, targets: [boxIn('original', [0, 0, 5, 5])], containment: 1, iou: 0.25,
    usage: { coarse: { vision_tokens: 4, text_tokens: null, prompt_tokens: null, completion_tokens: null, cached_tokens: null, ms: null }, fine: null },
    vision_tokens: 10, total_ms: null, model: 'm', engine: 'e', ...over,
  };
}

const lines = [
  line('1', { correct: false, containment: 0.9, vision_tokens: 30 }),
  line('2', { correct: false, containment: 0.1, vision_tokens: 10, category: 'b' }),
  line('3', { crop: null, box_status: 'no-zoom', containment: null, vision_tokens: 20 }),
  line('4', { containment: 0.6, vision_tokens: 40, category: 'b' }),
  line('1', { mode: 'direct', vision_tokens: 100, box_status: 'baseline', crop: null, containment: null }),
];

describe('viewResults', () => {
  it('filters by mode, category, outcome, box found and containment', () => {
    const ids = (f: Partial<typeof DEFAULT_FILTER>) => viewResults(lines, { ...DEFAULT_FILTER, ...f }, 'file').map((l) => l.id);
    expect(ids({})).toEqual(['1', '2', '3', '4']);
    expect(ids({ mode: 'direct' })).toEqual(['1']);
    expect(ids({ category: 'b' })).toEqual(['2', '4']);
    expect(ids({ outcome: 'wrong' })).toEqual(['1', '2']);
    expect(ids({ box: 'none' })).toEqual(['3']);
    // Wrong with the box on the target (>= 0.5) vs off it: the confusion the browser is for.
    expect(ids({ outcome: 'wrong', containment: 'on' })).toEqual(['1']);
    expect(ids({ outcome: 'wrong', containment: 'off' })).toEqual(['2']);
    expect(ids({ containment: 'unknown' })).toEqual(['3']);
  });
  it('sorts by containment or tokens; lines without a value last', () => {
    expect(viewResults(lines, DEFAULT_FILTER, 'containment-asc').map((l) => l.id)).toEqual(['2', '4', '1', '3']);
    expect(viewResults(lines, DEFAULT_FILTER, 'containment-desc').map((l) => l.id)).toEqual(['1', '4', '2', '3']);
    expect(viewResults(lines, DEFAULT_FILTER, 'tokens-desc').map((l) => l.id)).toEqual(['4', '1', '3', '2']);
  });
  it('lists facets', () => {
    expect(facets(lines)).toEqual({ categories: ['a', 'b'], modes: ['ergo', 'direct'] });
  });
});

describe('readResultsText', () => {
  it('keeps good lines, counts failed samples apart, and names bad lines without giving up', () => {
    const failed = { id: '9', question_id: 9, category: 'a', mode: 'ergo', failed: true, error: { code: 'x', message: 'y' }, model: 'm', engine: 'e' };
    const text = [JSON.stringify(lines[0]), 'garbage', JSON.stringify(failed), JSON.stringify({ id: 1 }), ''].join('\n');
    const file = readResultsText('r.jsonl', text);
    expect(file.lines).toHaveLength(1);
    expect(file.failed).toBe(1);
    expect(file.badLines).toBe(2);
    expect(file.problems).toEqual(['line 2: not JSON', 'line 4: no "id"']);
  });
});
