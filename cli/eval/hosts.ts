/**
 * The engines an evaluation runs on: ERGO's one pipeline (`pipeline/runs.ts`) on the Node engine
 * or an OpenAI-compatible server, its events gathered into what a result line needs.
 */
import { QWEN_MAX_TOKENS } from '../../app/core/resize';
import type { Size } from '../../app/core/geometry';
import type { ErgoOutputs, StageUsage } from '../../app/eval/results';
import { decodeImageBytes } from '../../engines/node/decodeImage';
import { loadNodeEngine } from '../../engines/node/load';
import type { Engine } from '../../pipeline/engine';
import { OpenAIEngine } from '../../engines/openai/engine';
import { checkConnection } from '../../pipeline/serverConnection';
import { CancelledError } from '../../pipeline/errors';
import type { RunSettings, StageStats, WorkerEvent } from '../../pipeline/protocol';
import { runBaseline, runErgo, type RunContext } from '../../pipeline/runs';
import { type EvalArgs, UsageError } from './args';
import { AbortedError, type BaselineOutcome, type EvalEngine, type EvalJob } from './engine';

/** One turn's statistics as a result line's usage. `visionBefore`: image tokens of earlier turns still in the prompt. */
export function usageOf(stats: StageStats, visionBefore: number): StageUsage {
  const prompt = stats.cachedTokens + stats.prefillTokens;
  return {
    vision_tokens: stats.visionTokens,
    text_tokens: Math.max(0, prompt - visionBefore - stats.visionTokens),
    prompt_tokens: prompt,
    completion_tokens: stats.decodeTokens,
    cached_tokens: stats.cachedTokens,
    ms: stats.totalMs,
  };
}

/** A pipeline event as a host reports it; an image event needs only its size here (a browser test gets no pixels back). */
export type RunEvent = Exclude<WorkerEvent, { type: 'image' }> | (Omit<Extract<WorkerEvent, { type: 'image' }>, 'image'> & { readonly image: Size });

/** An ERGO run's events (in Node or from the browser worker) as the evaluation's outputs. */
export function ergoOutputs(events: readonly RunEvent[], totalMs: number): ErgoOutputs {
  const stages = events.flatMap((e) => (e.type === 'stage-result' ? [e] : []));
  const coarse = stages.find((s) => s.stage === 'coarse');
  const fine = stages.find((s) => s.stage === 'fine') ?? null;
  if (!coarse) throw new Error('the pipeline reported no coarse turn');
  return {
    coarse_output: coarse.text,
    fine_output: fine?.text ?? null,
    usage: { coarse: usageOf(coarse.stats, 0), fine: fine ? usageOf(fine.stats, coarse.stats.visionTokens) : null },
    total_ms: totalMs,
  };
}

/** A baseline run's events as its outcome. */
export function baselineOutcome(events: readonly RunEvent[], original: Size): BaselineOutcome {
  const turn = events.find((e) => e.type === 'stage-result');
  const input = events.find((e) => e.type === 'image');
  if (!turn || turn.type !== 'stage-result' || !input || input.type !== 'image') throw new Error('the pipeline reported no baseline turn');
  return { original, input: { width: input.image.width, height: input.image.height }, output: turn.text, usage: usageOf(turn.stats, 0) };
}

let requests = 0;

/** Runs one pipeline call on `engine`, collecting its events; Ctrl+C (the job's signal) cancels it. */
async function collect(engine: Engine, job: EvalJob, run: (ctx: RunContext) => Promise<unknown>): Promise<{ events: WorkerEvent[]; original: Size }> {
  const events: WorkerEvent[] = [];
  let original: Size | null = null;
  const ctx: RunContext = {
    requestId: `eval-${++requests}`,
    // Pixels are not kept: a long run would hold every coarse image and crop.
    emit: (e) => events.push(e.type === 'image' ? { ...e, image: { width: e.image.width, height: e.image.height, data: new Uint8ClampedArray(0) } } : e),
    cancel: {
      get interrupted() {
        return job.signal.aborted;
      },
      // onnxruntime-node's runs and a server's stream are real I/O: Ctrl+C's handler gets its turn between tokens.
      checkpoint: async () => {
        if (job.signal.aborted) throw new CancelledError();
      },
    },
    engine,
    decodeImage: async () => {
      const img = await decodeImageBytes(job.image, job.imageName);
      original = { width: img.width, height: img.height };
      return img;
    },
  };
  try {
    await run(ctx);
  } catch (e) {
    if (e instanceof CancelledError || job.signal.aborted) throw new AbortedError();
    throw e;
  }
  if (!original) throw new Error('the pipeline did not decode the image');
  return { events, original };
}

/** The run settings of an evaluation job, wherever the pipeline runs. */
export const settingsOf = (job: EvalJob): RunSettings => ({ budget: job.budget, maxNewTokens: job.maxNewTokens, fallback: 'full-image', directCap: QWEN_MAX_TOKENS });

/** ERGO's pipeline on an engine, as the evaluation's `EvalEngine`. */
export class PipelineEvalEngine implements EvalEngine {
  constructor(
    private readonly engine: Engine,
    readonly label: string,
    readonly concurrent: boolean,
  ) {}

  get model(): string {
    return this.engine.model.modelId;
  }

  get convention() {
    return this.engine.model.boxConvention;
  }

  async ergo(job: EvalJob) {
    const started = performance.now();
    const { events, original } = await collect(this.engine, job, async (ctx) => {
      const kept = await runErgo(ctx, { blob: new Blob([new Uint8Array(job.image)]), name: job.imageName }, job.question, settingsOf(job), job.fineQuestion);
      this.engine.release(kept.turn);
    });
    return { original, outputs: ergoOutputs(events, performance.now() - started) };
  }

  async baseline(kind: 'direct' | 'coarse-only', job: EvalJob): Promise<BaselineOutcome> {
    // The baselines are asked what stock Qwen is asked: the question with its options and postfix.
    const { events, original } = await collect(this.engine, job, (ctx) => runBaseline(ctx, kind, { blob: new Blob([new Uint8Array(job.image)]), name: job.imageName }, job.fineQuestion, settingsOf(job)));
    return baselineOutcome(events, original);
  }

  async close(): Promise<void> {
    await this.engine.dispose();
  }
}

/** The engine `--engine` names: a model loaded in this process, or a server. */
export async function createEngine(args: EvalArgs): Promise<EvalEngine> {
  if (args.engine === 'node') {
    process.stderr.write(`loading ${args.model} on onnxruntime-node...\n`);
    const engine = await loadNodeEngine({ model: args.model! });
    return new PipelineEvalEngine(engine, 'node cpu', false);
  }
  if (args.engine === 'openai') {
    // The official evaluation's seed; vLLM honours it.
    const engine = new OpenAIEngine({ endpoint: args.endpoint!, model: args.model!, seed: 42, ...(args.apiKey ? { apiKey: args.apiKey } : {}) });
    const check = await checkConnection({ endpoint: args.endpoint!, ...(args.apiKey ? { apiKey: args.apiKey } : {}) });
    if (!check.ok) throw new UsageError(`${args.endpoint}: ${check.message}`);
    if (!check.models.includes(args.model!)) throw new UsageError(`${args.endpoint} serves ${check.models.map((m) => `"${m}"`).join(', ') || 'no model'}, not "${args.model}": pass one of those as --model`);
    return new PipelineEvalEngine(engine, `openai ${args.endpoint}`, true);
  }
  throw new UsageError('--engine must be node or openai');
}
