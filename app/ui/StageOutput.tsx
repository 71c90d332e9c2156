import { useShallow } from 'zustand/react/shallow';
import { useLens } from '../store/lensStore';
import { describeBox } from '../store/runState';
import type { Stage } from '../../pipeline/protocol';
import { isSilentPhase, PhaseProgress } from './PhaseProgress';

/** Readable text: tags dropped (the raw output stays one click away). */
const readable = (text: string) => text.replace(/<\/?(think|answer|zoom)>/g, ' ').replace(/\s+/g, ' ').trim();

/** One turn's streamed output; reserved height so streaming does not move the layout. */
export function StageOutput({ stage, title, testId }: { stage: Stage; title: string; testId: string }) {
  const { run, showRaw, edited } = useLens(useShallow((s) => ({ run: s.run, showRaw: s.showRaw, edited: s.editedBox })));
  const text = run?.texts[stage] ?? '';
  // Decoding the image comes before any stage is named: it belongs to stage 1.
  const phase = run?.status === 'running' && (run.stage ?? 'coarse') === stage ? run.phase : null;
  return (
    <section className="panel stage" aria-labelledby={`${testId}-heading`}>
      <h2 id={`${testId}-heading`}>{title}</h2>
      {stage === 'coarse' && (
        <p className="meta" data-testid="box-status">
          {run ? describeBox(run, edited) : ''}
        </p>
      )}
      <div className="stream-box">
        <pre className="stream" data-testid={testId} aria-live="polite">
          {showRaw ? text : readable(text)}
        </pre>
        {isSilentPhase(phase) && <PhaseProgress phase={phase} compilingShaders={run?.compilingShaders ?? false} stepKey={`${run?.requestId}:${stage}:${phase}`} testId={`${testId}-phase`} />}
      </div>
      {stage === 'coarse' && (
        <label className="inline">
          <input type="checkbox" checked={showRaw} onChange={(e) => useLens.setState({ showRaw: e.target.checked })} /> Show raw output
        </label>
      )}
    </section>
  );
}
