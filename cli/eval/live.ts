/**
 * A live evaluation run: the engine, the progress bar, Ctrl+C, and the summary at the end.
 */
import type { EvalMode } from '../../app/eval/results';
import type { Dataset } from './datasets';
import { createEngine } from './hosts';
import type { EvalArgs } from './args';
import { writeSummary } from './report';
import { ProgressBar } from './progress';
import { runEval } from './run';

export async function runWithEngine(args: EvalArgs, dataset: Dataset): Promise<number> {
  const out = args.out!;
  const engine = await createEngine(args);
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) {
      process.stderr.write('\nstopping now; finished samples are in the results file\n');
      process.exit(130);
    }
    process.stderr.write('\nCtrl+C: stopping; samples in flight are dropped and run again on resume (press again to quit at once)\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  const modes: EvalMode[] = ['ergo', ...args.baselines];
  const total = modes.length * (args.limit === null ? dataset.samples.length : Math.min(args.limit, dataset.samples.length));
  const bar = new ProgressBar(process.stderr, total);
  try {
    const report = await runEval({
      dataset,
      engine,
      out,
      budget: args.budget,
      maxNewTokens: args.maxNewTokens,
      modes,
      limit: args.limit,
      concurrency: args.concurrency,
      signal: controller.signal,
      onProgress: (done, failed) => bar.update(done, failed),
    });
    bar.end();
    if (report.repaired) process.stderr.write(`${out} ended in a cut-off line (an earlier run was killed mid-write): it was removed\n`);
    if (report.skipped) process.stderr.write(`resumed: ${report.skipped} sample run(s) already in ${out}\n`);
    process.stdout.write(`${writeSummary(args, dataset, report.lines, {})}\n`);
    if (report.interrupted) {
      process.stderr.write(`interrupted: ${out} holds every finished sample; run the same command again to resume\n`);
      return 130;
    }
    return 0;
  } finally {
    process.off('SIGINT', onSigint);
    await engine.close();
  }
}
