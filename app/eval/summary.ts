/**
 * The summary of a results file: accuracy per category and in total, computed as the official
 * evaluation does, with the samples it would silently drop (failed requests) counted beside it;
 * mean costs; ERGO against the direct baseline; and where wrong answers came from.
 */
import { EVAL_MODES, isFailed, type EvalMode, type EvalResultLine, type ResultFileLine } from './results';

export interface CategoryScore {
  readonly category: string;
  readonly correct: number;
  /** Completed samples (the official `count`). */
  readonly count: number;
  /** correct / count, 0 when count is 0 (as the official script prints it). */
  readonly accuracy: number;
  /** Samples whose run failed: dropped by the official evaluation, counted here. */
  readonly failed: number;
}

export interface ModeSummary {
  readonly mode: EvalMode;
  readonly categories: readonly CategoryScore[];
  readonly total: CategoryScore & {
    /** correct / (count + failed): the accuracy with every failure counted wrong. */
    readonly accuracyCountingFailures: number;
  };
  readonly meanVisionTokens: number | null;
  readonly meanMs: number | null;
}

/** Wrong and right answers split by where the box was, for samples with target boxes (ERGO runs). */
export interface RegionConfusion {
  /** Containment at or above this counts as "box on the target". */
  readonly threshold: number;
  readonly wrongOnTarget: number;
  readonly wrongOffTarget: number;
  readonly wrongNoBox: number;
  readonly rightOnTarget: number;
  readonly rightOffTarget: number;
  readonly rightNoBox: number;
}

export interface EvalSummary {
  readonly modes: readonly ModeSummary[];
  /** ERGO against the direct baseline over the samples both completed; null unless both ran. */
  readonly ergoVsDirect: {
    readonly samples: number;
    /** Accuracy points, ERGO minus direct. */
    readonly accuracyDelta: number;
    /** ERGO's mean vision tokens over direct's. */
    readonly visionTokenRatio: number;
    /** ERGO's mean time over direct's; null without times. */
    readonly timeRatio: number | null;
  } | null;
  readonly confusion: RegionConfusion | null;
}

export const ON_TARGET = 0.5;

const ratio = (a: number, b: number): number => (b > 0 ? a / b : 0);
const mean = (values: readonly number[]): number | null => (values.length ? values.reduce((n, v) => n + v, 0) / values.length : null);

/** The latest line per (mode, id): a resumed run appends a retry after a failure. */
export function latestLines(lines: readonly ResultFileLine[]): ResultFileLine[] {
  const byKey = new Map<string, ResultFileLine>();
  for (const line of lines) byKey.set(`${line.mode}\u0000${line.id}`, line);
  return [...byKey.values()];
}

function score(category: string, lines: readonly ResultFileLine[]): CategoryScore {
  const done = lines.filter((l): l is EvalResultLine => !isFailed(l));
  const correct = done.filter((l) => l.correct).length;
  return { category, correct, count: done.length, accuracy: ratio(correct, done.length), failed: lines.length - done.length };
}

function modeSummary(mode: EvalMode, lines: readonly ResultFileLine[], categories: readonly string[]): ModeSummary {
  const counted = lines.filter((l) => categories.includes(l.category));
  const per = categories.map((c) => score(c, counted.filter((l) => l.category === c)));
  const total = score('total', counted);
  const done = counted.filter((l): l is EvalResultLine => !isFailed(l));
  return {
    mode,
    categories: per,
    total: { ...total, accuracyCountingFailures: ratio(total.correct, total.count + total.failed) },
    meanVisionTokens: mean(done.map((l) => l.vision_tokens)),
    meanMs: mean(done.flatMap((l) => (l.total_ms === null ? [] : [l.total_ms]))),
  };
}

/** Where each ERGO sample with targets landed: answer right or wrong, box on, off or missing. */
export function regionConfusion(lines: readonly ResultFileLine[], threshold = ON_TARGET): RegionConfusion | null {
  const withTargets = lines.filter((l): l is EvalResultLine => !isFailed(l) && l.mode === 'ergo' && l.targets.length > 0);
  if (!withTargets.length) return null;
  const count = (correct: boolean, where: 'on' | 'off' | 'none') =>
    withTargets.filter((l) => l.correct === correct && placement(l, threshold) === where).length;
  return {
    threshold,
    wrongOnTarget: count(false, 'on'),
    wrongOffTarget: count(false, 'off'),
    wrongNoBox: count(false, 'none'),
    rightOnTarget: count(true, 'on'),
    rightOffTarget: count(true, 'off'),
    rightNoBox: count(true, 'none'),
  };
}

