import { useShallow } from 'zustand/react/shallow';
import type { EvalMode } from '../../eval/results';
import type { BoxFilter, ContainmentFilter, OutcomeFilter, ResultsSort } from '../../results/resultsModel';
import { setFilter, setSort, useResults } from '../../results/resultsStore';

/** A labelled select over fixed choices. */
function Choice<T extends string>({ label, testId, value, choices, onChange }: { label: string; testId: string; value: T; choices: readonly (readonly [T, string])[]; onChange: (value: T) => void }) {
  return (
    <label>
      {label}
      <select data-testid={testId} value={value} onChange={(e) => onChange(choices.find(([v]) => v === e.target.value)![0])}>
        {choices.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}

const MODE_NAMES: Record<EvalMode, string> = { ergo: 'ERGO', direct: 'Direct baseline', 'coarse-only': 'Coarse only' };

/** Filters (mode, category, outcome, box, containment) and the sort of the grid. */
export function ResultsFilters({ categories, modes }: { categories: readonly string[]; modes: readonly EvalMode[] }) {
  const { filter, sort } = useResults(useShallow((s) => ({ filter: s.filter, sort: s.sort })));
  return (
    <div className="results-filters" role="group" aria-label="Filter and sort">
      <Choice label="Run" testId="results-filter-mode" value={filter.mode} choices={modes.map((m) => [m, MODE_NAMES[m]] as const)} onChange={(mode) => setFilter({ mode })} />
      <Choice
        label="Category"
        testId="results-filter-category"
        value={filter.category ?? ''}
        choices={[['', 'All'] as const, ...categories.map((c) => [c, c] as const)]}
        onChange={(c) => setFilter({ category: c || null })}
      />
      <Choice<OutcomeFilter>
        label="Answer"
        testId="results-filter-outcome"
        value={filter.outcome}
        choices={[['all', 'Right or wrong'], ['correct', 'Right'], ['wrong', 'Wrong']]}
        onChange={(outcome) => setFilter({ outcome })}
      />
      <Choice<BoxFilter> label="Box" testId="results-filter-box" value={filter.box} choices={[['all', 'Found or not'], ['found', 'Found'], ['none', 'Not found']]} onChange={(box) => setFilter({ box })} />
      <Choice<ContainmentFilter>
        label="Containment"
        testId="results-filter-containment"
        value={filter.containment}
        choices={[['all', 'Any'], ['on', 'On the target (≥ 50%)'], ['off', 'Off the target (< 50%)'], ['unknown', 'No box or no target']]}
        onChange={(containment) => setFilter({ containment })}
      />
      <Choice<ResultsSort>
        label="Sort"
        testId="results-sort"
        value={sort}
        choices={[
          ['file', 'File order'],
          ['containment-asc', 'Containment, lowest first'],
          ['containment-desc', 'Containment, highest first'],
          ['tokens-desc', 'Vision tokens, most first'],
          ['tokens-asc', 'Vision tokens, fewest first'],
        ]}
        onChange={setSort}
      />
    </div>
  );
}
