/**
 * `npm run eval`: ERGO over a benchmark on an engine, or `--replay` of recorded outputs.
 * Prints per-category accuracy as a table, writes the results (JSONL) and the summary (JSON).
 */
import { parseEvalArgs, USAGE, UsageError } from './args';
import { DatasetError, readDataset } from './datasets';
import { readRecords, replay } from './replay';
import { writeSummary } from './report';
import { ResultsFileError } from './resultsFile';

async function main(argv: readonly string[]): Promise<number> {
  const args = parseEvalArgs(argv);
  const dataset = await readDataset(args.data, args.format);
  process.stderr.write(`${dataset.samples.length} samples from ${args.data} (${args.format})\n`);
  if (args.replay) {
    const report = await replay(dataset, readRecords(args.replay), { budget: args.budget, model: args.model ?? 'recorded', out: args.out });
    if (report.unmatched.length) process.stderr.write(`${report.unmatched.length} recorded line(s) matched no sample:\n  ${report.unmatched.slice(0, 5).join('\n  ')}\n`);
    process.stdout.write(`${writeSummary(args, dataset, report.lines, { replay: args.replay })}\n`);
    return 0;
  }
  const { runWithEngine } = await import('./live');
  return runWithEngine(args, dataset);
}

const invoked = process.argv[1]?.endsWith('main.ts');
if (invoked) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (error instanceof UsageError) process.stderr.write(`${error.message}\n\n${USAGE}\n`);
      else if (error instanceof DatasetError || error instanceof ResultsFileError) process.stderr.write(`${error.message}\n`);
      else process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
      process.exit(error instanceof UsageError ? 2 : 1);
    },
  );
}
