/**
 * What ERGO's runs need from a model, whatever runs it: transformers.js sessions in the browser
 * worker or in Node (`engines/transformers/`), or an OpenAI-compatible server (`engines/openai/`).
 *
 * A run is a series of assistant turns. Each turn sends a conversation (text and images already at
 * the size the model must see), streams the reply, and reports what it cost. A turn may continue an
 * earlier one: the engine then reuses what it kept of it (the KV cache in the local engines, the
 * server's prefix cache for a server), and the new messages follow the earlier turn's reply.
 */
import { CancelledError } from './errors';
import type { BoxConvention, PromptProfile } from './registry';
import type { Backend, Decoding, RgbaImage, Stage, StageStats } from './protocol';

export type TurnPart = { readonly type: 'image'; readonly image: RgbaImage } | { readonly type: 'text'; readonly text: string };

export interface TurnMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: readonly TurnPart[];
}

export interface TurnRequest {
  readonly stage: Stage;
  /**
   * The messages of this turn: the whole conversation when `after` is null, else only what follows
   * `after`'s reply (the conversation is `after.conversation`, then these).
   */
  readonly messages: readonly TurnMessage[];
  readonly after: Turn | null;
  readonly maxNewTokens: number;
  /**
   * Whether later turns may continue this one. A local engine then holds the turn's KV cache until
   * `release`; a kept turn's cache also holds its last token, so a continuation prefills only new tokens.
   */
  readonly keep: boolean;
  /** `generation-config` (default): greedy with the model's repetition penalty, as vLLM decodes; `greedy`: plain argmax. */
  readonly decoding?: Decoding;
  /** Generation ends before the first of these strings (the reply excludes it). */
  readonly stop?: readonly string[];
  /** Recompute the continued conversation from scratch instead of reusing what `after` kept (same tokens; for comparison). */
  readonly recompute?: boolean;
}

/** Whether a request was cancelled (`pipeline/cancelFlag.ts` in the worker). */
export interface CancelCheck {
  /** Read between phases and steps. */
  readonly interrupted: boolean;
  /** Awaited before every token: throws CancelledError once cancelled (a worker yields a task here, so a cancel message can arrive). */
  checkpoint(): Promise<void>;
}

/** A CancelCheck over a condition, for hosts whose awaits let events in (Node, a page's fetch). */
export function cancelWhen(isCancelled: () => boolean): CancelCheck {
  return {
    get interrupted() {
      return isCancelled();
    },
    async checkpoint() {
      if (isCancelled()) throw new CancelledError();
    },
  };
}

/** Where a turn reports its progress and learns it was cancelled. */
export interface TurnIO {
  /**
   * The turn entered a phase: `encode` (images), `prefill` (the prompt), `generate` (tokens).
   * `compilingShaders`: the runtime also compiles this step's WebGPU shaders (its first run).
   */
  phase(phase: 'encode' | 'prefill' | 'generate', detail?: { readonly compilingShaders: boolean }): void;
  /** The reply grew by `chunk` (whole characters only). */
  text(chunk: string): void;
  /** A turn that sees it raised ends with a CancelledError, and streams nothing more. */
  readonly cancel: CancelCheck;
}

export interface Turn {
  readonly stage: Stage;
  /** The reply, special tokens removed. */
  readonly text: string;
  /** Every message of the conversation, this turn's reply last. */
  readonly conversation: readonly TurnMessage[];
  readonly stats: StageStats;
  /** Why generation ended: an end-of-turn token (or stop string), or the `maxNewTokens` limit. */
  readonly finish: 'stop' | 'length';
  /** Whether later turns may continue this one (asked for with `keep`; not when a stop string cut the reply). */
  readonly kept: boolean;
}

export interface EngineModel {
  /** Registry id, or the server's model name. */
  readonly modelId: string;
  readonly boxConvention: BoxConvention;
  readonly promptProfile: PromptProfile;
  readonly backend: Backend;
  /** Most vision tokens one image may take on this device (the direct baseline is lowered to it). */
  readonly maxImageTokens: number;
}

export interface Engine {
  readonly model: EngineModel;
  /** The decoding values a turn with `decoding` uses (a server's own penalty is unknown here: null). */
  generation(decoding: Decoding): { readonly eosIds: readonly number[]; readonly repetitionPenalty: number | null };
  /**
   * The largest budget up to `wanted` vision tokens per image whose activations (vision attention,
   * KV cache) fit this device, with the reason when lower; refused with a code when none does.
   * Engines that cannot know (a remote server) leave it out.
   */
  fitBudget?(wanted: number, maxNewTokens: number): { readonly ok: true; readonly budget: number; readonly lowered: string | null } | { readonly ok: false; readonly code: string; readonly message: string };
  /** Runs one assistant turn. */
  turn(request: TurnRequest, io: TurnIO): Promise<Turn>;
  /** Lets go of what a kept turn holds (no-op for turns not kept, or already released). */
  release(turn: Turn): void;
  dispose(): Promise<void>;
}

/** Text of a message whose content has no images. */
export const textPart = (text: string): TurnPart => ({ type: 'text', text });
