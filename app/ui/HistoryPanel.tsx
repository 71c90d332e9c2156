import { useShallow } from 'zustand/react/shallow';
import { traceOfRun } from '../trace/fromRun';
import { importTrace, showRun } from '../store/actions';
import { useLens } from '../store/lensStore';
import type { RunState } from '../store/runState';
import { FileButton } from './FileButton';
import { PlacedError } from './PlacedError';

/** Writes the run's trace, with the run's own image (name, size, SHA-256). */
function download(run: RunState) {
  const blob = new Blob([JSON.stringify(traceOfRun(run), null, 2)], { type: 'application/json' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `ergo-trace-${run.requestId}.json`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

const KIND_WORDS: Record<RunState['kind'], string> = { ergo: 'ERGO', fine: 'Your box', direct: 'Whole image', 'coarse-only': 'Coarse only', trace: 'Trace' };

/** The session's runs, each on its own image; export one as a JSON trace, or import a trace to inspect it. */
export function HistoryPanel() {
  const { history, run, note } = useLens(useShallow((s) => ({ history: s.history, run: s.run, note: s.historyNote })));
  return (
    <section className="panel history" aria-labelledby="history-heading">
      <h2 id="history-heading">History</h2>
      <div className="row">
        <button type="button" data-testid="export-trace" disabled={!run || run.status === 'running'} onClick={() => run && download(run)}>
          Export this run (JSON)
        </button>
        <FileButton label="Import a trace" accept="application/json,.json" testId="trace-input" onFile={(file) => void importTrace(file, file.name)} />
      </div>
      <p className="meta" role="status" data-testid="history-note">
        {note}
      </p>
      <PlacedError where="trace" />
      <ol className="runs" data-testid="history">
        {history.map((r) => {
          const label = `${KIND_WORDS[r.kind]} · ${r.image.name} · ${r.question} · ${r.status === 'done' ? (r.answer ?? '') : r.status}`;
          return (
            <li key={r.requestId}>
              <button type="button" className="link" title={label} aria-current={r === run ? 'true' : undefined} onClick={() => showRun(r)}>
                {label}
              </button>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
