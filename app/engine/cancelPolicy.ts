/**
 * How to cancel a request, decided from what the client last heard about it.
 *
 * The worker reads messages only between awaits. During `generate` it awaits once per token, so a
 * posted `cancel` is seen within one token. Loading, decoding, resizing, encoding and prefilling
 * are each one long call that keeps the worker busy, so waiting for it to read `cancel` could take
 * minutes: the client terminates the worker instead and starts a fresh one.
 */
import type { Phase } from '../../pipeline/protocol';

export type CancelAction = 'post' | 'restart';

/**
 * `phase`: the request's last reported phase (null if the worker has not started it).
 * `queued`: another request is ahead of it in the worker, so the worker will drop it when read.
 */
export function cancelAction(phase: Phase | null, queued: boolean): CancelAction {
  if (phase === null) return queued ? 'post' : 'restart';
  return phase === 'generate' ? 'post' : 'restart';
}
