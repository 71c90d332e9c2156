import { useShallow } from 'zustand/react/shallow';
import type { EvalMode } from '../../eval/results';
import type { BoxFilter, ContainmentFilter, OutcomeFilter, ResultsSort } from '../../results/resultsModel';
import { setFilter, setSort, useResults } from '../../results/resultsStore';

/** Filters (mode, category, outcome, box, containment) and the sort of the grid. */
export function ResultsFilters({ categories, modes }: { categories: readonly string[]; modes: readonly EvalMode[] }) {
  const { filter, sort } = useResults(useShallow((s) => ({ filter: s.filter, sort: s.sort })));
  return (
    <div className="results-filters" role="group" aria-label="Filter and sort">
      <label>
        Run
        <select data-testid="results-filter-mode" value={filter.mode} onChange={(e) => setFilter({ mode: e.target.value as EvalMode })}>
          {modes.map((m) => (
            <option key={m} value={m}>
              {m === 'ergo' ? 'ERGO' : m === 'direct' ? 'Direct baseline' : 'Coarse only'}
            </option>
          ))}
        </select>
      </label>
      <label>
        Category
        <select data-testid="results-filter-category" value={filter.category ?? ''} onChange={(e) => setFilter({ category: e.target.value || null })}>
          <option value="">All</option>
          {categories.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      </label>
      <label>
        Answer
        <select data-testid="results-filter-outcome" value={filter.outcome} onChange={(e) => setFilter({ outcome: e.target.value as OutcomeFilter })}>
          <option value="all">Right or wrong</option>
          <option value="correct">Right</option>
          <option value="wrong">Wrong</option>
        </select>
      </label>
      <label>
        Box
        <select data-testid="results-filter-box" value={filter.box} onChange={(e) => setFilter({ box: e.target.value as BoxFilter })}>
          <option value="all">Found or not</option>
          <option value="found">Found</option>
          <option value="none">Not found</option>
        </select>
      </label>
      <label>
        Containment
        <select data-testid="results-filter-containment" value={filter.containment} onChange={(e) => setFilter({ containment: e.target.value as ContainmentFilter })}>
          <option value="all">Any</option>
          <option value="on">On the target (≥ 50%)</option>
          <option value="off">Off the target (&lt; 50%)</option>
          <option value="unknown">No box or no target</option>
        </select>
      </label>
      <label>
        Sort
        <select data-testid="results-sort" value={sort} onChange={(e) => setSort(e.target.value as ResultsSort)}>
          <option value="file">File order</option>
          <option value="containment-asc">Containment, lowest first</option>
          <option value="containment-desc">Containment, highest first</option>
          <option value="tokens-desc">Vision tokens, most first</option>
          <option value="tokens-asc">Vision tokens, fewest first</option>
        </select>
      </label>
    </div>
  );
}
