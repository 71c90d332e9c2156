/**
 * The results browser's data: a results file read line by line, and the filters and sorts over
 * it. Pure, so the same rules hold in tests and in the page.
 */
import { isFailed, parseResultLine, type EvalMode, type EvalResultLine, type ResultFileLine } from '../eval/results';
import { latestLines, ON_TARGET, placement } from '../eval/summary';

export interface ResultsFile {
  readonly name: string;
  /** Completed samples, latest line per (mode, id). */
  readonly lines: readonly EvalResultLine[];
  /** Samples whose run failed (kept apart: they have no outputs to look at). */
  readonly failed: number;
  /** Lines that are not results lines, with their numbers (the first few). */
  readonly problems: readonly string[];
  readonly badLines: number;
}

const MAX_PROBLEMS = 5;

/** Reads the text of a results file; bad lines are counted and named, never fatal. */
export function readResultsText(name: string, text: string): ResultsFile {
  const all: ResultFileLine[] = [];
  const problems: string[] = [];
  let badLines = 0;
  text.split('\n').forEach((raw, i) => {
    if (!raw.trim()) return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      json = undefined;
    }
    const parsed = json === undefined ? { ok: false as const, message: 'not JSON' } : parseResultLine(json);
    if (parsed.ok) all.push(parsed.line);
    else if (++badLines <= MAX_PROBLEMS) problems.push(`line ${i + 1}: ${parsed.message}`);
  });
  const latest = latestLines(all);
  const lines = latest.filter((l): l is EvalResultLine => !isFailed(l));
  return { name, lines, failed: latest.length - lines.length, problems, badLines };
}

export type OutcomeFilter = 'all' | 'correct' | 'wrong';
export type BoxFilter = 'all' | 'found' | 'none';
/** `on`/`off`: the box covers at least / less than ON_TARGET of the target; `unknown`: no target or no box. */
export type ContainmentFilter = 'all' | 'on' | 'off' | 'unknown';
export type ResultsSort = 'file' | 'containment-asc' | 'containment-desc' | 'tokens-asc' | 'tokens-desc';

export interface ResultsFilter {
  readonly mode: EvalMode;
  /** Null: every category. */
  readonly category: string | null;
  readonly outcome: OutcomeFilter;
  readonly box: BoxFilter;
  readonly containment: ContainmentFilter;
}

export const DEFAULT_FILTER: ResultsFilter = { mode: 'ergo', category: null, outcome: 'all', box: 'all', containment: 'all' };

const boxFound = (l: EvalResultLine): boolean => l.crop !== null;

function keep(l: EvalResultLine, f: ResultsFilter): boolean {
  if (l.mode !== f.mode) return false;
  if (f.category !== null && l.category !== f.category) return false;
  if (f.outcome !== 'all' && l.correct !== (f.outcome === 'correct')) return false;
  if (f.box !== 'all' && boxFound(l) !== (f.box === 'found')) return false;
  if (f.containment === 'all') return true;
  const where = placement(l, ON_TARGET);
  return f.containment === 'unknown' ? where === 'none' : where === f.containment;
}

/** Lines that pass the filter, in the order of `sort` (ties keep file order). */
export function viewResults(lines: readonly EvalResultLine[], filter: ResultsFilter, sort: ResultsSort): EvalResultLine[] {
  const kept = lines.filter((l) => keep(l, filter));
  if (sort === 'file') return kept;
  const [field, dir] = sort.split('-') as ['containment' | 'tokens', 'asc' | 'desc'];
  const value = (l: EvalResultLine): number | null => (field === 'tokens' ? l.vision_tokens : l.containment);
  // Lines without a value (no box, no target) go last either way.
  return kept
    .map((l, i) => ({ l, i, v: value(l) }))
    .sort((a, b) => {
      if (a.v === null || b.v === null) return a.v === b.v ? a.i - b.i : a.v === null ? 1 : -1;
      return (dir === 'asc' ? a.v - b.v : b.v - a.v) || a.i - b.i;
    })
    .map((x) => x.l);
}

/** Categories in the file, sorted; modes present, in the standard order. */
export function facets(lines: readonly EvalResultLine[]): { categories: string[]; modes: EvalMode[] } {
  const modes = (['ergo', 'direct', 'coarse-only'] as const).filter((m) => lines.some((l) => l.mode === m));
  return { categories: [...new Set(lines.map((l) => l.category))].sort(), modes };
}
