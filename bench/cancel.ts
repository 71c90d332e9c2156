/**
 * What making cancel land within one token costs per token, for the two ways the worker reads it
 * (see pipeline/cancelFlag.ts): reading a shared flag, or yielding one task (a MessageChannel
 * round trip) so a queued `cancel` message runs. Both are timed in a worker of headless Chromium,
 * and set against the time of one decode step of the tiny model on wasm, measured in the same run.
 */
import { openHarness } from './site';

const CHECKPOINTS = 20_000;
const TOKENS = 64;

export async function benchCancel(): Promise<void> {
  const { page, close } = await openHarness();
  try {
    const out = await page.evaluate(
      async ({ checkpoints, tokens }) => {
        const engine = window.harness.createEngine();
        const end = async (id: string) => {
          const last = (await engine.waitFor(id)).at(-1)!;
          if (last.type !== 'result' && last.type !== 'loaded') throw new Error(JSON.stringify(last));
          return last;
        };
        await end(engine.send({ type: 'load', modelId: 'tiny-random-qwen2_5_vl', backend: 'wasm' }));
        const image = { blob: await window.harness.patternImage(640, 480), name: 'p.png' };
        const settings = { budget: 64, maxNewTokens: tokens, fallback: 'skip' as const, directCap: 256 };
        await end(engine.send({ type: 'run-baseline', kind: 'coarse-only', image, question: 'warm-up', settings }));
        const run = await end(engine.send({ type: 'run-baseline', kind: 'coarse-only', image, question: 'Describe the picture.', settings }));
        engine.dispose();
        const stage = run.type === 'result' ? run.stages[0]! : null;
        const checkpoint = await window.harness.timeCancelCheckpoints(checkpoints);
        return { isolated: crossOriginIsolated, decodeMsPerToken: stage && stage.decodeTokens > 1 ? stage.decodeMs / stage.decodeTokens : null, tokens: stage?.decodeTokens ?? 0, checkpoint };
      },
      { checkpoints: CHECKPOINTS, tokens: TOKENS },
    );
    const us = (ms: number) => `${(ms * 1000).toFixed(2)} µs`;
    console.log(`\n## Cancel checkpoint per token (headless Chromium worker, ${CHECKPOINTS} checkpoints each; page isolated: ${out.isolated})`);
    console.log(`shared flag (Atomics.load):     ${us(out.checkpoint.shared)}`);
    console.log(`yielded task (MessageChannel):  ${us(out.checkpoint.message)}  (${(out.checkpoint.message / out.checkpoint.shared).toFixed(0)}x the shared flag)`);
    if (out.decodeMsPerToken !== null) {
      const pct = (ms: number) => `${((100 * ms) / out.decodeMsPerToken!).toFixed(3)}%`;
      console.log(`one decode step, tiny model on wasm: ${out.decodeMsPerToken.toFixed(2)} ms (mean of ${out.tokens} tokens)`);
      console.log(`overhead per token: shared ${pct(out.checkpoint.shared)}, yielded task ${pct(out.checkpoint.message)}`);
    }
  } finally {
    await close();
  }
}
