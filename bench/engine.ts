/**
 * In-browser engine benchmark: headless Chromium (wasm backend) runs the real worker on the tiny
 * Qwen2.5-VL model and a V*-sized 2246x1582 image, and prints vision tokens and wall time per stage
 * for ERGO (coarse + fine turn) against the direct baseline, and what the fine turn saves by
 * reusing the coarse turn's KV cache instead of recomputing the two-image conversation.
 *
 * The tiny model has random weights and never writes a box, so the fine turn runs on a fixed box
 * (a manual-box fine turn on the kept coarse turn): the same work ERGO does after a parsed box.
 * Numbers are for the runtime's plumbing at these token counts, not for a real model's speed.
 */
import { boxIn } from '../app/core/geometry';
import type { StageStats } from '../pipeline/protocol';
import { openHarness } from './site';

const IMAGE = { width: 2246, height: 1582 };
const BUDGETS = [640, 1280];
const MAX_NEW_TOKENS = 16;
/** A box around the middle of the coarse image, in coarse pixels (scaled per budget below). */
const BOX_FRACTION = [0.4, 0.3, 0.7, 0.6] as const;

interface BenchResult {
  readonly budget: number;
  readonly coarse: StageStats;
  readonly fineCached: StageStats;
  readonly fineScratch: StageStats;
  readonly direct: StageStats;
  readonly directNotice: string | null;
  readonly fullImageTokens: number;
}

const ms = (v: number): string => `${v.toFixed(0)} ms`;

function row(label: string, s: StageStats): string {
  return [label.padEnd(26), String(s.visionTokens).padStart(6), String(s.encoderRows).padStart(6), String(s.cachedTokens).padStart(7), String(s.prefillTokens).padStart(7), ms(s.encoderMs).padStart(9), ms(s.prefillMs).padStart(9), ms(s.decodeMs).padStart(9), ms(s.totalMs).padStart(9)].join(' ');
}

export async function benchEngine(): Promise<void> {
  const { page, close } = await openHarness();
  try {
    const results = await page.evaluate(
      async ({ image, budgets, maxNewTokens, boxFraction }) => {
        const engine = window.harness.createEngine();
        const blob = await window.harness.patternImage(image.width, image.height);
        const file = { blob, name: 'vstar-size.png' };
        const end = async (id: string) => {
          const events = await engine.waitFor(id);
          const last = events.at(-1)!;
          if (last.type !== 'result' && last.type !== 'loaded') throw new Error(JSON.stringify(last));
          return events;
        };
        const loaded = (await end(engine.send({ type: 'load', modelId: 'tiny-random-qwen2_5_vl', backend: 'wasm' }))).at(-1)!;
        // One untimed ERGO run first: wasm compilation and kernel warm-up would otherwise land in the first row.
        await end(engine.send({ type: 'run-ergo', image: file, question: 'warm-up', settings: { budget: budgets[0]!, maxNewTokens, fallback: 'skip', directCap: 16384 } }));
        const out = [];
        for (const budget of budgets) {
          const settings = { budget, maxNewTokens, fallback: 'skip' as const, directCap: 16384 };
          const ergoId = engine.send({ type: 'run-ergo', image: file, question: 'What is the color of the square?', settings });
          const ergo = await end(ergoId);
          const ergoResult = ergo.at(-1)!;
          const coarseImage = ergo.find((e) => e.type === 'image')!;
          if (ergoResult.type !== 'result' || coarseImage.type !== 'image') throw new Error('no ERGO result');
          const { width, height } = coarseImage.image;
          const box = boxIn('coarse', [boxFraction[0] * width, boxFraction[1] * height, boxFraction[2] * width, boxFraction[3] * height].map(Math.round));
          const cached = (await end(engine.send({ type: 'run-fine', ergoRequestId: ergoId, box }))).at(-1)!;
          const scratch = (await end(engine.send({ type: 'run-fine', ergoRequestId: ergoId, box, reuseCache: false }))).at(-1)!;
          const directEvents = await end(engine.send({ type: 'run-baseline', kind: 'direct', image: file, question: 'What is the color of the square?', settings }));
          const direct = directEvents.at(-1)!;
          const notice = directEvents.find((e) => e.type === 'notice');
          if (cached.type !== 'result' || scratch.type !== 'result' || direct.type !== 'result') throw new Error('missing result');
          out.push({
            budget,
            coarse: ergoResult.stages[0]!,
            fineCached: cached.stages[1]!,
            fineScratch: scratch.stages[1]!,
            direct: direct.stages[0]!,
            directNotice: notice?.type === 'notice' ? notice.message : null,
            fullImageTokens: ergoResult.fullImageTokens,
          });
        }
        engine.dispose();
        return { loaded, out };
      },
      { image: IMAGE, budgets: BUDGETS, maxNewTokens: MAX_NEW_TOKENS, boxFraction: BOX_FRACTION },
    );
    const model = results.loaded.type === 'loaded' ? results.loaded.model : null;
    console.log(`\n## Engine (headless Chromium, ${model?.backend} x${model?.threads} threads, tiny random Qwen2.5-VL, ${IMAGE.width}x${IMAGE.height} image, ${MAX_NEW_TOKENS} new tokens max)`);
    console.log(`model load: ${ms(model?.loadMs ?? 0)}; dtypes ${JSON.stringify(model?.dtypes)}`);
    for (const r of results.out as BenchResult[]) {
      console.log(`\nbudget ${r.budget} tokens; full image at Qwen's 16384 cap = ${r.fullImageTokens} tokens${r.directNotice ? `; ${r.directNotice}` : ''}`);
      console.log(['stage'.padEnd(26), 'vision'.padStart(6), 'enc'.padStart(6), 'cached'.padStart(7), 'prefill'.padStart(7), 'encode'.padStart(9), 'prefill'.padStart(9), 'decode'.padStart(9), 'total'.padStart(9)].join(' '));
      console.log(row('ERGO coarse turn', r.coarse));
      console.log(row('ERGO fine turn (cache)', r.fineCached));
      console.log(row('fine turn from scratch', r.fineScratch));
      console.log(row('direct baseline', r.direct));
      const ergoTokens = r.coarse.visionTokens + r.fineCached.visionTokens;
      const ergoMs = r.coarse.totalMs + r.fineCached.totalMs;
      const saved = r.fineScratch.encoderMs + r.fineScratch.prefillMs - (r.fineCached.encoderMs + r.fineCached.prefillMs);
      console.log(`ERGO total: ${ergoTokens} vision tokens, ${ms(ergoMs)}; direct: ${r.direct.visionTokens} vision tokens, ${ms(r.direct.totalMs)}`);
      console.log(`cache reuse saves ${ms(saved)} of encode+prefill in the fine turn (${r.fineCached.prefillTokens} vs ${r.fineScratch.prefillTokens} tokens prefilled)`);
    }
  } finally {
    await close();
  }
}
