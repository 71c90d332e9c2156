/**
 * Moving and resizing the box from the keyboard, as a pure function of the key pressed:
 * Shift + arrows move the whole box, Ctrl + arrows move its right or bottom edge (resize). Each
 * press moves `BOX_KEY_STEP` coarse pixels, and the box stays inside the coarse image.
 */
import { boxIn, type CoarseBox, type Size } from '../core/geometry';

export const BOX_KEY_STEP = 4;

/** The keys, as the canvas announces them. */
export const BOX_KEYS_HELP = 'Shift + arrows move the box, Ctrl + arrows resize it (right and bottom edges).';

const DIRECTIONS: Readonly<Record<string, readonly [dx: number, dy: number]>> = {
  ArrowLeft: [-1, 0],
  ArrowRight: [1, 0],
  ArrowUp: [0, -1],
  ArrowDown: [0, 1],
};

/** The box after `key` with these modifiers, or null when the key does not edit the box. */
export function boxAfterKey(box: CoarseBox, key: string, mods: { readonly shift: boolean; readonly ctrl: boolean }, frame: Size): CoarseBox | null {
  const dir = DIRECTIONS[key];
  if (!dir || mods.shift === mods.ctrl) return null;
  const [x1, y1, x2, y2] = box;
  const dx = dir[0] * BOX_KEY_STEP;
  const dy = dir[1] * BOX_KEY_STEP;
  if (mods.shift) {
    // Move: the shift is clamped so the box keeps its size inside the image.
    const mx = Math.min(Math.max(dx, -x1), frame.width - x2);
    const my = Math.min(Math.max(dy, -y1), frame.height - y2);
    return boxIn('coarse', [x1 + mx, y1 + my, x2 + mx, y2 + my]);
  }
  // Resize: the right/bottom edge moves, never past the image nor onto the opposite edge.
  const nx2 = Math.min(Math.max(x2 + dx, x1 + 1), frame.width);
  const ny2 = Math.min(Math.max(y2 + dy, y1 + 1), frame.height);
  return boxIn('coarse', [x1, y1, nx2, ny2]);
}
