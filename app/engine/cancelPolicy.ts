/**
 * How to cancel a request, decided from the phase the client last heard of.
 *
 * A posted `cancel` message is only read when the worker starts a new task, and an `await` on a
 * promise that resolves without one (ORT wasm's `session.run` does) never starts one. So run
 * requests carry a shared cancel flag the worker reads before every token and between steps, or,
 * where memory cannot be shared, the worker yields a real task per token so the message is read.
 * Either way a run in `decode`, `resize` or `generate` stops within one step: post.
 *
 * `load`, `encode` and `prefill` are each one runtime call that can take minutes on a real model
 * and checks nothing inside: the client terminates the worker instead (and reloads the model).
 * A request still queued behind another is dropped by the worker when it reads `cancel`: post.
 */
import type { Phase } from '../../pipeline/protocol';

export type CancelAction = 'post' | 'restart';

/**
 * `phase`: the request's last reported phase (null before its first; a load is `load` from the start).
 * `queued`: another request is ahead of it in the worker.
 */
export function cancelAction(phase: Phase | null, queued: boolean): CancelAction {
  if (queued) return 'post';
  return phase === 'load' || phase === 'encode' || phase === 'prefill' ? 'restart' : 'post';
}
