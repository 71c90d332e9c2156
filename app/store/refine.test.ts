import { describe, expect, it } from 'vitest';
import type { LensImage } from './lensStore';
import { startRun, type RunState } from './runState';
import { refineState } from './selectors';

const image: LensImage = { blob: new Blob([]), name: 'a.png', width: 640, height: 480, sha256: null, sourceUrl: null, sample: null };
const ergo = (over: Partial<RunState> = {}): RunState =>
  startRun({ requestId: 'r2', kind: 'ergo', question: 'Q?', modelId: 'm', settings: { budget: 64, maxNewTokens: 4, fallback: 'skip', directCap: 256, decoding: 'generation-config' }, image, status: 'done', ...over });

describe('refineState: the one "can refine" rule', () => {
  it('offers a finished ERGO run; reuses the kept coarse turn when the worker holds it, else recomputes', () => {
    expect(refineState({ run: ergo(), keptCoarse: 'r2' })).toEqual({ ok: true, recompute: false });
    expect(refineState({ run: ergo(), keptCoarse: null })).toEqual({ ok: true, recompute: true });
    expect(refineState({ run: ergo(), keptCoarse: 'r5' })).toEqual({ ok: true, recompute: true });
  });
  it('a fine re-run refines its ERGO run, even after it failed or was stopped', () => {
    const fine = ergo({ requestId: 'r3', kind: 'fine', ergoRequestId: 'r2', status: 'error' });
    expect(refineState({ run: fine, keptCoarse: 'r2' })).toEqual({ ok: true, recompute: false });
  });
  it('says why not for a stopped or failed ERGO run', () => {
    expect(refineState({ run: ergo({ status: 'cancelled' }), keptCoarse: null })).toMatchObject({ ok: false, reason: expect.stringContaining('stopped') });
    expect(refineState({ run: ergo({ status: 'error' }), keptCoarse: null })).toMatchObject({ ok: false, reason: expect.stringContaining('failed') });
  });
  it('offers nothing while running, for baselines and traces', () => {
    expect(refineState({ run: ergo({ status: 'running' }), keptCoarse: null })).toBeNull();
    expect(refineState({ run: ergo({ kind: 'direct' }), keptCoarse: null })).toBeNull();
    expect(refineState({ run: null, keptCoarse: null })).toBeNull();
  });
});
