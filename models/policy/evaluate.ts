/**
 * `npm run models:eval -- <results.jsonl>`: the built-in policy's measures from a results file of
 * `npm run eval` (JSONL format, on a scene set from `npm run scenes`), in Node or in the browser:
 *
 *   npm run scenes -- --seed 1 --count 500 --out .cache/eval-scenes
 *   npm run eval -- --data .cache/eval-scenes/scenes.jsonl --format jsonl --engine node --model ergo-tiny \
 *     --budget 64 --max-new-tokens 96 --baselines coarse-only --out .cache/eval-scenes/node.jsonl
 *   npm run models:eval -- .cache/eval-scenes/node.jsonl
 *
 * The runs themselves are ERGO's one pipeline; this only reads what they wrote. It prints, per mode
 * (ERGO, coarse-only, direct), accuracy split into multiple-choice and open (tag) questions, next
 * to chance; for ERGO, how often the box was parsed and how often the crop holds the whole target;
 * vision tokens and milliseconds per sample. Works on a file still being written.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isFailed, type EvalMode, type EvalResultLine } from '../../app/eval/results';
import { readExisting } from '../../cli/eval/resultsFile';

const pct = (part: number, whole: number): number | null => (whole ? Math.round((1000 * part) / whole) / 10 : null);
const mean = (xs: readonly number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
const round = (x: number | null): number | null => (x === null ? null : Math.round(x * 10) / 10);

export interface ModeSummary {
  readonly samples: number;
  readonly failed: number;
  readonly accuracy_pct: number | null;
  readonly multiple_choice: { readonly samples: number; readonly accuracy_pct: number | null };
  readonly open: { readonly samples: number; readonly accuracy_pct: number | null };
  /** A guess: a quarter on a four-option question; a tag (one or two of 32 characters) is about 0. */
  readonly chance_pct: number | null;
  readonly vision_tokens: number | null;
  readonly ms_per_sample: number | null;
}

export interface PolicySummary {
  readonly model: string | null;
  readonly engine: string | null;
  readonly budget: number | null;
  readonly modes: Partial<Record<EvalMode, ModeSummary>>;
  /** ERGO lines: a parsed box, and a crop that holds the whole target box. */
  readonly box_parsed_pct: number | null;
  readonly containment_pct: number | null;
}

function modeSummary(lines: readonly EvalResultLine[], failed: number): ModeSummary {
  const mc = lines.filter((l) => l.options.length);
  const open = lines.filter((l) => !l.options.length);
  const right = (ls: readonly EvalResultLine[]) => ls.filter((l) => l.correct).length;
  const timed = lines.flatMap((l) => (l.total_ms === null ? [] : [l.total_ms]));
  return {
    samples: lines.length,
    failed,
    accuracy_pct: pct(right(lines), lines.length),
    multiple_choice: { samples: mc.length, accuracy_pct: pct(right(mc), mc.length) },
    open: { samples: open.length, accuracy_pct: pct(right(open), open.length) },
    chance_pct: round(mean(lines.map((l) => (l.options.length ? 100 / l.options.length : 0)))),
    vision_tokens: round(mean(lines.map((l) => l.vision_tokens))),
    ms_per_sample: timed.length ? Math.round(mean(timed)!) : null,
  };
}

export function summarizePolicy(file: string): PolicySummary {
  const all = readExisting(file).lines;
  const ok = all.filter((l): l is EvalResultLine => !isFailed(l));
  const modes: Partial<Record<EvalMode, ModeSummary>> = {};
  for (const mode of ['ergo', 'coarse-only', 'direct'] as const) {
    const lines = ok.filter((l) => l.mode === mode);
    const failed = all.filter((l) => l.mode === mode && isFailed(l)).length;
    if (lines.length || failed) modes[mode] = modeSummary(lines, failed);
  }
  const ergo = ok.filter((l) => l.mode === 'ergo');
  return {
    model: ok[0]?.model ?? null,
    engine: ok[0]?.engine ?? null,
    budget: ok[0]?.budget ?? null,
    modes,
    box_parsed_pct: pct(ergo.filter((l) => l.box_status === 'parsed').length, ergo.length),
    containment_pct: pct(ergo.filter((l) => l.containment === 1).length, ergo.length),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const files = process.argv.slice(2);
  if (!files.length) {
    console.error('usage: npm run models:eval -- <results.jsonl> [...]   (results of npm run eval on npm run scenes output)');
    process.exit(2);
  }
  for (const file of files) console.log(JSON.stringify({ results: file, ...summarizePolicy(file) }, null, 2));
}
