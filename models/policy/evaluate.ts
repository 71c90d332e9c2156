/**
 * `npm run models:eval -- --data <scenes.jsonl> --out <results.jsonl> [--limit N] [--models DIR] [--model ID]`
 * `npm run models:eval -- --summarize <results.jsonl>` (the summary of the lines written so far)
 *
 * ERGO with the built-in policy on a scene set from `npm run scenes`, in Node (onnxruntime-node,
 * fp32), through the engine's own parts: ERGO's resize at the model's budget with the core's
 * resampler, the worker's chat ids, `Turns` (prefill and greedy decode with the KV cache, the fine
 * turn continuing the coarse turn's cache), ERGO's box parser and crop rule (`planFineTurn`). And
 * the coarse-only baseline (the app's plain-question prompt on the coarse image).
 *
 * Reports box containment of the target, ERGO and coarse-only accuracy against chance, vision
 * tokens and time per sample. Multiple-choice answers are scored by the official letter rule; a
 * tag by exact match (the official rule keeps letters only, which would drop a tag's digits).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { AutoProcessor, env, Qwen2_5_VLForConditionalGeneration } from '@huggingface/transformers';
import { CancelFlag } from '../../pipeline/cancelFlag';
import { answerText, coarseTurnMessages, directTurnMessages, ergoImageCost, ERGO_PROMPTS, resizeRGBA, scoreChoice, visionTokens } from '../../app/core';
import type { OriginalRect, Size } from '../../app/core/geometry';
import { expandImagePads, followUpIds, promptIds } from '../../engines/transformers/chat';
import type { ChatTokenizer } from '../../engines/transformers/load';
import { buildPixelValues, visionPreprocessFromConfig, type VisionPreprocess } from '../../engines/transformers/pixels';
import { disposeCache, Turns, type KvCache, type QwenVlModel } from '../../engines/transformers/turns';
import { planFineTurn } from '../../pipeline/fineTurnPlan';
import { findModel } from '../../pipeline/registry';
import { decodePng } from '../../scripts/png';
import type { SceneQuestion } from '../../app/scenes/scene';
import { DEFAULT_MODELS_DIR } from '../build';
import { fullQuestion } from './samples';
import { POLICY_ID } from './spec';

interface Rgba extends Size {
  readonly data: Uint8ClampedArray;
}

interface SceneLine {
  readonly id: string;
  readonly image: string;
  readonly question: string;
  readonly options: readonly string[];
  readonly answer: string;
  readonly bbox: readonly [number, number, number, number];
}

interface Engine {
  readonly tok: ChatTokenizer;
  readonly turns: Turns;
  readonly pre: VisionPreprocess;
  readonly imageTokenId: number;
  readonly eos: ReadonlySet<number>;
  readonly model: QwenVlModel & { dispose(): Promise<unknown> };
}

const MAX_NEW = 96;
const never = () => false;

async function loadEngine(modelsDir: string, id: string): Promise<Engine> {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = modelsDir + '/';
  const processor = (await AutoProcessor.from_pretrained(id)) as unknown as { tokenizer: ChatTokenizer; image_processor: { config: Record<string, unknown> } };
  const model = (await Qwen2_5_VLForConditionalGeneration.from_pretrained(id, { dtype: 'fp32' })) as unknown as Engine['model'];
  const config = (model as unknown as { config: { image_token_id: number; text_config: { vocab_size: number } } }).config;
  const eos = new Set((model as unknown as { generation_config: { eos_token_id: number[] } }).generation_config.eos_token_id);
  return { tok: processor.tokenizer, turns: new Turns(model, config.image_token_id, config.text_config.vocab_size), pre: visionPreprocessFromConfig(processor.image_processor.config), imageTokenId: config.image_token_id, eos, model };
}

/** One greedy turn after `base` (null: from scratch); returns the text, the content ids (without the eos) and the cache. */
async function turn(e: Engine, base: KvCache | null, ids: readonly number[], images: readonly Rgba[]): Promise<{ text: string; content: number[]; cache: KvCache }> {
  const encoded = [];
  for (const img of images) encoded.push(await e.turns.encodeImage(buildPixelValues(img.data, img, e.pre), e.pre.mergeSize));
  const prefill = await e.turns.prefill(base, ids, encoded, 'last', never);
  for (const x of encoded) x.features.dispose();
  // Plain greedy: the policy's generation config has no repetition penalty.
  const first = e.turns.firstToken(prefill.logits, prefill.cache.ids, 1);
  const out = await e.turns.decode(prefill.cache, first, { maxNewTokens: MAX_NEW, eosIds: e.eos, repetitionPenalty: 1, stopper: new CancelFlag(null), onToken: () => {} });
  const content = e.eos.has(out.ids.at(-1)!) ? out.ids.slice(0, -1) : out.ids;
  return { text: e.tok.decode(content, { skip_special_tokens: true }), content, cache: out.cache };
}

