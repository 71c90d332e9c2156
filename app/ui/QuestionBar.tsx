import { useShallow } from 'zustand/react/shallow';
import { findModel } from '../../pipeline/registry';
import { runErgo, stop } from '../store/actions';
import { useLens } from '../store/lensStore';
import { readyModelId } from '../store/loadState';
import { PlacedError } from './PlacedError';
import type { Decoding, Stage } from '../../pipeline/protocol';
import { mb } from './format';

const STAGE_WORDS: Record<Stage, string> = { coarse: 'Stage 1', fine: 'Stage 2', direct: 'Full image', 'coarse-only': 'Coarse only' };
const PHASE_WORDS: Record<string, string> = { load: 'loading the model', decode: 'decoding the image', resize: 'resizing', encode: 'encoding the image', prefill: 'reading the prompt', generate: 'writing' };

/** The question, Run / Stop, what Run will do (or why it cannot yet), and the run settings. */
export function QuestionBar() {
  const { question, settings, run, baselines, load, modelId, hasImage } = useLens(
    useShallow((s) => ({ question: s.question, settings: s.settings, run: s.run, baselines: s.baselines, load: s.load, modelId: s.modelId, hasImage: !!s.image })),
  );
  const loading = load.pending !== null;
  const baseline = Object.values(baselines).find((b) => b?.status === 'running');
  const running = run?.status === 'running' || !!baseline || loading;
  const active = baseline ?? run;
  const loaded = readyModelId(load) === modelId;
  const entry = findModel(modelId);
  const status = loading
    ? `Loading ${entry?.label ?? 'the model'}${active?.status === 'running' ? ', then running' : ''}…`
    : active?.status === 'running'
      ? `${active.stage ? `${STAGE_WORDS[active.stage]}: ` : ''}${PHASE_WORDS[active.phase ?? ''] ?? 'starting'}…`
      : '';
  const blocker = !hasImage ? 'Pick, drop or paste an image first, or choose a sample.' : !question.trim() ? 'Type a question about the image.' : null;
  const hint =
    blocker ??
    (running
      ? 'Stop ends the run.'
      : loaded
        ? `Runs on the loaded ${entry?.label ?? modelId}.`
        : `Loads ${entry?.label ?? modelId}${entry?.approxBytes ? ` (about ${mb(entry.approxBytes.f32)})` : ''} first, then runs.`);
  return (
    <form
      className="panel question"
      onSubmit={(e) => {
        e.preventDefault();
        runErgo();
      }}
    >
      <label htmlFor="question" className="question-label">
        <span className="step" aria-hidden="true">2</span> Question
      </label>
      <textarea
        id="question"
        data-testid="question-input"
        rows={2}
        placeholder="What does the small sign say?"
        value={question}
        onChange={(e) => useLens.setState({ question: e.target.value })}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) runErgo();
        }}
      />
      <div className="row run-row">
        <button type="submit" className="primary" data-testid="run-button" disabled={running || blocker !== null} aria-describedby="run-hint">
          Run ERGO
        </button>
        <button type="button" data-testid="stop-button" onClick={stop} disabled={!running}>
          Stop
        </button>
        <span className="hint run-hint" id="run-hint" data-testid="run-hint">
          {hint}
        </span>
        <span className="status" role="status" data-testid="run-status">
          {status}
        </span>
      </div>
      <PlacedError where="run" />
      <div className="row settings" aria-label="Run settings">
        <label>
          Budget
          <select value={settings.budget} onChange={(e) => useLens.setState({ settings: { ...settings, budget: Number(e.target.value) } })}>
            {entry?.budget !== undefined && entry.budget !== 640 && entry.budget !== 1280 && <option value={entry.budget}>{entry.budget} tokens (this model's)</option>}
            <option value={640}>640 tokens</option>
            <option value={1280}>1280 tokens</option>
          </select>
        </label>
        <label>
          No box
          <select value={settings.fallback} onChange={(e) => useLens.setState({ settings: { ...settings, fallback: e.target.value as 'skip' | 'full-image' } })}>
            <option value="skip">skip the fine turn</option>
            <option value="full-image">send the whole image</option>
          </select>
        </label>
        <label title="The model's generation_config.json: greedy with its repetition penalty, as the official evaluation decodes">
          Decoding
          <select data-testid="decoding-select" value={settings.decoding ?? 'generation-config'} onChange={(e) => useLens.setState({ settings: { ...settings, decoding: e.target.value as Decoding } })}>
            <option value="generation-config">model's generation config</option>
            <option value="greedy">plain greedy</option>
          </select>
        </label>
        <label>
          Max new tokens
          <input type="number" min={1} max={4096} value={settings.maxNewTokens} onChange={(e) => useLens.setState({ settings: { ...settings, maxNewTokens: Math.max(1, Math.min(4096, Number(e.target.value) || 1)) } })} />
        </label>
      </div>
    </form>
  );
}
