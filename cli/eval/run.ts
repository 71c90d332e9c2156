/**
 * Runs ERGO (and the baselines asked for) over a dataset on one engine, appending a result line
 * per finished sample. Samples already finished in the results file are skipped; failures are
 * written as failed lines (and retried by the next run); Ctrl+C stops cleanly between writes.
 */
import { itemFineQuestion } from '../../app/core/messages';
import { baselineResult, ergoResult, failedLine, lineKey, type EvalMode, type ResultFileLine, type RunContext } from '../../app/eval/results';
import type { EvalSample } from '../../app/eval/samples';
import { DatasetError, readImageBytes, type Dataset } from './datasets';
import { AbortedError, type EvalEngine, type EvalJob } from './engine';
import { appendLine, readExisting } from './resultsFile';

export interface RunPlan {
  readonly dataset: Dataset;
  readonly engine: EvalEngine;
  readonly out: string;
  readonly budget: number;
  readonly maxNewTokens: number;
  /** `ergo` first, then any baselines. */
  readonly modes: readonly EvalMode[];
  readonly limit: number | null;
  /** Requests in flight at once (1 unless the engine is a server). */
  readonly concurrency: number;
  readonly signal: AbortSignal;
  readonly onProgress?: (done: number, failed: number, total: number) => void;
}

export interface RunReport {
  /** Lines written by this run. */
  readonly ran: number;
  readonly failed: number;
  /** Sample runs skipped because the results file already had them. */
  readonly skipped: number;
  readonly repaired: boolean;
  readonly interrupted: boolean;
  /** Every line of the results file afterwards. */
  readonly lines: readonly ResultFileLine[];
}

function errorInfo(error: unknown): { code: string; message: string } {
  if (error instanceof DatasetError) return { code: error.code, message: error.message };
  const e = error as { code?: unknown; message?: unknown };
  return { code: typeof e?.code === 'string' ? e.code : 'run-failed', message: typeof e?.message === 'string' ? e.message : String(error) };
}

async function runOne(plan: RunPlan, sample: EvalSample, mode: EvalMode): Promise<ResultFileLine> {
  const { engine } = plan;
  const ctx = (original: RunContext['original']): RunContext => ({ original, budget: plan.budget, convention: engine.convention, model: engine.model, engine: engine.label });
  const image = await readImageBytes(plan.dataset.root, sample.image);
  const fineQuestion = itemFineQuestion(sample);
  const job: EvalJob = {
    image,
    imageName: sample.image.kind === 'file' ? sample.image.path : `${sample.image.file}#${sample.image.row}`,
    question: sample.question,
    fineQuestion,
    budget: plan.budget,
    maxNewTokens: plan.maxNewTokens,
    signal: plan.signal,
  };
  if (mode === 'ergo') {
    const { original, outputs } = await engine.ergo(job);
    return ergoResult(sample, outputs, ctx(original));
  }
  const outcome = await engine.baseline(mode, job);
  return baselineResult(sample, mode, outcome.output, outcome.usage, outcome.input, ctx(outcome.original));
}

export async function runEval(plan: RunPlan): Promise<RunReport> {
  const existing = readExisting(plan.out);
  const samples = plan.limit === null ? plan.dataset.samples : plan.dataset.samples.slice(0, plan.limit);
  const all = plan.modes.flatMap((mode) => samples.map((sample) => ({ sample, mode })));
  const queue = all.filter((j) => !existing.done.has(lineKey({ id: j.sample.id, mode: j.mode })));
  const skipped = all.length - queue.length;
  let ran = 0;
  let failed = 0;
  const report = () => plan.onProgress?.(skipped + ran, failed, all.length);
  report();
  const worker = async () => {
    for (let job = queue.shift(); job && !plan.signal.aborted; job = queue.shift()) {
      let line: ResultFileLine;
      try {
        line = await runOne(plan, job.sample, job.mode);
      } catch (error) {
        // A run cut short by Ctrl+C is not a failure of the sample: leave it for the next run.
        if (plan.signal.aborted || error instanceof AbortedError) break;
        line = failedLine(job.sample, job.mode, errorInfo(error), { model: plan.engine.model, engine: plan.engine.label });
        failed++;
      }
      appendLine(plan.out, line);
      ran++;
      report();
    }
  };
  const lanes = plan.engine.concurrent ? Math.max(1, plan.concurrency) : 1;
  await Promise.all(Array.from({ length: lanes }, worker));
  return { ran, failed, skipped, repaired: existing.repaired, interrupted: plan.signal.aborted, lines: readExisting(plan.out).lines };
}