function cut(img: Rgba, r: OriginalRect): Rgba {
  const width = r.x2 - r.x1;
  const height = r.y2 - r.y1;
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) data.set(img.data.subarray(((r.y1 + y) * img.width + r.x1) * 4, ((r.y1 + y) * img.width + r.x2) * 4), y * width * 4);
  return { width, height, data };
}

function resized(img: Rgba, budget: number, filter: 'bicubic' | 'lanczos'): Rgba {
  const size = ergoImageCost(img, budget);
  return resizeRGBA(img, size.width, size.height, filter);
}

const tokensOf = (s: Size) => visionTokens(s.height, s.width);

function correct(q: SceneLine, response: string): boolean {
  return q.options.length ? scoreChoice(response, q.answer) : answerText(response).trim().toUpperCase() === q.answer.toUpperCase();
}

export async function evaluateScene(e: Engine, q: SceneLine, original: Rgba, budget: number) {
  const question = q.question;
  const item: SceneQuestion = { question, options: q.options, answer: q.answer, target: -1 };
  const t0 = performance.now();
  const coarse = resized(original, budget, 'bicubic');
  const prompt = expandImagePads(promptIds(e.tok, coarseTurnMessages(question, ERGO_PROMPTS)), e.imageTokenId, [tokensOf(coarse)]);
  const c = await turn(e, null, prompt, [coarse]);
  const plan = planFineTurn(c.text, 'pixels-coarse', coarse, original, 'skip');
  let fine: { text: string; tokens: number } | null = null;
  let contained = false;
  if (plan.kind === 'crop') {
    const { rect } = plan;
    const [x1, y1, x2, y2] = q.bbox;
    contained = rect.x1 <= x1 && rect.y1 <= y1 && rect.x2 >= x2 && rect.y2 >= y2;
    const crop = resized(cut(original, rect), budget, 'lanczos');
    const follow = expandImagePads(followUpIds(e.tok, question, ERGO_PROMPTS, fullQuestion(item)), e.imageTokenId, [tokensOf(crop)]);
    const held = c.cache.ids.length - prompt.length;
    const f = await turn(e, c.cache, [...c.content.slice(held), ...follow], [crop]);
    disposeCache(f.cache);
    fine = { text: f.text, tokens: tokensOf(crop) };
  }
  disposeCache(c.cache);
  const ergoMs = performance.now() - t0;
  // The app's coarse-only baseline: the plain question (with its options) on the coarse image.
  const t1 = performance.now();
  const direct = expandImagePads(promptIds(e.tok, directTurnMessages(fullQuestion(item))), e.imageTokenId, [tokensOf(coarse)]);
  const d = await turn(e, null, direct, [coarse]);
  disposeCache(d.cache);
  const coarseOnlyMs = performance.now() - t1;
  const answer = fine ? fine.text : c.text;
  return {
    id: q.id,
    question,
    options: q.options,
    answer: q.answer,
    coarse_output: c.text,
    fine_output: fine?.text ?? null,
    box_status: plan.kind === 'crop' ? 'parsed' : plan.reason,
    crop: plan.kind === 'crop' ? plan.rect : null,
    containment: contained,
    correct: correct(q, answer),
    coarse_only_output: d.text,
    coarse_only_correct: correct(q, d.text),
    vision_tokens: tokensOf(coarse) + (fine?.tokens ?? 0),
    coarse_only_vision_tokens: tokensOf(coarse),
    ergo_ms: Math.round(ergoMs),
    coarse_only_ms: Math.round(coarseOnlyMs),
  };
}

