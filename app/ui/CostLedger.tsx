import { useShallow } from 'zustand/react/shallow';
import { ledgerOf, totalMs } from '../store/selectors';
import { useLens } from '../store/lensStore';
import type { RunState } from '../store/runState';

const ms = (v: number) => `${Math.round(v)} ms`;

function Timings({ run, label }: { run: RunState; label: string }) {
  if (!run.stages.length) return null;
  return (
    <tr>
      <th scope="row">{label}</th>
      <td>{run.stages.reduce((n, s) => n + s.visionTokens, 0)}</td>
      <td>{ms(totalMs(run.stages, 'encoderMs'))}</td>
      <td>{ms(totalMs(run.stages, 'prefillMs'))}</td>
      <td>{ms(totalMs(run.stages, 'decodeMs'))}</td>
      <td>{(run.stages.reduce((n, s) => n + s.tokensPerSecond, 0) / run.stages.length).toFixed(1)}</td>
      <td>{ms(totalMs(run.stages, 'totalMs'))}</td>
    </tr>
  );
}

/** Vision tokens ERGO spends against the whole image, and time per phase (with a baseline beside it). */
export function CostLedger() {
  const { run, compare, edited } = useLens(useShallow((s) => ({ run: s.run, compare: s.compare, edited: s.editedBox })));
  if (!run) return null;
  const ledger = ledgerOf(run, edited);
  return (
    <section className="panel ledger" aria-labelledby="ledger-heading">
      <h2 id="ledger-heading">Cost</h2>
      <table>
        <tbody>
          <tr>
            <th scope="row">Coarse image ({ledger.coarse.width}×{ledger.coarse.height})</th>
            <td data-testid="ledger-coarse-tokens">{ledger.coarse.tokens}</td>
          </tr>
          <tr>
            <th scope="row">Crop{ledger.crop ? ` (${ledger.crop.width}×${ledger.crop.height})` : ''}</th>
            <td data-testid="ledger-crop-tokens">{ledger.crop?.tokens ?? 0}</td>
          </tr>
          <tr>
            <th scope="row">Whole image, stock Qwen2.5-VL{ledger.full ? ` (${ledger.full.width}×${ledger.full.height})` : ''}</th>
            <td data-testid="ledger-full-tokens">{ledger.full?.tokens ?? 'n/a'}</td>
          </tr>
          <tr>
            <th scope="row">Saved</th>
            <td data-testid="ledger-saved">{ledger.percentSaved === null ? 'n/a' : `${ledger.percentSaved.toFixed(1)}%`}</td>
          </tr>
        </tbody>
      </table>
      <table className="timings">
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">Vision tokens</th>
            <th scope="col">Encode</th>
            <th scope="col">Prefill</th>
            <th scope="col">Decode</th>
            <th scope="col">Tokens/s</th>
            <th scope="col">Total</th>
          </tr>
        </thead>
        <tbody>
          <Timings run={run} label="ERGO" />
          {compare && <Timings run={compare} label={compare.kind === 'direct' ? 'Whole image' : 'Coarse only'} />}
        </tbody>
      </table>
      {compare && (
        <p className="meta" data-testid="compare-answer">
          {compare.kind === 'direct' ? 'Whole image' : 'Coarse only'}: {compare.status === 'running' ? '…' : (compare.answer ?? compare.error?.message ?? 'stopped')}
        </p>
      )}
    </section>
  );
}
