import { findModel } from '../../pipeline/registry';
import { useLens } from '../store/lensStore';

/** The final answer, prominent, with what produced it. */
export function AnswerCard() {
  const run = useLens((s) => s.run);
  const notices = run?.notices ?? [];
  const noise = run ? findModel(run.modelId)?.randomWeights : false;
  return (
    <section className="panel answer-card" aria-labelledby="answer-heading">
      <h2 id="answer-heading">Answer</h2>
      <p className="answer" data-testid="answer">
        {run?.answer ?? (run?.status === 'running' ? '…' : run?.status === 'cancelled' ? 'Stopped.' : '')}
      </p>
      {noise && run?.answer !== null && run?.answer !== undefined && <p className="warn">Random-weight test model: this answer is noise.</p>}
      {notices.map((n, i) => (
        <p key={`${n.code}-${i}`} className="notice" data-testid="notice">
          {n.message}
        </p>
      ))}
    </section>
  );
}
