import type { Stage, StageStats } from '../../pipeline/protocol';
import type { RunState } from '../store/runState';

const TURN_LABELS: Readonly<Record<Stage, string>> = { coarse: 'ERGO, first look', fine: 'ERGO, crop', direct: 'Whole image', 'coarse-only': 'Coarse only' };

function Row({ stats }: { stats: StageStats }) {
  const id = `tokens-${stats.stage}`;
  return (
    <tr>
      <th scope="row">{TURN_LABELS[stats.stage]}</th>
      <td data-testid={`${id}-prompt`}>{stats.cachedTokens + stats.prefillTokens}</td>
      <td data-testid={`${id}-cached`}>{stats.cachedTokens}</td>
      <td data-testid={`${id}-output`}>{stats.decodeTokens}</td>
    </tr>
  );
}

/**
 * Prompt, cached and output tokens of every turn shown, as the engine counted them: a server's own
 * `usage` (cached tokens as its prefix cache reports them), or the local engine's KV cache reuse.
 */
export function TurnTokens({ runs }: { runs: readonly (RunState | undefined)[] }) {
  const stages = runs.flatMap((r) => r?.stages ?? []);
  if (!stages.length) return null;
  return (
    <table className="turn-tokens" data-testid="turn-tokens">
      <caption className="meta">Tokens per turn, as the engine counted them (a server: its usage)</caption>
      <thead>
        <tr>
          <th scope="col">Turn</th>
          <th scope="col">Prompt</th>
          <th scope="col">Cached</th>
          <th scope="col">Output</th>
        </tr>
      </thead>
      <tbody>
        {stages.map((s, i) => (
          <Row key={`${s.stage}-${i}`} stats={s} />
        ))}
      </tbody>
    </table>
  );
}
