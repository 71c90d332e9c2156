/**
 * A finished run as an exportable trace (the shape `parseTrace` reads back), on the run's own image.
 */
import type { RunState } from '../store/runState';
import { TRACE_FORMAT } from './trace';

export function traceOfRun(run: RunState) {
  const { image } = run;
  return {
    format: TRACE_FORMAT,
    version: 1,
    created: new Date().toISOString(),
    image: { name: image.name, width: image.width, height: image.height, sha256: image.sha256 },
    question: run.question,
    model: run.modelId,
    settings: run.settings,
    // What decoding actually used: the model's eos ids and repetition penalty (1 = plain greedy).
    generation: run.generation,
    coarse_output: run.texts.coarse ?? '',
    fine_output: run.texts.fine ?? null,
    answer: run.answer,
    box: run.box && run.box.kind !== 'none' ? run.box.box : null,
    box_status: run.box,
    coarse_size: run.coarse ? { width: run.coarse.width, height: run.coarse.height } : null,
    stats: run.stages,
  };
}
