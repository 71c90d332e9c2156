// Test-only: times the engine's per-token cancel checkpoint in a worker, for `npm run bench cancel`.
import { CancelFlag } from '../../pipeline/cancelFlag';

self.addEventListener('message', async (e: MessageEvent<{ checkpoints: number }>) => {
  const perCheckpointMs: Record<string, number> = {};
  for (const mode of ['shared', 'message'] as const) {
    const flag = new CancelFlag(mode === 'shared' ? new SharedArrayBuffer(4) : null);
    for (let i = 0; i < 200; i++) await flag.checkpoint();
    const t0 = performance.now();
    for (let i = 0; i < e.data.checkpoints; i++) await flag.checkpoint();
    perCheckpointMs[mode] = (performance.now() - t0) / e.data.checkpoints;
  }
  self.postMessage(perCheckpointMs);
});
