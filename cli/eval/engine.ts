/**
 * What the evaluation needs from an engine: one ERGO run and one baseline run per sample. The
 * hosts (the Node engine, an OpenAI-compatible server) adapt their pipeline to this in `hosts.ts`.
 */
import type { Size } from '../../app/core/geometry';
import type { ErgoOutputs, StageUsage } from '../../app/eval/results';
import type { BoxConvention } from '../../pipeline/registry';

export interface EvalJob {
  /** The encoded image file (PNG, JPEG, ...). */
  readonly image: Uint8Array;
  readonly imageName: string;
  /** The coarse turn's question: the benchmark question without its options. */
  readonly question: string;
  /** The fine turn's question: question, options one per line, postfix. */
  readonly fineQuestion: string;
  readonly budget: number;
  readonly maxNewTokens: number;
  /** Aborted on Ctrl+C: the run should stop as soon as it can. */
  readonly signal: AbortSignal;
}

export interface BaselineOutcome {
  readonly original: Size;
  /** The size the whole image was given to the model at. */
  readonly input: Size;
  readonly output: string;
  readonly usage: StageUsage;
}

export interface EvalEngine {
  /** The model's id (registry id, folder or the server's model name). */
  readonly model: string;
  /** Which engine, as written into each result line (e.g. `node wasm`, `openai http://host:8008/v1`). */
  readonly label: string;
  readonly convention: BoxConvention;
  /** Servers answer several requests at once; a local engine runs one at a time. */
  readonly concurrent: boolean;
  ergo(job: EvalJob): Promise<{ readonly original: Size; readonly outputs: ErgoOutputs }>;
  baseline(kind: 'direct' | 'coarse-only', job: EvalJob): Promise<BaselineOutcome>;
  close(): Promise<void>;
}

/** A run stopped by Ctrl+C: its sample is not written, so a resumed run does it again. */
export class AbortedError extends Error {
  constructor() {
    super('aborted');
  }
}
