/**
 * The progress line of a long run: a bar, counts, rate and time left.
 */

export interface ProgressState {
  readonly done: number;
  readonly total: number;
  readonly failed: number;
  readonly elapsedMs: number;
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** `[#####.....] 50/100 50% | 0.40/s | ETA 2m05s | 1 failed`. Rate and ETA once something finished. */
export function formatProgress(p: ProgressState, width = 24): string {
  const fraction = p.total ? p.done / p.total : 1;
  const filled = Math.round(fraction * width);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  const rate = p.elapsedMs > 0 ? p.done / (p.elapsedMs / 1000) : 0;
  const parts = [`${bar} ${p.done}/${p.total} ${Math.floor(100 * fraction)}%`];
  if (p.done > 0 && rate > 0) {
    parts.push(rate >= 1 ? `${rate.toFixed(2)}/s` : `${(1 / rate).toFixed(1)} s/sample`);
    parts.push(p.done < p.total ? `ETA ${duration(((p.total - p.done) / rate) * 1000)}` : `took ${duration(p.elapsedMs)}`);
  }
  if (p.failed) parts.push(`${p.failed} failed`);
  return parts.join(' | ');
}

/** Draws the progress line on a terminal (redrawn in place), or prints it every tenth of the way otherwise. */
export class ProgressBar {
  private readonly start = Date.now();
  private lastDecile = -1;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly total: number,
  ) {}

  update(done: number, failed: number): void {
    const line = formatProgress({ done, total: this.total, failed, elapsedMs: Date.now() - this.start });
    if (this.stream.isTTY) {
      this.stream.write(`\r${line}\x1b[K`);
      return;
    }
    const decile = this.total ? Math.floor((10 * done) / this.total) : 10;
    if (decile !== this.lastDecile) {
      this.lastDecile = decile;
      this.stream.write(`${line}\n`);
    }
  }

  end(): void {
    if (this.stream.isTTY) this.stream.write('\n');
  }
}
