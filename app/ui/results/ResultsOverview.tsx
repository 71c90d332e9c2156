import { useMemo } from 'react';
import type { EvalResultLine } from '../../eval/results';
import { regionConfusion, summarize } from '../../eval/summary';
import { setFilter } from '../../results/resultsStore';

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/**
 * Accuracy per category and mode, and the confusion ERGO's paper raises: a wrong answer with the
 * box on the target (read badly) against one with the box off it (looked in the wrong place).
 * Each count filters the grid to those samples.
 */
export function ResultsOverview({ lines, failed }: { lines: readonly EvalResultLine[]; failed: number }) {
  const summary = useMemo(() => summarize(lines, null), [lines]);
  const confusion = useMemo(() => regionConfusion(lines), [lines]);
  const show = (outcome: 'correct' | 'wrong', containment: 'on' | 'off' | 'unknown') => setFilter({ mode: 'ergo', outcome, containment, box: 'all' });
  return (
    <section className="panel results-overview" aria-labelledby="overview-heading">
      <h2 id="overview-heading">Accuracy</h2>
      <table className="ledger" data-testid="results-accuracy">
        <thead>
          <tr>
            <th scope="col">Category</th>
            {summary.modes.map((m) => (
              <th key={m.mode} scope="col">
                {m.mode}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {[...(summary.modes[0]?.categories.map((c) => c.category) ?? []), 'total'].map((category, row) => (
            <tr key={category}>
              <th scope="row">{category}</th>
              {summary.modes.map((m) => {
                const s = category === 'total' ? m.total : m.categories[row]!;
                return (
                  <td key={m.mode}>
                    {pct(s.accuracy)} ({s.correct}/{s.count})
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {failed > 0 && <p className="meta">{failed} failed sample(s) are not shown (the official script would drop them silently).</p>}
      {summary.ergoVsDirect && (
        <p className="meta">
          ERGO vs direct over {summary.ergoVsDirect.samples} samples: {summary.ergoVsDirect.accuracyDelta >= 0 ? '+' : ''}
          {summary.ergoVsDirect.accuracyDelta.toFixed(1)} points with {pct(summary.ergoVsDirect.visionTokenRatio)} of the vision tokens.
        </p>
      )}
      <h2>Where ERGO looked</h2>
      {confusion ? (
        <table className="ledger confusion" data-testid="results-confusion">
          <thead>
            <tr>
              <th scope="col" />
              <th scope="col">Box on target</th>
              <th scope="col">Box off target</th>
              <th scope="col">No box</th>
            </tr>
          </thead>
          <tbody>
            {(
              [
                ['wrong', 'Wrong', confusion.wrongOnTarget, confusion.wrongOffTarget, confusion.wrongNoBox],
                ['correct', 'Right', confusion.rightOnTarget, confusion.rightOffTarget, confusion.rightNoBox],
              ] as const
            ).map(([outcome, label, on, off, none]) => (
              <tr key={outcome}>
                <th scope="row">{label}</th>
                {([['on', on], ['off', off], ['unknown', none]] as const).map(([where, n]) => (
                  <td key={where}>
                    <button type="button" className="link" data-testid={`confusion-${outcome}-${where}`} onClick={() => show(outcome, where)}>
                      {n}
                    </button>
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="meta">No target boxes in these results (V* annotations or a JSONL bbox give them).</p>
      )}
      {confusion && <p className="meta">On target: the crop holds at least {confusion.threshold * 100}% of the target.</p>}
    </section>
  );
}
