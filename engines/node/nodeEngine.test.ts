// The pipeline on the Node engine (onnxruntime-node): the scripted model writes its box, the crop
// is cut and the fine turn continues the kept coarse turn; the random model runs every fallback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boxIn } from '../../app/core/geometry';
import { runBaseline, runErgo, runManualFine } from '../../pipeline/runs';
import type { TransformersEngine } from '../transformers/engine';
import { loadNodeEngine } from './load';
import { patternPng, recordingContext } from './testImages';

const SETTINGS = { budget: 64, maxNewTokens: 64, fallback: 'skip', directCap: 256 } as const;
const SCRIPTED = { coarse: '<think>the red square</think><zoom>[100, 40, 180, 120]</zoom>', fine: '<think>the square is red</think><answer>red</answer>' };

describe('the scripted model on the Node engine', () => {
  let engine: TransformersEngine;
  let image: Blob;
  beforeAll(async () => {
    engine = await loadNodeEngine({ model: 'tiny-scripted-qwen2_5_vl' });
    image = new Blob([await patternPng(640, 480)], { type: 'image/png' });
  });
  afterAll(async () => engine?.dispose());

  it('writes its box; the crop is cut and the fine turn prefills only new tokens', async () => {
    const { ctx, events } = recordingContext(engine);
    const kept = await runErgo(ctx, { blob: image, name: 'p.png' }, 'What color is the square?', SETTINGS);
    const texts = events.flatMap((e) => (e.type === 'stage-result' ? [e.text] : []));
    expect(texts).toEqual([SCRIPTED.coarse, SCRIPTED.fine]);
    // Box [100,40,180,120] on the 252x196 coarse image of 640x480: x * 640/252, y * 480/196, truncated.
    expect(events.find((e) => e.type === 'box')).toMatchObject({ status: { kind: 'parsed', crop: { x1: 253, y1: 97, x2: 457, y2: 293 } } });
    const result = events.at(-1)!;
    expect(result).toMatchObject({ type: 'result', answer: 'red', backend: 'cpu' });
    if (result.type !== 'result') return;
    const [coarse, fine] = result.stages;
    expect(fine).toMatchObject({ visionTokens: 49, encoderRows: 49, cachedTokens: coarse!.prefillTokens + coarse!.decodeTokens });

    // Another question, of another length: the same replies (they depend on the turn, not the prompt).
    const manual = recordingContext(engine, 'r2');
    await runManualFine(manual.ctx, kept, boxIn('coarse', [20, 20, 120, 100]), true);
    expect(manual.events.find((e) => e.type === 'stage-result')).toMatchObject({ stage: 'fine', text: SCRIPTED.fine });
    engine.release(kept.turn);
  });

  it('a baseline is a first turn: it gets the first reply', async () => {
    const { ctx, events } = recordingContext(engine);
    await runBaseline(ctx, 'coarse-only', { blob: image, name: 'p.png' }, 'Anything to see here at all?', SETTINGS);
    expect(events.find((e) => e.type === 'stage-result')).toMatchObject({ text: SCRIPTED.coarse });
  });
});
