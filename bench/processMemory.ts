/**
 * Memory of the Chromium this process launched, from Linux's /proc: every Chromium process under
 * this one (browser, renderer with the page, its workers and wasm threads, GPU and utility
 * processes), so nothing a load holds escapes the count, wherever the browser keeps it (a Blob's
 * bytes live in the browser process, an ArrayBuffer or the wasm heap in the renderer).
 *
 * The peak is the highest sum of their resident memory (VmRSS), read every 10 ms, minus the sum at the
 * start: what was resident at once. A spike shorter than a sample can be missed. The kernel's own
 * high-water mark (VmHWM) is no help here: it is updated only when pages are unmapped, not when the
 * allocator hands them back with madvise, so it read lower than the samples.
 */
import { readdirSync, readFileSync } from 'node:fs';

const SAMPLE_MS = 10;

function rss(pid: number): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:'));
    return line ? Number(line.split(/\s+/)[1]) * 1024 : 0;
  } catch {
    return 0; // the process ended
  }
}

/** Chromium processes descended from this one. */
function chromiumProcesses(): number[] {
  const parent = new Map<number, number>();
  const chromium = new Set<number>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces, so read after its closing parenthesis.
      parent.set(pid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      if (/^\d+ \((chromium|chrome)/.test(stat)) chromium.add(pid);
    } catch {
      // ended while listing
    }
  }
  const descends = (pid: number): boolean => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) if (p === process.pid) return true;
    return false;
  };
  return [...chromium].filter(descends);
}

export interface PeakMemory {
  /** Resident bytes at the start, summed over the processes. */
  readonly startBytes: number;
  /** Highest sampled sum, minus `startBytes`. */
  readonly peakBytes: number;
}

/** Measures the peak while `work` runs. */
export async function peakMemoryDuring<T>(work: () => Promise<T>): Promise<{ value: T; memory: PeakMemory }> {
  let pids = chromiumProcesses();
  const startBytes = pids.reduce((n, pid) => n + rss(pid), 0);
  let highest = startBytes;
  let ticks = 0;
  const timer = setInterval(() => {
    // Processes started during the load (a new utility process, say) join the count.
    if (++ticks % 50 === 0) pids = [...new Set([...pids, ...chromiumProcesses()])];
    highest = Math.max(highest, pids.reduce((n, pid) => n + rss(pid), 0));
  }, SAMPLE_MS);
  try {
    const value = await work();
    return { value, memory: { startBytes, peakBytes: highest - startBytes } };
  } finally {
    clearInterval(timer);
  }
}
