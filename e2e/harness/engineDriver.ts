// Test-only: drives the real inference worker through the real EngineClient for Playwright.
import { EngineClient, type EngineRequest } from '../../app/engine/client';
import { TERMINAL_EVENT_TYPES, type WorkerEvent } from '../../pipeline/protocol';

/** An event as returned to the test: image pixels replaced by their byte count (cheap to serialize). */
export type RecordedEvent = WorkerEvent | (Omit<Extract<WorkerEvent, { type: 'image' }>, 'image'> & { image: { width: number; height: number; bytes: number } });

export class EngineDriver {
  readonly client: EngineClient;
  readonly #events: RecordedEvent[] = [];
  readonly #waiters: (() => void)[] = [];

  constructor() {
    this.client = new EngineClient({
      createWorker: () => new Worker(new URL('../../workers/ergo.worker.ts', import.meta.url), { type: 'module' }),
    });
    this.client.subscribe((e) => {
      this.#events.push(e.type === 'image' ? { ...e, image: { width: e.image.width, height: e.image.height, bytes: e.image.data.byteLength } } : e);
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  send(req: EngineRequest): string {
    return this.client.request(req);
  }

  cancel(requestId: string): void {
    this.client.cancel(requestId);
  }

  /** Events of one request so far. */
  eventsOf(requestId: string): RecordedEvent[] {
    return this.#events.filter((e) => e.requestId === requestId);
  }

  /** Every event so far, of every request (the client's own `reloading` included). */
  allEvents(): RecordedEvent[] {
    return [...this.#events];
  }

  /** Resolves with the request's events once one matches `until` (default: its terminal event). */
  async waitFor(requestId: string, until: (e: RecordedEvent) => boolean = (e) => TERMINAL_EVENT_TYPES.has(e.type)): Promise<RecordedEvent[]> {
    while (!this.eventsOf(requestId).some(until)) await new Promise<void>((wake) => this.#waiters.push(wake));
    return this.eventsOf(requestId);
  }

  dispose(): void {
    this.client.dispose();
  }
}

/** A PNG of a deterministic pattern, `width` x `height`, as a test input image. */
export async function patternImage(width: number, height: number): Promise<Blob> {
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d')!;
  const g = ctx.createLinearGradient(0, 0, width, height);
  g.addColorStop(0, '#204080');
  g.addColorStop(1, '#f0c020');
  ctx.fillStyle = g;
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = '#c02020';
  ctx.fillRect(width * 0.6, height * 0.3, width * 0.1, height * 0.1);
  return canvas.convertToBlob({ type: 'image/png' });
}
