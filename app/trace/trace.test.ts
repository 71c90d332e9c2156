import { describe, expect, it } from 'vitest';
import { parseTrace } from './trace';

describe('parseTrace', () => {
  it('reads a trace from another runtime (snake_case, stage1/stage2, image_size pair)', () => {
    const result = parseTrace({ question: 'What is written?', stage1: '<think>t</think><zoom>[10, 20, 300, 400]</zoom>', stage2: '<answer>STOP</answer>', image_size: [3840, 2160] });
    expect(result).toMatchObject({ ok: true, trace: { box: [10, 20, 300, 400], image: { width: 3840, height: 2160, sha256: null }, fineOutput: '<answer>STOP</answer>' } });
  });

  it('prefers an explicit box over the parsed one', () => {
    const result = parseTrace({ question: 'q', coarse_output: '<zoom>[1, 2, 3, 4]</zoom>', bbox: [5, 6, 70, 80], image: { width: 100, height: 50 } });
    expect(result.ok && result.trace.box).toEqual([5, 6, 70, 80]);
  });

  it('rejects what it cannot use, saying what is wrong', () => {
    expect(parseTrace(null)).toMatchObject({ ok: false, code: 'trace-not-object' });
    expect(parseTrace({ stage1: 'x', image_size: [1, 1] })).toMatchObject({ ok: false, code: 'trace-no-question' });
    expect(parseTrace({ question: 'q', image_size: [1, 1] })).toMatchObject({ ok: false, code: 'trace-no-coarse-output' });
    expect(parseTrace({ question: 'q', stage1: 'x', image_size: [0, 5] })).toMatchObject({ ok: false, code: 'trace-no-image-size' });
    expect(parseTrace({ question: 'q', stage1: 'x', image_size: [5, 5], box: [1, 2, 'x', 4] })).toMatchObject({ ok: false, code: 'trace-bad-box' });
    expect(parseTrace({ question: 'q', stage1: 'x', image_size: [5, 5], box: [-1, 2, 3, 4] })).toMatchObject({ ok: false, code: 'trace-bad-box' });
  });

  it('keeps who named the box and the run\'s own statistics', () => {
    const stage = { stage: 'coarse', imageSize: { width: 1344, height: 756 }, visionTokens: 1296, encoderRows: 1296, encoderMs: 10, cachedTokens: 0, prefillTokens: 1330, prefillMs: 20, decodeTokens: 5, decodeMs: 30, tokensPerSecond: 133.3, totalMs: 60 };
    const fine = { ...stage, stage: 'fine', imageSize: { width: 0, height: 0 }, visionTokens: 0, encoderRows: 0 };
    const result = parseTrace({ question: 'q', coarse_output: 'x', box: [1, 2, 30, 40], box_status: { kind: 'manual' }, image_size: [100, 50], stats: [stage, fine, { stage: 'coarse' }, 'junk'] });
    expect(result).toMatchObject({ ok: true, trace: { boxSource: 'manual', stats: [stage, fine] } });
    expect(parseTrace({ question: 'q', stage1: '<zoom>[1, 2, 3, 4]</zoom>', image_size: [9, 9] })).toMatchObject({ ok: true, trace: { boxSource: 'parsed', stats: [] } });
  });
});
