/**
 * Hands one result to the single-run view: its image, question and recorded run (outputs, box,
 * answer), shown exactly as a live run is. From there the browser engine can run it again, and an
 * edited box re-asks the fine turn.
 */
import { answerText } from '../core/answer';
import { choiceFineQuestion } from '../core/messages';
import type { EvalResultLine } from '../eval/results';
import type { BoxStatus } from '../../pipeline/protocol';
import { pickImage, runErgo } from '../store/actions';
import { useLens } from '../store/lensStore';
import { startRun } from '../store/runState';

function boxStatus(line: EvalResultLine): BoxStatus | null {
  if (line.box_status === 'baseline') return null;
  if (line.box_status === 'parsed' && line.box_coarse && line.crop) return { kind: 'parsed', box: line.box_coarse, crop: line.crop };
  const reason = line.box_status === 'parsed' ? 'degenerate' : line.box_status;
  return { kind: 'none', reason, fallback: line.fallback === 'skip' ? 'skip' : 'full-image' };
}

/** Opens `line` (whose image is `blob`) in the single-run view; with `rerun`, runs ERGO on it in the browser at once. */
export async function openInLens(line: EvalResultLine, blob: Blob, name: string, rerun: boolean): Promise<boolean> {
  await pickImage(blob, name);
  const { image, settings } = useLens.getState();
  if (image?.blob !== blob) return false;
  const runSettings = { ...settings, budget: line.budget };
  useLens.setState({
    question: line.question,
    settings: runSettings,
    run: startRun({
      requestId: `result-${line.mode}-${line.id}`,
      kind: 'trace',
      status: 'done',
      question: line.question,
      modelId: line.model,
      settings: runSettings,
      image,
      texts: line.mode === 'ergo' ? { coarse: line.coarse_output, ...(line.fine_output !== null ? { fine: line.fine_output } : {}) } : { [line.mode]: line.coarse_output },
      box: boxStatus(line),
      answer: answerText(line.fine_output ?? line.coarse_output),
    }),
  });
  // A benchmark item's fine turn carries its options and postfix, as the evaluation asked it.
  if (rerun) runErgo(line.options.length ? choiceFineQuestion({ question: line.question, options: line.options, postfix: line.postfix }) : undefined);
  return true;
}
