import { describe, expect, it } from 'vitest';
import { boxIn, parseZoomBox } from '../core';
import { applyRunEvent, cropNote, describeBox, displayedBox, startRun } from './runState';

const image = { blob: new Blob([]), name: 'a.png', width: 3840, height: 2160, sha256: null, sourceUrl: null, sample: null };

const base = startRun({
  requestId: 'r2',
  kind: 'ergo',
  question: 'Q?',
  modelId: 'tiny-random-qwen2_5_vl',
  settings: { budget: 1280, maxNewTokens: 64, fallback: 'skip', directCap: 4096 },
  image,
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
    expect(describeBox(run)).toBe('No usable box: the box has no area in the image, so the fine turn was skipped (the coarse answer stands).');
  });

  it('says whether the box was parsed or drawn by the user, and whether it was asked about', () => {
    const box = boxIn('coarse', [10, 20, 30, 40]);
    const crop = { x1: 28, y1: 57, x2: 85, y2: 114 };
    const done = { ...base, status: 'done' as const };
    expect(describeBox({ ...done, box: { kind: 'parsed', box, crop } })).toBe('Box parsed: [10, 20, 30, 40] in the coarse image.');
    // A trace's box drawn by hand stays the user's box after import.
    expect(describeBox({ ...done, kind: 'trace', box: { kind: 'manual', box, crop } })).toBe('Your box: [10, 20, 30, 40] in the coarse image.');
    // A hand-drawn box over a parsed one is the user's, not "parsed", until a fine turn uses it.
    expect(describeBox({ ...done, box: { kind: 'parsed', box, crop } }, boxIn('coarse', [1, 2, 3, 4]))).toBe(
      'Your box: [1, 2, 3, 4] in the coarse image, not asked about yet: press "Ask about this region".',
    );
    expect(describeBox({ ...done, kind: 'fine', box: { kind: 'manual', box, crop } }, box)).toBe('Your box: [10, 20, 30, 40] in the coarse image.');
  });
});

describe('cropNote', () => {
  it('is pending while stage 1 has not named a region, and says why there is none once the run ended', () => {
    expect(cropNote(null).state).toBe('idle');
    const streaming = applyRunEvent(applyRunEvent(base, { type: 'phase', requestId: 'r2', stage: 'coarse', phase: 'generate' }), { type: 'partial', requestId: 'r2', stage: 'coarse', text: '<think>looking' });
    expect(cropNote(streaming)).toEqual({ state: 'pending', text: 'Waiting for stage 1 to name a region…' });
    expect(cropNote(applyRunEvent(streaming, { type: 'cancelled', requestId: 'r2' }))).toEqual({ state: 'none', text: 'No crop: the run was stopped before the model named a region.' });
    expect(cropNote(applyRunEvent(streaming, { type: 'error', requestId: 'r2', error: { code: 'x', message: 'boom' } })).text).toBe('No crop: the run failed before the model named a region.');
    const none = applyRunEvent(streaming, { type: 'box', requestId: 'r2', status: { kind: 'none', reason: 'no-zoom', fallback: 'skip' } });
    expect(cropNote(none)).toEqual({ state: 'none', text: 'No crop: the box is missing or empty.' });
  });
});

describe('compilingShaders', () => {
  it('follows the phase that reports it', () => {
    const first = applyRunEvent(base, { type: 'phase', requestId: 'r2', stage: 'coarse', phase: 'encode', compilingShaders: true });
    expect(first.compilingShaders).toBe(true);
    expect(applyRunEvent(first, { type: 'phase', requestId: 'r2', stage: 'coarse', phase: 'generate' }).compilingShaders).toBe(false);
  });
});
