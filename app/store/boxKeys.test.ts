import { describe, expect, it } from 'vitest';
import { boxIn } from '../core/geometry';
import { boxAfterKey, BOX_KEY_STEP } from './boxKeys';

const frame = { width: 1344, height: 756 };
const box = boxIn('coarse', [100, 200, 300, 400]);
const shift = { shift: true, ctrl: false };
const ctrl = { shift: false, ctrl: true };

describe('boxAfterKey', () => {
  it('moves the whole box with Shift + arrows, one step per press', () => {
    expect(boxAfterKey(box, 'ArrowRight', shift, frame)).toEqual([100 + BOX_KEY_STEP, 200, 300 + BOX_KEY_STEP, 400]);
    expect(boxAfterKey(box, 'ArrowUp', shift, frame)).toEqual([100, 200 - BOX_KEY_STEP, 300, 400 - BOX_KEY_STEP]);
  });

  it('resizes by the right and bottom edges with Ctrl + arrows', () => {
    expect(boxAfterKey(box, 'ArrowRight', ctrl, frame)).toEqual([100, 200, 300 + BOX_KEY_STEP, 400]);
    expect(boxAfterKey(box, 'ArrowUp', ctrl, frame)).toEqual([100, 200, 300, 400 - BOX_KEY_STEP]);
  });

  it('keeps the box inside the image with its size, and never empty', () => {
    // 2 px from the left edge: a 4 px step left moves it by 2 only.
    expect(boxAfterKey(boxIn('coarse', [2, 0, 50, 50]), 'ArrowLeft', shift, frame)).toEqual([0, 0, 48, 50]);
    expect(boxAfterKey(boxIn('coarse', [1300, 700, 1344, 756]), 'ArrowDown', shift, frame)).toEqual([1300, 700, 1344, 756]);
    // 2 px wide: shrinking stops at 1 px.
    expect(boxAfterKey(boxIn('coarse', [10, 10, 12, 20]), 'ArrowLeft', ctrl, frame)).toEqual([10, 10, 11, 20]);
    expect(boxAfterKey(boxIn('coarse', [10, 10, 1342, 20]), 'ArrowRight', ctrl, frame)).toEqual([10, 10, 1344, 20]);
  });

  it('leaves plain arrows (panning) and other keys alone', () => {
    expect(boxAfterKey(box, 'ArrowRight', { shift: false, ctrl: false }, frame)).toBeNull();
    expect(boxAfterKey(box, 'ArrowRight', { shift: true, ctrl: true }, frame)).toBeNull();
    expect(boxAfterKey(box, 'a', shift, frame)).toBeNull();
  });
});