/** Whether a line's box covers its target (`on`), misses it (`off`), or there is no box or target (`none`). */
export function placement(line: EvalResultLine, threshold = ON_TARGET): 'on' | 'off' | 'none' {
  if (line.containment === null) return 'none';
  return line.containment >= threshold ? 'on' : 'off';
}

/**
 * Summarizes a results file. `categories` are the official ones of the benchmark (the total counts
 * only these, as the official script's does); null takes every category found, sorted.
 */
export function summarize(all: readonly ResultFileLine[], categories: readonly string[] | null): EvalSummary {
  const lines = latestLines(all);
  const cats = categories ?? [...new Set(lines.map((l) => l.category))].sort();
  const modes = EVAL_MODES.filter((m) => lines.some((l) => l.mode === m)).map((m) => modeSummary(m, lines.filter((l) => l.mode === m), cats));
  return { modes, ergoVsDirect: pairedComparison(lines, cats), confusion: regionConfusion(lines) };
}

function pairedComparison(lines: readonly ResultFileLine[], categories: readonly string[]): EvalSummary['ergoVsDirect'] {
  const done = (mode: EvalMode) =>
    new Map(lines.filter((l): l is EvalResultLine => l.mode === mode && !isFailed(l) && categories.includes(l.category)).map((l) => [l.id, l]));
  const ergo = done('ergo');
  const direct = done('direct');
  const pairs = [...ergo.values()].flatMap((e) => {
    const d = direct.get(e.id);
    return d ? [[e, d] as const] : [];
  });
  if (!pairs.length) return null;
  const sum = (f: (l: EvalResultLine) => number, side: 0 | 1) => pairs.reduce((n, p) => n + f(p[side]), 0);
  const timed = pairs.every(([e, d]) => e.total_ms !== null && d.total_ms !== null);
  return {
    samples: pairs.length,
    accuracyDelta: (100 * (sum((l) => Number(l.correct), 0) - sum((l) => Number(l.correct), 1))) / pairs.length,
    visionTokenRatio: ratio(sum((l) => l.vision_tokens, 0), sum((l) => l.vision_tokens, 1)),
    timeRatio: timed ? ratio(sum((l) => l.total_ms ?? 0, 0), sum((l) => l.total_ms ?? 0, 1)) : null,
  };
}

const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;

function pad(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
}

/** The summary as a plain-text table (categories down, modes across), the official report's numbers first. */
export function summaryTable(summary: EvalSummary): string {
  const header = ['', ...summary.modes.map((m) => m.mode)];
  const cell = (s: CategoryScore) => `${pct(s.accuracy)} (${s.correct}/${s.count})${s.failed ? ` +${s.failed} failed` : ''}`;
  const categories = summary.modes[0]?.categories.map((c) => c.category) ?? [];
  const rows: string[][] = [
    ...categories.map((c, i) => [c, ...summary.modes.map((m) => cell(m.categories[i]!))]),
    ['TOTAL', ...summary.modes.map((m) => cell(m.total))],
    ['failures counted wrong', ...summary.modes.map((m) => pct(m.total.accuracyCountingFailures))],
    ['mean vision tokens', ...summary.modes.map((m) => (m.meanVisionTokens === null ? '-' : m.meanVisionTokens.toFixed(1)))],
    ['mean time per sample', ...summary.modes.map((m) => (m.meanMs === null ? '-' : `${(m.meanMs / 1000).toFixed(2)} s`))],
  ];
  const widths = header.map((_, i) => Math.max(header[i]!.length, ...rows.map((r) => r[i]!.length)));
  const lines = [pad(header, widths), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map((r) => pad(r, widths))];
  const cmp = summary.ergoVsDirect;
  if (cmp) {
    lines.push(
      '',
      `ERGO vs direct over ${cmp.samples} samples: ${cmp.accuracyDelta >= 0 ? '+' : ''}${cmp.accuracyDelta.toFixed(2)} points, ` +
        `${(100 * cmp.visionTokenRatio).toFixed(1)}% of the vision tokens` +
        (cmp.timeRatio === null ? '' : `, ${cmp.timeRatio.toFixed(2)}x the time`),
    );
  }
  const cf = summary.confusion;
  if (cf) {
    lines.push(
      '',
      `Where ERGO looked (containment >= ${cf.threshold} is on target): ` +
        `wrong with the box on the target ${cf.wrongOnTarget}, off it ${cf.wrongOffTarget}, no box ${cf.wrongNoBox}; ` +
        `right on ${cf.rightOnTarget}, off ${cf.rightOffTarget}, no box ${cf.rightNoBox}`,
    );
  }
  return lines.join('\n');
}
