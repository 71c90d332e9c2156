/**
 * A model with Qwen2-VL-2B's real dimensions (151936 x 1536 embeddings, 12/2 heads, 1280-wide vision
 * tower; `models:build --like`, random weights, cut to a few layers) on wasm in headless Chromium,
 * in the precisions the registry loads there (fp32 embeddings, q8 vision encoder, q4 decoder), every
 * file's weights in external data as in the Hub's newer exports. For ERGO Lens' worker and, as the
 * reference in the same run, plain transformers.js (`from_pretrained`, `generate`) on the same files,
 * each in a fresh browser:
 * - load peak memory of all Chromium processes (bench/processMemory.ts) against the ONNX file bytes;
 * - time to first token: image encoding and prefill of a 448x448 image (256 vision tokens);
 * - decode tokens per second.
 *
 * The fixture is built once into `.cache/bench/` (about 1.2 GB) and reused while its options match.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildLike, type LikeOptions } from '../models/like/build';
import type { LoadedModel, StageStats } from '../pipeline/protocol';
import { peakMemoryDuring, type PeakMemory } from './processMemory';
import { ensureHarness, HARNESS_DIST, openHarness, ROOT } from './site';

const NAME = 'bench-qwen2-vl-2b-like';
const FIXTURE = join(ROOT, '.cache/bench', NAME);
const DTYPES = { embed_tokens: 'fp32', vision_encoder: 'q8', decoder_model_merged: 'q4' } as const;
const FIXTURE_OPTIONS = {
  layers: 2,
  visionBlocks: 2,
  dtypes: { embed_tokens: [DTYPES.embed_tokens], vision_encoder: [DTYPES.vision_encoder], decoder_model_merged: [DTYPES.decoder_model_merged] },
  externalData: true,
} satisfies Omit<LikeOptions, 'like' | 'out'>;
const IMAGE_SIDE = 448;
const NEW_TOKENS = 8;
const QUESTION = 'What is written on the sign?';

function ensureFixture(): void {
  const stamp = join(FIXTURE, 'bench-fixture.json');
  const wanted = JSON.stringify(FIXTURE_OPTIONS);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted) return;
  rmSync(FIXTURE, { recursive: true, force: true });
  const like = JSON.parse(readFileSync(join(ROOT, 'models/configs/qwen2-vl-2b-instruct.config.json'), 'utf8')) as Record<string, unknown>;
  const t0 = Date.now();
  console.log(`building the 2B-dimension fixture into ${FIXTURE} ...`);
  buildLike({ like, out: FIXTURE, ...FIXTURE_OPTIONS });
  writeFileSync(stamp, wanted);
  console.log(`built in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

interface Speed {
  readonly promptTokens: number;
  readonly firstTokenMs: number;
  readonly decodeTokens: number;
  readonly tokensPerSecond: number;
}

/** ERGO Lens: the real worker loads the fixture as a site model and runs the coarse-only baseline. */
async function ours(): Promise<{ memory: PeakMemory; model: LoadedModel; speed: Speed }> {
  const { page, close } = await openHarness();
  try {
    const { value: model, memory } = await peakMemoryDuring(() =>
      page.evaluate(async (path) => {
        const engine = (window.engine = window.harness.createEngine());
        const last = (await engine.waitFor(engine.send({ type: 'load', modelId: 'custom', backend: 'wasm', source: { kind: 'site', path } }))).at(-1)!;
        if (last.type !== 'loaded') throw new Error(JSON.stringify(last));
        return last.model;
      }, NAME),
    );
    const stage = await page.evaluate(
      async ({ side, question, tokens }) => {
        const engine = window.engine!;
        const image = { blob: await window.harness.patternImage(side, side), name: 'pattern.png' };
        const run = async (maxNewTokens: number) => {
          const settings = { budget: 1280, maxNewTokens, fallback: 'skip' as const, directCap: 4096 };
          const last = (await engine.waitFor(engine.send({ type: 'run-baseline', kind: 'coarse-only', image, question, settings }))).at(-1)!;
          if (last.type !== 'result') throw new Error(JSON.stringify(last));
          return last.stages[0]!;
        };
        await run(1); // wasm kernels warm up
        return run(tokens);
      },
      { side: IMAGE_SIDE, question: QUESTION, tokens: NEW_TOKENS },
    );
    return { memory, model, speed: speedOf(stage) };
  } finally {
    await close();
  }
}

