/**
 * ERGO's prompt strings, byte for byte: the checkpoint was trained on exactly these.
 */

const SYSTEM =
  'You are a helpful assistant. Given an image and one question. First, identify the coordinates of the key image area relevant to solving the problem. Append the coordinates in [x1, y1, x2, y2] format at the end of your response and stop. This will trigger cropping of the corresponding area in the original image and enlarge it for improved clarity. Once the enlarged image is available, provide the final answer.';

const COARSE_SUFFIX =
  " First, consider how to zoom in on the image to include only the region containing all the information necessary to answer the question. Output the thinking process in <think> </think> tags and then output the region's bounding box coordinates in the following format <zoom>[x1, y1, x2, y2]</zoom> tags.";

/** The official evaluation's fine-turn text: its second think tag really is `<think>` (no slash). */
const FINE_SUFFIX_EVAL =
  '\nCarefully analyze both the original image and the enlarged sub-image to solve the question step by step. Present your reasoning clearly the following format strictly <think> ... <think>, and provide the final answer enclosed within <answer> ... </answer>';

/** The official demo's variant, with `</think>`. */
const FINE_SUFFIX_DEMO = FINE_SUFFIX_EVAL.replace('<think> ... <think>', '<think> ... </think>');

export type FineTextVariant = 'evaluation' | 'demo';

export interface ErgoPrompts {
  readonly system: string;
  /** Coarse-turn user text for `question`. */
  coarse(question: string): string;
  /** Fine-turn user text for `question`. */
  fine(question: string): string;
}

/** The prompts with the evaluation's fine-turn text (the default for parity). */
export const ERGO_PROMPTS: ErgoPrompts = {
  system: SYSTEM,
  coarse: (question) => question + COARSE_SUFFIX,
  fine: (question) => question + FINE_SUFFIX_EVAL,
};

/** The prompts with the demo's fine-turn text (`</think>`). */
export const ERGO_DEMO_PROMPTS: ErgoPrompts = { ...ERGO_PROMPTS, fine: (question) => question + FINE_SUFFIX_DEMO };

/** The prompt set for a fine-turn text variant: `evaluation` (parity default) or `demo`. */
export function promptsFor(variant: FineTextVariant): ErgoPrompts {
  return variant === 'demo' ? ERGO_DEMO_PROMPTS : ERGO_PROMPTS;
}

/** Multiple-choice postfix of V* (no leading space). */
export const VSTAR_POSTFIX = "Answer with the option's letter from the given choices directly.";
/** Multiple-choice postfix of HR-Bench and MME-RealWorld (with a leading space). */
export const HRBENCH_POSTFIX = " Answer with the option's letter from the given choices directly.";
