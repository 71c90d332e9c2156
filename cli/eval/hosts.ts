/**
 * The engines an evaluation can run on, adapted to `EvalEngine`.
 */
import type { EvalEngine } from './engine';
import { type EvalArgs, UsageError } from './args';

export async function createEngine(args: EvalArgs): Promise<EvalEngine> {
  throw new UsageError(`--engine ${args.engine} is not available in this build yet; --replay scores recorded outputs`);
}
