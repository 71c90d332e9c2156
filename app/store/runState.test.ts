import { describe, expect, it } from 'vitest';
import { parseZoomBox } from '../core';
import { applyRunEvent, describeBox, displayedBox, startRun } from './runState';

const base = startRun({
  requestId: 'r2',
  kind: 'ergo',
  question: 'Q?',
  modelId: 'tiny-random-qwen2_5_vl',
  settings: { budget: 1280, maxNewTokens: 64, fallback: 'skip', directCap: 4096 },
  original: { width: 3840, height: 2160 },
  imageName: 'a.png',
});

describe('applyRunEvent', () => {
  it('appends streamed chunks per stage and ignores other requests', () => {
    let run = applyRunEvent(base, { type: 'partial', requestId: 'r2', stage: 'coarse', text: '<think>a' });
    run = applyRunEvent(run, { type: 'partial', requestId: 'r1', stage: 'coarse', text: 'OTHER' });
    run = applyRunEvent(run, { type: 'partial', requestId: 'r2', stage: 'coarse', text: '</think><zoom>[1, 2, 30, 40]</zoom>' });
    expect(run.texts.coarse).toBe('<think>a</think><zoom>[1, 2, 30, 40]</zoom>');
    // Drawn the moment </zoom> arrives, before the worker's box event.
    expect(displayedBox(run, parseZoomBox)).toEqual([1, 2, 30, 40]);
  });

  it('ends with the result, a cancel or an error', () => {
    const stats = { stage: 'coarse', imageSize: { width: 1344, height: 756 }, visionTokens: 1296, encoderRows: 1296, encoderMs: 1, cachedTokens: 0, prefillTokens: 1300, prefillMs: 2, decodeTokens: 3, decodeMs: 3, tokensPerSecond: 1000, totalMs: 6 } as const;
    const done = applyRunEvent(base, { type: 'result', requestId: 'r2', answer: 'A', stages: [stats], fullImageTokens: 10549, backend: 'wasm', totalMs: 6, generation: { eosIds: [151645, 151643], repetitionPenalty: 1.05 } });
    expect(done).toMatchObject({ status: 'done', answer: 'A', stages: [stats], generation: { eosIds: [151645, 151643], repetitionPenalty: 1.05 } });
    expect(applyRunEvent(base, { type: 'cancelled', requestId: 'r2' }).status).toBe('cancelled');
    expect(applyRunEvent(base, { type: 'error', requestId: 'r2', error: { code: 'x', message: 'boom' } })).toMatchObject({ status: 'error', error: { message: 'boom' } });
  });

  it('hides the live box once the worker reports none', () => {
    let run = applyRunEvent(base, { type: 'partial', requestId: 'r2', stage: 'coarse', text: '<zoom>[5, 5, 5, 9]</zoom>' });
    run = applyRunEvent(run, { type: 'box', requestId: 'r2', status: { kind: 'none', reason: 'degenerate', fallback: 'skip' } });
    expect(displayedBox(run, parseZoomBox)).toBeNull();
    expect(describeBox(run.box)).toBe('No usable box: the box has no area in the image, so the fine turn was skipped (the coarse answer stands).');
  });
});
