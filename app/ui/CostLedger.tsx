import { useShallow } from 'zustand/react/shallow';
import { totalOf } from '../../pipeline/stats';
import { runBaseline } from '../store/actions';
import { useLens } from '../store/lensStore';
import { conventionOf, ledgerOf } from '../store/selectors';
import type { BaselineKind, RunState } from '../store/runState';
import { TurnTokens } from './TurnTokens';

const ms = (v: number) => String(Math.round(v));
const size = (s: { width: number; height: number }) => `${s.width}×${s.height}`;

function Timings({ run, label }: { run: RunState | undefined; label: string }) {
  if (!run?.stages.length) return null;
  return (
    <tr>
      <th scope="row">{label}</th>
      <td>{totalOf(run.stages, 'visionTokens')}</td>
      <td>{ms(totalOf(run.stages, 'encoderMs'))}</td>
      <td>{ms(totalOf(run.stages, 'prefillMs'))}</td>
      <td>{ms(totalOf(run.stages, 'decodeMs'))}</td>
      <td>{(run.stages.reduce((n, s) => n + s.tokensPerSecond, 0) / run.stages.length).toFixed(1)}</td>
      <td>{ms(totalOf(run.stages, 'totalMs'))}</td>
    </tr>
  );
}

const outcome = (run: RunState | undefined) =>
  !run ? 'not run' : run.status === 'running' ? 'running…' : run.status === 'done' ? (run.answer ?? '') : run.status === 'cancelled' ? 'stopped' : `error: ${run.error?.message ?? ''}`;

/** Why a baseline cannot be run now, or null when it can. */
function compareBlocker(run: RunState, busy: boolean, image: unknown): string | null {
  if (busy) return 'Wait for the current run to finish.';
  if (image !== run.image) return 'This run is not on the current image.';
  return null;
}

/** Vision tokens ERGO spends against the whole image, both baselines beside it, and time per phase. */
export function CostLedger() {
  const { run, baselines, edited, load, image, busy } = useLens(
    useShallow((s) => ({
      run: s.run,
      baselines: s.baselines,
      edited: s.editedBox,
      load: s.load,
      image: s.image,
      busy: s.run?.status === 'running' || Object.values(s.baselines).some((b) => b?.status === 'running') || s.load.pending !== null,
    })),
  );
  if (!run) return null;
  const ledger = ledgerOf(run, baselines, edited, conventionOf(load, run.modelId));
  const { ergo, direct, coarseOnly } = ledger;
  const blocker = compareBlocker(run, busy, image);
  const compareButton = (kind: BaselineKind) => (
    <button type="button" data-testid={`compare-${kind}`} onClick={() => runBaseline(kind)} disabled={blocker !== null} aria-describedby="compare-hint">
      {baselines[kind] ? 'Run again' : 'Run'}
    </button>
  );
  return (
    <section className="panel ledger" aria-labelledby="ledger-heading">
      <h2 id="ledger-heading">Cost</h2>
      {ergo && (
        <table>
          <tbody>
            <tr>
              <th scope="row">Coarse image ({size(ergo.coarse)})</th>
              <td data-testid="ledger-coarse-tokens">{ergo.coarse.tokens}</td>
            </tr>
            <tr>
              <th scope="row">Crop{ergo.crop ? ` (${size(ergo.crop)})` : ''}</th>
              <td data-testid="ledger-crop-tokens">{ergo.crop?.tokens ?? 0}</td>
            </tr>
            <tr>
              <th scope="row">ERGO in all</th>
              <td data-testid="ledger-ergo-tokens">{ergo.ergoTokens}</td>
            </tr>
            <tr>
              <th scope="row">Whole image, stock Qwen2.5-VL{ergo.full ? ` (${size(ergo.full)})` : ''}</th>
              <td data-testid="ledger-full-tokens">{ergo.full?.tokens ?? 'n/a'}</td>
            </tr>
            <tr>
              <th scope="row">Saved</th>
              <td data-testid="ledger-saved">
                {!ergo.full ? 'n/a' : ergo.percentSaved !== null ? `${ergo.percentSaved.toFixed(1)}%` : run.status === 'running' ? 'when the run finishes' : 'only for a finished run'}
              </td>
            </tr>
          </tbody>
        </table>
      )}
      <h3>Beside ERGO</h3>
      <table className="baselines">
        <thead>
          <tr>
            <th scope="col">Baseline</th>
            <th scope="col">Vision tokens</th>
            <th scope="col">Answer</th>
            <th scope="col" aria-label="Action" />
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">Whole image{direct ? ` (${size(direct.cost)})` : ''}</th>
            <td data-testid="ledger-direct-tokens">{direct?.cost.tokens ?? 'n/a'}</td>
            <td className="outcome" data-testid="compare-answer-direct">{outcome(baselines.direct)}</td>
            <td>{direct && compareButton('direct')}</td>
          </tr>
          {direct?.capNote && (
            <tr>
              <td colSpan={4} className="meta" data-testid="ledger-direct-cap">
                {direct.capNote}
              </td>
            </tr>
          )}
          <tr>
            <th scope="row">Coarse only ({size(coarseOnly)})</th>
            <td data-testid="ledger-coarse-only-tokens">{coarseOnly.tokens}</td>
            <td className="outcome" data-testid="compare-answer-coarse-only">{outcome(baselines['coarse-only'])}</td>
            <td>{compareButton('coarse-only')}</td>
          </tr>
        </tbody>
      </table>
      <p className="meta" id="compare-hint" data-testid="compare-hint">
        {blocker ?? 'Each baseline runs on the same image, question and model, on the same worker.'}
      </p>
      <table className="timings">
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">Vision tokens</th>
            <th scope="col">Encode, ms</th>
            <th scope="col">Prefill, ms</th>
            <th scope="col">Decode, ms</th>
            <th scope="col">Tokens/s</th>
            <th scope="col">Total, ms</th>
          </tr>
        </thead>
        <tbody>
          {ergo && <Timings run={run} label={run.kind === 'trace' ? 'ERGO (trace)' : run.kind === 'fine' ? 'ERGO, your box' : 'ERGO'} />}
          <Timings run={baselines.direct} label="Whole image" />
          <Timings run={baselines['coarse-only']} label="Coarse only" />
        </tbody>
      </table>
      <TurnTokens runs={[run, baselines.direct, baselines['coarse-only']]} />
    </section>
  );
}
