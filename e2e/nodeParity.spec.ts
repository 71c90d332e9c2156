import { expect, test } from '@playwright/test';
import { loadNodeEngine } from '../engines/node/load';
import { recordingContext } from '../engines/node/testImages';
import { runErgo } from '../pipeline/runs';
import type { RecordedEvent } from './harness/engineDriver';
import { openHarness } from './support';

// The same ERGO run (fp32 tiny random model, same PNG, same question) in the browser worker on wasm
// and on the Node engine (onnxruntime-node): the same tokens, turn by turn.

const SETTINGS = { budget: 256, maxNewTokens: 24, fallback: 'full-image', directCap: 256 } as const;
const QUESTION = 'What is written on the small red sign?';

test('the browser worker on wasm and the Node engine write the same tokens', async ({ page }) => {
  await openHarness(page);
  const browser = await page.evaluate(
    async ({ settings, question }) => {
      const engine = window.harness.createEngine();
      const blob = await window.harness.patternImage(900, 600);
      await engine.waitFor(engine.send({ type: 'load', modelId: 'tiny-random-qwen2_5_vl', backend: 'wasm' }));
      const events = await engine.waitFor(engine.send({ type: 'run-ergo', image: { blob, name: 'p.png' }, question, settings }));
      const bytes = new Uint8Array(await blob.arrayBuffer());
      let png = '';
      for (const b of bytes) png += String.fromCharCode(b);
      return { events, png: btoa(png) };
    },
    { settings: SETTINGS, question: QUESTION },
  );
  const engine = await loadNodeEngine({ model: 'tiny-random-qwen2_5_vl' });
  try {
    const { ctx, events } = recordingContext(engine);
    const kept = await runErgo(ctx, { blob: new Blob([Buffer.from(browser.png, 'base64')], { type: 'image/png' }), name: 'p.png' }, QUESTION, SETTINGS);
    engine.release(kept.turn);
    const turns = (list: readonly RecordedEvent[]) => list.flatMap((e) => (e.type === 'stage-result' ? [{ stage: e.stage, text: e.text, decodeTokens: e.stats.decodeTokens, prefillTokens: e.stats.prefillTokens, cachedTokens: e.stats.cachedTokens }] : []));
    const inBrowser = turns(browser.events);
    // The random model writes no box: the full-image fallback gives both turns.
    expect(inBrowser.map((t) => t.stage)).toEqual(['coarse', 'fine']);
    expect(inBrowser[0]!.decodeTokens).toBeGreaterThan(0);
    expect(turns(events)).toEqual(inBrowser);
  } finally {
    await engine.dispose();
  }
});
