import { useShallow } from 'zustand/react/shallow';
import { traceOfRun } from '../trace/fromRun';
import { importTrace, showRun } from '../store/actions';
import { useLens } from '../store/lensStore';
import type { RunState } from '../store/runState';
import { FileButton } from './FileButton';

function download(run: RunState) {
  const image = useLens.getState().image;
  if (!image) return;
  const blob = new Blob([JSON.stringify(traceOfRun(run, image), null, 2)], { type: 'application/json' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `ergo-trace-${run.requestId}.json`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

/** The session's runs; export one as a JSON trace, or import a trace to inspect it over the image. */
export function HistoryPanel() {
  const { history, run } = useLens(useShallow((s) => ({ history: s.history, run: s.run })));
  return (
    <section className="panel history" aria-labelledby="history-heading">
      <h2 id="history-heading">History</h2>
      <div className="row">
        <button type="button" data-testid="export-trace" disabled={!run || run.status === 'running'} onClick={() => run && download(run)}>
          Export this run (JSON)
        </button>
        <FileButton label="Import a trace" accept="application/json,.json" testId="trace-input" onFile={(file) => void importTrace(file)} />
      </div>
      <ol className="runs" data-testid="history">
        {history.map((r) => (
          <li key={r.requestId}>
            <button type="button" className="link" onClick={() => showRun(r)}>
              {r.kind} · {r.question.slice(0, 60)} · {r.status === 'done' ? (r.answer ?? '').slice(0, 40) : r.status}
            </button>
          </li>
        ))}
      </ol>
    </section>
  );
}