function speedOf(s: StageStats): Speed {
  return { promptTokens: s.prefillTokens, firstTokenMs: s.encoderMs + s.prefillMs, decodeTokens: s.decodeTokens, tokensPerSecond: s.tokensPerSecond };
}

/** The reference: plain transformers.js in the page, same files, dtypes and threads. */
async function plain(threads: number): Promise<{ memory: PeakMemory; speed: Speed }> {
  const { page, close } = await openHarness();
  try {
    const { memory } = await peakMemoryDuring(() =>
      page.evaluate(
        async ({ path, dtype, threads }) => {
          const T = window.harness.localTransformers(threads);
          const model = await T.Qwen2VLForConditionalGeneration.from_pretrained(path, { device: 'wasm', dtype });
          window.referenceModel = model;
        },
        { path: NAME, dtype: DTYPES, threads },
      ),
    );
    const speed = await page.evaluate(
      async ({ path, side, question, tokens }) => {
        const { transformers: T } = window.harness;
        const model = window.referenceModel!;
        const processor = await T.AutoProcessor.from_pretrained(path);
        const text = processor.apply_chat_template([{ role: 'user', content: [{ type: 'image' }, { type: 'text', text: question }] }], { add_generation_prompt: true }) as string;
        const image = (await T.RawImage.fromBlob(await window.harness.patternImage(side, side))).rgb();
        const inputs = await processor(text, image);
        const generate = async (n: number) => {
          const t0 = performance.now();
          const out = (await model.generate({ ...inputs, max_new_tokens: n, do_sample: false })) as { dims: number[] };
          return { ms: performance.now() - t0, tokens: out.dims[1]! - inputs.input_ids.dims[1]! };
        };
        await generate(1); // wasm kernels warm up
        const first = await generate(1);
        const all = await generate(tokens + 1);
        const decodeTokens = all.tokens - 1;
        return { promptTokens: inputs.input_ids.dims[1]!, firstTokenMs: first.ms, decodeTokens, tokensPerSecond: (1000 * decodeTokens) / (all.ms - first.ms) };
      },
      { path: NAME, side: IMAGE_SIDE, question: QUESTION, tokens: NEW_TOKENS },
    );
    return { memory, speed };
  } finally {
    await close();
  }
}

const gb = (bytes: number) => `${(bytes / 1e9).toFixed(2)} GB`;

export async function benchRealModel(): Promise<void> {
  ensureFixture();
  ensureHarness();
  const link = join(HARNESS_DIST, 'models', NAME);
  mkdirSync(join(HARNESS_DIST, 'models'), { recursive: true });
  rmSync(link, { force: true });
  symlinkSync(FIXTURE, link);
  try {
    const a = await ours();
    const b = await plain(a.model.threads);
    const files = a.model.fileBytes;
    console.log(`\n## Qwen2-VL-2B dimensions, ${FIXTURE_OPTIONS.layers} layers / ${FIXTURE_OPTIONS.visionBlocks} vision blocks, wasm x${a.model.threads} threads (${Object.values(DTYPES).join('/')}, external data)`);
    console.log(`ONNX files loaded: ${gb(files)}`);
    const row = (label: string, m: PeakMemory, s: Speed) =>
      console.log(
        `${label.padEnd(22)} load peak ${gb(m.peakBytes)} = ${(m.peakBytes / files).toFixed(2)}x files | ` +
          `first token ${s.firstTokenMs.toFixed(0)} ms (${s.promptTokens} prompt tokens) | decode ${s.tokensPerSecond.toFixed(2)} tokens/s (${s.decodeTokens} tokens)`,
      );
    row('ERGO Lens', a.memory, a.speed);
    row('plain transformers.js', b.memory, b.speed);
    console.log(
      `ERGO Lens / plain: load peak ${(a.memory.peakBytes / b.memory.peakBytes).toFixed(2)}x, first token ${(a.speed.firstTokenMs / b.speed.firstTokenMs).toFixed(2)}x, decode speed ${(a.speed.tokensPerSecond / b.speed.tokensPerSecond).toFixed(2)}x; ERGO Lens loaded in ${(a.model.loadMs / 1000).toFixed(1)} s`,
    );
  } finally {
    rmSync(link, { force: true });
  }
}
