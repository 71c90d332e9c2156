import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { readDataset } from '../../cli/eval/datasets';
import type { EvalEngine, EvalJob } from '../../cli/eval/engine';
import { baselineOutcome, ergoOutputs, settingsOf, type RunEvent } from '../../cli/eval/hosts';
import { runEval } from '../../cli/eval/run';
import { summarizePolicy } from '../../models/policy/evaluate';
import { POLICY_BUDGET, POLICY_ID } from '../../models/policy/spec';
import { openHarness } from '../support';

// The built-in policy's evaluation in the browser (`npm run test:long:e2e -- policyEval`): every
// scene of POLICY_SCENES (a scenes.jsonl from `npm run scenes`) through the real inference worker
// on wasm, ERGO and the coarse-only baseline, written by the same runner as `npm run eval` to
// POLICY_OUT (default .cache/eval-scenes/browser-wasm.jsonl; resumable), and summarised as
// `npm run models:eval` does. POLICY_LIMIT takes the first N scenes.
const scenes = process.env.POLICY_SCENES;
const out = resolve(process.env.POLICY_OUT ?? '.cache/eval-scenes/browser-wasm.jsonl');
const limit = process.env.POLICY_LIMIT ? Number(process.env.POLICY_LIMIT) : null;

test.skip(!scenes, 'set POLICY_SCENES to a scenes.jsonl written by npm run scenes');

/** One pipeline request in the page's worker; returns its events (image pixels left in the page). */
async function inPage(page: Page, request: 'run-ergo' | 'run-baseline', job: EvalJob, kind?: 'direct' | 'coarse-only'): Promise<RunEvent[]> {
  const events = await page.evaluate(
    async ({ request, png, name, question, fineQuestion, settings, kind }) => {
      const engine = window.engine!;
      const bytes = Uint8Array.from(atob(png), (c) => c.charCodeAt(0));
      const image = { blob: new Blob([bytes], { type: 'image/png' }), name };
      const id =
        request === 'run-ergo'
          ? engine.send({ type: 'run-ergo', image, question, fineQuestion, settings })
          : engine.send({ type: 'run-baseline', kind: kind!, image, question: fineQuestion, settings });
      return engine.waitFor(id);
    },
    { request, png: Buffer.from(job.image).toString('base64'), name: job.imageName, question: job.question, fineQuestion: job.fineQuestion, settings: settingsOf(job), kind },
  );
  const failure = events.find((e) => e.type === 'error');
  if (failure && failure.type === 'error') throw new Error(`${failure.error.code}: ${failure.error.message}`);
  return events as RunEvent[];
}

function originalOf(events: readonly RunEvent[]) {
  const image = events.find((e) => e.type === 'image');
  if (!image || image.type !== 'image') throw new Error('the run reported no image');
  return image.original;
}

test(`${POLICY_ID} on held-out scenes in the browser worker on wasm`, async ({ page }) => {
  test.setTimeout(0);
  await openHarness(page);
  const loaded = await page.evaluate(async (modelId) => {
    const engine = (window.engine = window.harness.createEngine());
    const events = await engine.waitFor(engine.send({ type: 'load', modelId, backend: 'wasm' }));
    return events.at(-1)!.type;
  }, POLICY_ID);
  expect(loaded).toBe('loaded');
  const engine: EvalEngine = {
    model: POLICY_ID,
    label: 'browser wasm',
    convention: 'pixels-coarse',
    concurrent: false,
    async ergo(job) {
      const started = performance.now();
      const events = await inPage(page, 'run-ergo', job);
      return { original: originalOf(events), outputs: ergoOutputs(events, performance.now() - started) };
    },
    async baseline(kind, job) {
      const events = await inPage(page, 'run-baseline', job, kind);
      return baselineOutcome(events, originalOf(events));
    },
    close: async () => {},
  };
  mkdirSync(dirname(out), { recursive: true });
  const dataset = await readDataset(resolve(scenes!), 'jsonl');
  let last = 0;
  const report = await runEval({
    dataset,
    engine,
    out,
    budget: POLICY_BUDGET,
    maxNewTokens: 96,
    modes: ['ergo', 'coarse-only'],
    limit,
    concurrency: 1,
    signal: new AbortController().signal,
    onProgress: (done) => {
      if (done - last >= 25) process.stderr.write(`${(last = done)} runs\n`);
    },
  });
  const summary = summarizePolicy(out);
  console.log(JSON.stringify({ results: out, ...summary }, null, 2));
  expect(report.lines.filter((l) => 'failed' in l).length).toBe(0);
  expect(summary.modes.ergo?.samples).toBe(limit ?? dataset.samples.length);
});
