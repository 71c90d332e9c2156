/**
 * The fine turn's answer and multiple-choice scoring, as ERGO's evaluation computes them.
 */
import { pyStrip } from './pythonText';

const OPEN = '<answer>';
const CLOSE = '</answer>';

/**
 * Text between the first `<answer>` and the following `</answer>` (to the end if unclosed),
 * stripped. Null when there is no `<answer>` tag; `''` when the tag is empty.
 */
export function extractAnswer(text: string): string | null {
  const start = text.indexOf(OPEN);
  if (start < 0) return null;
  const from = start + OPEN.length;
  const end = text.indexOf(CLOSE, from);
  return pyStrip(end < 0 ? text.slice(from) : text.slice(from, end));
}

/** The answer to show and score: the extracted answer, or the whole response when it is missing or empty. */
export function answerText(response: string): string {
  const answer = extractAnswer(response);
  return answer ? answer : response;
}

/** Every ASCII letter of the answer text, concatenated: the official evaluation's `pred`. */
export function choiceLetters(response: string): string {
  return answerText(response).replace(/[^A-Za-z]/g, '');
}

/**
 * Multiple-choice score: every ASCII letter of the answer text, concatenated, equals `gold`
 * case-insensitively. `(A)` is right; `A. red` is wrong (letters "Ared").
 */
export function scoreChoice(response: string, gold: string): boolean {
  return choiceLetters(response).toLowerCase() === gold.toLowerCase();
}
