import { useState } from 'react';
import type { EvalResultLine, StageUsage } from '../../eval/results';
import { imageBlob, MissingImageError } from '../../results/images';
import { openInLens } from '../../results/openInLens';
import type { DatasetFolder } from '../../results/resultsStore';

const n = (v: number | null) => (v === null ? '–' : String(Math.round(v)));

function UsageRow({ name, usage }: { name: string; usage: StageUsage | null }) {
  if (!usage) return null;
  return (
    <tr>
      <th scope="row">{name}</th>
      <td>{usage.vision_tokens}</td>
      <td>{n(usage.text_tokens)}</td>
      <td>{n(usage.cached_tokens)}</td>
      <td>{n(usage.completion_tokens)}</td>
      <td>{usage.ms === null ? '–' : `${Math.round(usage.ms)} ms`}</td>
    </tr>
  );
}

/** One result: what was asked, where the model looked, what it answered and what it cost; opens in the lens. */
export function ResultDetail({ line, folder }: { line: EvalResultLine; folder: DatasetFolder | null }) {
  const [problem, setProblem] = useState<string | null>(null);
  const open = async (rerun: boolean) => {
    if (!folder) return setProblem("Open the dataset's folder first: the image comes from there.");
    try {
      const blob = await imageBlob(folder, line.image);
      const name = line.image.kind === 'file' ? (line.image.path.split('/').pop() ?? line.id) : `${line.id}.png`;
      if (await openInLens(line, blob, name, rerun)) location.hash = '#/';
      else setProblem('The image could not be opened (see the message in the single-run view).');
    } catch (e) {
      setProblem(e instanceof MissingImageError ? e.message : `The image could not be read: ${(e as Error).message}`);
    }
  };
  return (
    <section className="panel result-detail" data-testid="result-detail" aria-labelledby="detail-heading">
      <h2 id="detail-heading">
        {line.category} · {line.id} · {line.correct ? 'right' : 'wrong'}
      </h2>
      <p>{line.question}</p>
      <ul className="options">
        {line.options.map((o) => (
          <li key={o}>{o}</li>
        ))}
      </ul>
      <p className="meta">
        Answer <strong data-testid="detail-pred">{line.pred || '(no letter)'}</strong>, gold <strong>{line.label}</strong>.{' '}
        {line.crop
          ? `Crop ${line.crop.x1},${line.crop.y1} – ${line.crop.x2},${line.crop.y2} of ${line.image_size.width}×${line.image_size.height}; containment ${line.containment === null ? '–' : `${Math.round(line.containment * 100)}%`}, IoU ${line.iou === null ? '–' : line.iou.toFixed(2)}.`
          : line.box_status === 'baseline'
            ? 'A baseline: the whole image.'
            : `No usable box (${line.box_status}); fallback: ${line.fallback}.`}
      </p>
      <div className="row">
        <button type="button" data-testid="result-open-lens" onClick={() => void open(false)}>
          Open in the single-run view
        </button>
        <button type="button" className="primary" data-testid="result-rerun" onClick={() => void open(true)}>
          Re-run here
        </button>
      </div>
      {problem && (
        <p className="error" role="alert" data-testid="result-problem">
          {problem}
        </p>
      )}
      <table className="ledger">
        <thead>
          <tr>
            <th scope="col">Turn</th>
            <th scope="col">Vision</th>
            <th scope="col">Text</th>
            <th scope="col">Cached</th>
            <th scope="col">Output</th>
            <th scope="col">Time</th>
          </tr>
        </thead>
        <tbody>
          <UsageRow name={line.mode === 'ergo' ? 'coarse' : line.mode} usage={line.usage.coarse} />
          <UsageRow name="fine" usage={line.usage.fine} />
        </tbody>
      </table>
      <h3>{line.mode === 'ergo' ? 'Stage 1: coarse look' : 'Output'}</h3>
      <pre className="stream">{line.coarse_output}</pre>
      {line.fine_output !== null && (
        <>
          <h3>Stage 2: zoomed answer</h3>
          <pre className="stream">{line.fine_output}</pre>
        </>
      )}
      <p className="meta">
        {line.model} on {line.engine}, budget {line.budget}.
      </p>
    </section>
  );
}
