/**
 * The results browser's state. It is a page of its own (`#/results`), so it keeps its own small
 * store rather than widening the single-run store: 2,000 results never pass through the lens's
 * state, and the lens's reducers never see them. Opening one sample hands it to the lens store.
 */
import { create } from 'zustand';
import type { EvalResultLine } from '../eval/results';
import { DEFAULT_FILTER, readResultsText, type ResultsFile, type ResultsFilter, type ResultsSort } from './resultsModel';

/** A picked dataset folder: files by their path relative to the folder. */
export interface DatasetFolder {
  readonly name: string;
  readonly files: ReadonlyMap<string, File>;
}

export interface ResultsState {
  readonly file: ResultsFile | null;
  readonly folder: DatasetFolder | null;
  readonly filter: ResultsFilter;
  readonly sort: ResultsSort;
  /** The sample shown in the detail panel: its `mode` and `id`. */
  readonly selected: { readonly mode: string; readonly id: string } | null;
  readonly error: string | null;
}

export const useResults = create<ResultsState>()(() => ({ file: null, folder: null, filter: DEFAULT_FILTER, sort: 'file', selected: null, error: null }));

/** Reads a picked results file; a file with no results line keeps the current one and says why. */
export async function openResultsFile(file: File): Promise<void> {
  const read = readResultsText(file.name, await file.text());
  if (!read.lines.length && !read.failed) {
    useResults.setState({ error: `${file.name} has no results lines${read.problems.length ? ` (${read.problems.join('; ')})` : ''}: open the JSONL that npm run eval writes with --out.` });
    return;
  }
  const modes = new Set(read.lines.map((l) => l.mode));
  const filter = modes.has(useResults.getState().filter.mode) ? useResults.getState().filter : { ...DEFAULT_FILTER, mode: read.lines[0]?.mode ?? 'ergo' };
  useResults.setState({ file: read, filter, selected: null, error: null });
}

/** Takes a picked folder (`webkitdirectory`): paths are made relative to the folder itself. */
export function openDatasetFolder(files: readonly File[]): void {
  if (!files.length) return;
  const name = files[0]!.webkitRelativePath.split('/')[0] ?? 'folder';
  useResults.setState({ folder: { name, files: new Map(files.map((f) => [f.webkitRelativePath.split('/').slice(1).join('/'), f])) }, error: null });
}

export const setFilter = (patch: Partial<ResultsFilter>): void => useResults.setState((s) => ({ filter: { ...s.filter, ...patch } }));
export const setSort = (sort: ResultsSort): void => useResults.setState({ sort });
export const selectResult = (line: EvalResultLine | null): void => useResults.setState({ selected: line && { mode: line.mode, id: line.id } });
export const dismissResultsError = (): void => useResults.setState({ error: null });

export function selectedLine(s: ResultsState): EvalResultLine | null {
  const sel = s.selected;
  return (sel && s.file?.lines.find((l) => l.id === sel.id && l.mode === sel.mode)) ?? null;
}
