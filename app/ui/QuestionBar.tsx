import { useShallow } from 'zustand/react/shallow';
import { runBaseline, runErgo, stop } from '../store/actions';
import { useLens } from '../store/lensStore';
import type { Decoding } from '../../pipeline/protocol';

const PHASE_WORDS: Record<string, string> = { load: 'loading the model', decode: 'decoding the image', resize: 'resizing', encode: 'encoding the image', prefill: 'reading the prompt', generate: 'writing' };

/** The question, Run / Stop, the baselines, and the run settings. */
export function QuestionBar() {
  const { question, settings, run, compare, loading, hasImage } = useLens(
    useShallow((s) => ({ question: s.question, settings: s.settings, run: s.run, compare: s.compare, loading: s.load.pending !== null, hasImage: !!s.image })),
  );
  const running = run?.status === 'running' || compare?.status === 'running' || loading;
  const active = compare?.status === 'running' ? compare : run;
  const status = loading ? 'Loading the model…' : active?.status === 'running' ? `${active.stage ?? ''} ${PHASE_WORDS[active.phase ?? ''] ?? 'starting'}…` : '';
  return (
    <form
      className="panel question"
      onSubmit={(e) => {
        e.preventDefault();
        runErgo();
      }}
    >
      <label htmlFor="question">Question</label>
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
      <div className="row">
        <button type="submit" className="primary" data-testid="run-button" disabled={running || !hasImage}>
          Run ERGO
        </button>
        <button type="button" data-testid="stop-button" onClick={stop} disabled={!running}>
          Stop
        </button>
        <button type="button" onClick={() => runBaseline('direct')} disabled={running || !hasImage || !run}>
          Compare: whole image
        </button>
        <button type="button" onClick={() => runBaseline('coarse-only')} disabled={running || !hasImage || !run}>
          Compare: coarse only
        </button>
        <span className="status" role="status" data-testid="run-status">
          {status}
        </span>
      </div>
      <div className="row settings">
        <label>
          Budget
          <select value={settings.budget} onChange={(e) => useLens.setState({ settings: { ...settings, budget: Number(e.target.value) } })}>
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
