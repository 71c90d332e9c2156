/**
 * The summary of a run or replay: printed as a table, saved as JSON beside the results.
 */
import { writeFileSync } from 'node:fs';
import type { ResultFileLine } from '../../app/eval/results';
import { summarize, summaryTable } from '../../app/eval/summary';
import type { EvalArgs } from './args';
import type { Dataset } from './datasets';

/** Where the summary goes: beside the results, `x.jsonl` -> `x.summary.json`. */
export const summaryPath = (out: string): string => `${out.replace(/\.jsonl$/i, '')}.summary.json`;

export function writeSummary(args: EvalArgs, dataset: Dataset, lines: readonly ResultFileLine[], extra: Record<string, unknown>): string {
  const summary = summarize(lines, dataset.categories);
  const table = summaryTable(summary);
  if (args.out) {
    const first = lines.find((l) => 'engine' in l);
    writeFileSync(
      summaryPath(args.out),
      `${JSON.stringify({ data: args.data, format: args.format, model: first?.model ?? args.model, engine: first?.engine ?? args.engine, budget: args.budget, results: args.out, ...extra, summary }, null, 2)}\n`,
    );
  }
  return table;
}
