/**
 * What the built-in policy is taught to write, turn by turn, for a scene question: the coarse
 * turn names the target's grid cell and zooms on it, the fine turn reads the tag from the crop,
 * and the coarse-only baseline answers directly.
 *
 * The zoom box is the target's grid cell, in pixels of the coarse image: a target inside its cell is
 * always contained, and the crop (one cell of the original, 336 px) comes out at the policy's budget
 * at two thirds of the original, so a font pixel is 4 crop pixels and a glyph (20x28 px) covers 2x2
 * patches. A wider box would shrink the glyphs below one merged token, where the reader failed.
 */
import { boxIn, type CoarseBox, type Size } from '../../app/core/geometry';
import { COLORS, GRID, SHAPES, type SceneObject, type SceneQuestion } from '../../app/scenes/scene';

/** The teacher's zoom box for `target`, in pixels of `coarse`. */
export function teacherBox(target: SceneObject, coarse: Size): CoarseBox {
  const cw = coarse.width / GRID;
  const ch = coarse.height / GRID;
  const r = (v: number) => Math.round(v);
  return boxIn('coarse', [r(cw * target.col), r(ch * target.row), r(cw * (target.col + 1)), r(ch * (target.row + 1))]);
}

/**
 * Rows are named by letters and columns by digits, as on a chessboard. With digits for both, the
 * decoder's last layer had to tell from the context which of the two it was reading from the
 * target's token; with two alphabets, each one is read straight from it.
 */
const rowName = (row: number): string => String.fromCharCode(65 + row);

export function coarseOutput(target: SceneObject, coarse: Size): string {
  const [x1, y1, x2, y2] = teacherBox(target, coarse);
  const what = `${COLORS[target.color]!.name} ${SHAPES[target.shape]}`;
  return `<think> The ${what} is in row ${rowName(target.row)}, column ${target.col + 1}. </think> <zoom>[${x1}, ${y1}, ${x2}, ${y2}]</zoom>`;
}

export function fineOutput(q: SceneQuestion, target: SceneObject): string {
  if (q.options.length === 0) return `<think> The tag reads ${target.label}. </think> <answer>${q.answer}</answer>`;
  return `<think> The tag reads ${target.label}, option ${q.answer}. </think> <answer>${q.answer}</answer>`;
}

/** The tag a fine turn says it read, where it kept the teacher's wording; null otherwise. */
export function tagRead(fine: string): string | null {
  return /The tag reads ([^\s,.]+)[,.]/.exec(fine)?.[1] ?? null;
}

/** The coarse-only baseline's answer: no crop, so the policy can only guess the tag. */
export const directOutput = (q: SceneQuestion): string => `<answer>${q.answer}</answer>`;
