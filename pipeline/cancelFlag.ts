/**
 * Whether a request was cancelled, readable between two tokens whatever the runtime's promise timing.
 *
 * A posted `cancel` message is a task: the worker handles it only between tasks, and an `await` on
 * a promise that resolves without queueing one never gets there. ORT wasm's `session.run` resolves
 * that way, so a decode loop of awaits would read `cancel` only once the loop ends. Two ways through:
 * - shared: the client sets an Int32 in a SharedArrayBuffer (cross-origin isolated pages) and the
 *   worker reads it with `Atomics.load`; nothing to wait for;
 * - message: `checkpoint()` yields one real task (a MessageChannel round trip), so a queued `cancel`
 *   runs first and calls `interrupt()`.
 * `npm run bench cancel` measures what each costs per token.
 */
import { cancelFlagRaised } from './protocol';
import { CancelledError } from './errors';

export type CancelMode = 'shared' | 'message';

let channel: MessageChannel | null = null;
const woken: (() => void)[] = [];

/** Resolves in a new task: messages queued before it (a `cancel`) are handled first. */
export function nextTask(): Promise<void> {
  if (!channel) {
    channel = new MessageChannel();
    channel.port1.onmessage = () => woken.shift()?.();
  }
  const port = channel.port2;
  return new Promise<void>((resolve) => {
    woken.push(resolve);
    port.postMessage(null);
  });
}

export class CancelFlag {
  readonly #shared: SharedArrayBuffer | null;
  #interrupted = false;

  /** `shared`: the request's flag from the client, or null when the page cannot share memory. */
  constructor(shared: SharedArrayBuffer | null) {
    this.#shared = shared;
  }

  get mode(): CancelMode {
    return this.#shared ? 'shared' : 'message';
  }

  get interrupted(): boolean {
    return this.#interrupted || (this.#shared !== null && cancelFlagRaised(this.#shared));
  }

  /** Called when a `cancel` message for this request is read. */
  interrupt(): void {
    this.#interrupted = true;
  }

  /** Once per token: throws CancelledError if the request was cancelled (yielding a task first when nothing is shared). */
  async checkpoint(): Promise<void> {
    if (!this.#shared) await nextTask();
    if (this.interrupted) throw new CancelledError();
  }
}
