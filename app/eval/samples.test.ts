import { describe, expect, it } from 'vitest';
import { choiceFineQuestion, HRBENCH_POSTFIX, VSTAR_POSTFIX } from '../core';
import { hrbenchSample, mmerwlSample, OFFICIAL_CATEGORIES, vstarSample } from './samples';

describe('V*', () => {
  const line = {
    question_id: 12,
    image: 'direct_attributes/sa_1.jpg',
    text: "What is the color of the cup?\n(A) red\n(B) blue\n(C) green\n(D) white\nAnswer with the option's letter from the given choices directly.",
    category: 'direct_attributes',
    label: 'B',
  };
  it('splits text as preprocess_data does: first line question, middle options, last the postfix', () => {
    const parsed = vstarSample(line, { bbox: [[10, 20, 30, 40]], target_object: ['cup'] });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.sample.question).toBe('What is the color of the cup?');
    expect(parsed.sample.options).toEqual(['(A) red', '(B) blue', '(C) green', '(D) white']);
    expect(parsed.sample.postfix).toBe(VSTAR_POSTFIX);
    // Annotation boxes are [x, y, w, h]: 10+30, 20+40.
    expect(parsed.sample.targets).toEqual([[10, 20, 40, 60]]);
    // The fine turn's question, byte for byte as eval.py builds it.
    expect(choiceFineQuestion(parsed.sample)).toBe(line.text);
  });
  it('names what is missing', () => {
    expect(vstarSample({ ...line, text: undefined })).toEqual({ ok: false, message: 'no "text" string (question, options and postfix, one per line)' });
    expect(vstarSample({ ...line, question_id: undefined }).ok).toBe(false);
  });
});

describe('HR-Bench and MME-RealWorld rows', () => {
  it('HR-Bench options are "A:{A}" with no space, the postfix has a leading space, ids per file', () => {
    const parsed = hrbenchSample({ question: 'How many?', A: 1, B: 'two', C: '3', D: '4', answer: 'B' }, 5, 5, '8k', 'hr_bench_8k.parquet');
    expect(parsed.ok && parsed.sample).toMatchObject({ id: '8k/5', questionId: 5, category: '8k', options: ['A:1', 'B:two', 'C:3', 'D:4'], postfix: HRBENCH_POSTFIX });
    expect(parsed.ok && choiceFineQuestion(parsed.sample)).toBe("How many?\nA:1\nB:two\nC:3\nD:4\n Answer with the option's letter from the given choices directly.");
    expect(hrbenchSample({ question: 'q', A: 1, B: 2, C: 3, answer: 'A' }, 0, 0, '4k', 'f').ok).toBe(false);
  });
  it('MME-RealWorld options are taken as listed', () => {
    const parsed = mmerwlSample({ question: 'Q', 'multi-choice options': ['(A) x', '(B) y'], answer: 'A', category: 'Perception/Monitoring' }, 3, 3, '00002', 'data/train-00002-of-00004.parquet');
    expect(parsed.ok && parsed.sample).toMatchObject({ id: '00002/3', questionId: 3, options: ['(A) x', '(B) y'], image: { kind: 'parquet', row: 3, column: 'bytes' } });
    expect(OFFICIAL_CATEGORIES.mmerwl).toHaveLength(10);
    expect(OFFICIAL_CATEGORIES.mmerwl).toContain('Reasoning/OCR with Complex Context');
  });
});