type Result = Awaited<ReturnType<typeof evaluateScene>>;

export function summarize(results: readonly Result[]) {
  const n = results.length;
  const mean = (f: (r: Result) => number) => (n ? results.reduce((a, r) => a + f(r), 0) / n : 0);
  const pct = (f: (r: Result) => boolean) => Math.round(1000 * mean((r) => (f(r) ? 1 : 0))) / 10;
  // Chance: a quarter for a four-option question; a tag (one of 32 characters, or two) is about 0.
  const chance = Math.round(1000 * mean((r) => (r.options.length ? 1 / r.options.length : 0))) / 10;
  return {
    samples: n,
    containment_pct: pct((r) => r.containment),
    box_parsed_pct: pct((r) => r.box_status === 'parsed'),
    ergo_accuracy_pct: pct((r) => r.correct),
    coarse_only_accuracy_pct: pct((r) => r.coarse_only_correct),
    chance_pct: chance,
    multiple_choice: { samples: results.filter((r) => r.options.length).length, ergo_pct: pctOf(results.filter((r) => r.options.length), (r) => r.correct), coarse_only_pct: pctOf(results.filter((r) => r.options.length), (r) => r.coarse_only_correct) },
    open: { samples: results.filter((r) => !r.options.length).length, ergo_pct: pctOf(results.filter((r) => !r.options.length), (r) => r.correct), coarse_only_pct: pctOf(results.filter((r) => !r.options.length), (r) => r.coarse_only_correct) },
    vision_tokens: { ergo: Math.round(mean((r) => r.vision_tokens) * 10) / 10, coarse_only: Math.round(mean((r) => r.coarse_only_vision_tokens) * 10) / 10 },
    ms_per_sample: { ergo: Math.round(mean((r) => r.ergo_ms)), coarse_only: Math.round(mean((r) => r.coarse_only_ms)) },
  };
}

function pctOf(rs: readonly Result[], f: (r: Result) => boolean): number {
  return rs.length ? Math.round((1000 * rs.filter(f).length) / rs.length) / 10 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { data: { type: 'string' }, out: { type: 'string' }, limit: { type: 'string' }, models: { type: 'string' }, model: { type: 'string' }, summarize: { type: 'string' } } });
  if (values.summarize) {
    // The summary of a results file so far (for example of a run still going, or stopped early).
    const done = readFileSync(values.summarize, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Result);
    console.log(JSON.stringify(summarize(done), null, 2));
    process.exit(0);
  }
  if (!values.data || !values.out) {
    console.error('usage: npm run models:eval -- --data <scenes.jsonl> --out <results.jsonl> [--limit N] [--models DIR] [--model ID]');
    process.exit(2);
  }
  const id = values.model ?? POLICY_ID;
  const budget = findModel(id)?.budget ?? 64;
  const lines = readFileSync(values.data, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as SceneLine);
  const limit = values.limit ? Number(values.limit) : lines.length;
  mkdirSync(dirname(resolve(values.out)), { recursive: true });
  const engine = await loadEngine(resolve(values.models ?? DEFAULT_MODELS_DIR), id);
  const results: Result[] = [];
  for (const q of lines.slice(0, limit)) {
    const original = decodePng(readFileSync(join(dirname(values.data), q.image)));
    results.push(await evaluateScene(engine, q, original, budget));
    writeFileSync(values.out, results.map((r) => JSON.stringify(r)).join('\n') + '\n');
    process.stderr.write(`${results.length}/${Math.min(limit, lines.length)} scenes\r`);
  }
  const summary = { model: id, budget, data: values.data, ...summarize(results) };
  writeFileSync(values.out.replace(/\.jsonl$/, '') + '.summary.json', JSON.stringify(summary, null, 2) + '\n');
  process.stderr.write('\n');
  console.log(JSON.stringify(summary, null, 2));
  await engine.model.dispose();
  // onnxruntime-node keeps worker threads alive after the sessions are released.
  process.exit(0);
}
