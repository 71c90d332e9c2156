/**
 * The command line of `npm run eval`, parsed and checked (a wrong flag gets a message saying what it takes).
 */
import { parseArgs } from 'node:util';
import type { EvalMode } from '../../app/eval/results';
import { DATASET_FORMATS, type DatasetFormat } from '../../app/eval/samples';

export const USAGE = `npm run eval -- --data <path> --format vstar|hrbench|mmerwl|jsonl --engine node|openai [--endpoint URL]
                 --model <id> --out <results.jsonl> [--budget 640|1280] [--limit N] [--concurrency N]
                 [--baselines direct,coarse-only] [--max-new-tokens 1024]
npm run eval -- --data <path> --format ... --replay <outputs.jsonl> [--out <results.jsonl>] [--budget 1280]

  --data     the dataset's folder (V*: the one holding test_questions.jsonl; HR-Bench: hr_bench_4k/8k.parquet;
             MME-RealWorld-lite: the folder with data/train-*.parquet), or for jsonl the JSONL file
  --replay   scores recorded outputs (JSONL of question_id or id, coarse_output, fine_output) without a model
  --out      results, one JSON line per sample; run again with the same file to resume
             (the summary is written beside it as <name>.summary.json)`;

export class UsageError extends Error {}

export interface EvalArgs {
  readonly data: string;
  readonly format: DatasetFormat;
  readonly engine: 'node' | 'openai' | null;
  readonly endpoint: string | null;
  readonly model: string | null;
  readonly out: string | null;
  readonly budget: number;
  readonly limit: number | null;
  readonly concurrency: number;
  readonly baselines: readonly Exclude<EvalMode, 'ergo'>[];
  readonly replay: string | null;
  readonly maxNewTokens: number;
  readonly apiKey: string | null;
}

function positiveInt(name: string, value: string | undefined, fallback: number | null): number | null {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`--${name} must be a positive whole number (got "${value}")`);
  return Number(value);
}

export function parseEvalArgs(argv: readonly string[]): EvalArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        data: { type: 'string' },
        format: { type: 'string' },
        engine: { type: 'string' },
        endpoint: { type: 'string' },
        model: { type: 'string' },
        out: { type: 'string' },
        budget: { type: 'string' },
        limit: { type: 'string' },
        concurrency: { type: 'string' },
        baselines: { type: 'string' },
        replay: { type: 'string' },
        'max-new-tokens': { type: 'string' },
        'api-key': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (!values.data) throw new UsageError('--data is required');
  if (!values.format || !DATASET_FORMATS.includes(values.format as DatasetFormat)) throw new UsageError(`--format must be one of ${DATASET_FORMATS.join(', ')}`);
  const replayFile = values.replay ?? null;
  const engine = values.engine ?? null;
  if (!replayFile) {
    if (engine !== 'node' && engine !== 'openai') throw new UsageError('--engine must be node or openai (or give --replay to score recorded outputs)');
    if (!values.model) throw new UsageError('--model is required (a registry id or model folder for node, the served model name for openai)');
    if (!values.out) throw new UsageError('--out is required: the results file (run again with the same file to resume)');
    if (engine === 'openai' && !values.endpoint) throw new UsageError('--endpoint is required with --engine openai (e.g. http://127.0.0.1:8008/v1)');
  }
  if (values.endpoint && engine !== 'openai') throw new UsageError('--endpoint goes with --engine openai');
  const concurrency = positiveInt('concurrency', values.concurrency, 1)!;
  if (concurrency > 1 && engine !== 'openai') throw new UsageError('--concurrency applies only to servers (--engine openai): the Node engine runs one sample at a time');
  const baselines = (values.baselines ?? '').split(',').map((b) => b.trim()).filter(Boolean);
  for (const b of baselines) if (b !== 'direct' && b !== 'coarse-only') throw new UsageError(`--baselines takes direct and/or coarse-only (got "${b}")`);
  if (replayFile && baselines.length) throw new UsageError('--baselines needs a model; --replay scores recorded ERGO outputs only');
  return {
    data: values.data,
    format: values.format as DatasetFormat,
    engine: engine === 'node' || engine === 'openai' ? engine : null,
    endpoint: values.endpoint ?? null,
    model: values.model ?? null,
    out: values.out ?? null,
    budget: positiveInt('budget', values.budget, 1280)!,
    limit: positiveInt('limit', values.limit, null),
    concurrency,
    baselines: [...new Set(baselines)] as Exclude<EvalMode, 'ergo'>[],
    replay: replayFile,
    maxNewTokens: positiveInt('max-new-tokens', values['max-new-tokens'], 1024)!,
    apiKey: values['api-key'] ?? process.env.OPENAI_API_KEY ?? null,
  };
}
