/**
 * The ERGO scene family: large cluttered images with a few labelled objects, each a coloured shape
 * over a small white tag carrying one or two characters. A question names one object by colour,
 * shape or position; the answer is its tag, which is unreadable after ERGO's coarse resize (about
 * half a pixel per font pixel) but readable in a full-resolution crop.
 *
 * Layout: the image is an 8x8 grid of cells (one cell = one vision token of the 224-px coarse image
 * the built-in policy sees). Each object lies inside one cell, and no two objects share or touch a
 * cell, so a crop one and a half cells wide around an object holds no other object.
 *
 * Pure and deterministic: pixels depend only on the seed and the scale (own pixel font, integer
 * rasterizer), so the training export, the sample gallery and the evaluation all see the same bytes.
 */
import type { OriginalRect } from '../core/geometry';
import { GLYPH_HEIGHT, textWidth } from './font';
import { seededRandom, type Random } from './random';
import { createRaster, drawText, fillConvex, fillDisc, fillRect, type Raster, type Rgb } from './raster';

/** Cells per side of the scene grid. */
export const GRID = 8;
/** Cell side in layout units (one unit = `scale` pixels): 8 cells of 168 make 1344. */
export const CELL = 168;
/** Scene side in layout units. */
export const SCENE_UNITS = GRID * CELL;

export const COLORS = [
  { name: 'red', rgb: [214, 39, 40] },
  { name: 'green', rgb: [44, 160, 44] },
  { name: 'blue', rgb: [31, 90, 220] },
  { name: 'yellow', rgb: [240, 200, 20] },
  { name: 'purple', rgb: [148, 62, 189] },
  { name: 'orange', rgb: [250, 127, 14] },
] as const satisfies readonly { name: string; rgb: Rgb }[];

export const SHAPES = ['circle', 'square', 'triangle', 'diamond', 'cross'] as const;
export type ShapeName = (typeof SHAPES)[number];

/** Tag characters: digits and capitals without the look-alikes 0/O and 1/I. */
export const LABEL_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

const LABEL_CHARS = [...LABEL_ALPHABET];

/** A random tag: one character (30%) or two. */
const randomLabel = (rand: Random): string => Array.from({ length: rand.next() < 0.3 ? 1 : 2 }, () => rand.pick(LABEL_CHARS)).join('');

export const QUADRANTS = ['top left', 'top right', 'bottom left', 'bottom right'] as const;

/** Object geometry in layout units: a 48-unit shape, a 4-unit gap, then the tag (font pixel 3). */
const SHAPE_SIZE = 48;
const TAG_GAP = 4;
const FONT_PIXEL = 3;
const TAG_PAD = 6;
const TAG_HEIGHT = GLYPH_HEIGHT * FONT_PIXEL + 2 * 4;
const OBJECT_HEIGHT = SHAPE_SIZE + TAG_GAP + TAG_HEIGHT;
const MARGIN = 8;

export interface SceneObject {
  readonly col: number;
  readonly row: number;
  /** Index into COLORS. */
  readonly color: number;
  /** Index into SHAPES. */
  readonly shape: number;
  readonly label: string;
  /** The object (shape and tag), pixels of the scene. */
  readonly bbox: OriginalRect;
  /** The tag's characters, pixels of the scene. */
  readonly labelBox: OriginalRect;
}

export interface Scene {
  readonly seed: number;
  readonly scale: number;
  readonly image: Raster;
  readonly objects: readonly SceneObject[];
}

export interface SceneQuestion {
  /** The question without options. */
  readonly question: string;
  /** `(A) xx` lines for a multiple-choice question, else empty. */
  readonly options: readonly string[];
  /** The tag, or the option letter for a multiple-choice question. */
  readonly answer: string;
  /** Index into the scene's objects. */
  readonly target: number;
}

/** Side of a scene in pixels at `scale` (1 gives 1344, 2 gives 2688). */
export const sceneSide = (scale: number): number => SCENE_UNITS * scale;

/** Quadrant index (QUADRANTS) of a cell. */
export const quadrantOf = (col: number, row: number): number => (row < GRID / 2 ? 0 : 2) + (col < GRID / 2 ? 0 : 1);

function mutedColor(rand: Random, lo: number, hi: number): Rgb {
  const base = rand.int(lo, hi);
  return [base + rand.int(-12, 12), base + rand.int(-12, 12), base + rand.int(-12, 12)];
}

function drawClutter(img: Raster, rand: Random, s: number): void {
  const side = SCENE_UNITS;
  for (let i = rand.int(24, 40); i > 0; i--) {
    fillRect(img, rand.int(0, side) * s, rand.int(0, side) * s, rand.int(40, 420) * s, rand.int(40, 420) * s, mutedColor(rand, 150, 225));
  }
  for (let i = rand.int(10, 20); i > 0; i--) {
    const horizontal = rand.next() < 0.5;
    const long = rand.int(200, side);
    const thick = rand.int(3, 8);
    fillRect(img, rand.int(0, side) * s, rand.int(0, side) * s, (horizontal ? long : thick) * s, (horizontal ? thick : long) * s, mutedColor(rand, 90, 170));
  }
  for (let i = rand.int(30, 60); i > 0; i--) {
    const x = rand.int(0, side) * s;
    const y = rand.int(0, side) * s;
    const color = mutedColor(rand, 100, 190);
    if (rand.next() < 0.5) fillDisc(img, x, y, rand.int(6, 30) * s, color);
    else {
      const text = Array.from({ length: rand.int(1, 4) }, () => rand.pick(LABEL_CHARS)).join('');
      drawText(img, text, x, y, rand.int(1, 3) * s, color);
    }
  }
}

function drawShape(img: Raster, shape: ShapeName, x: number, y: number, size: number, color: Rgb): void {
  const c = size / 2;
  switch (shape) {
    case 'circle':
      return fillDisc(img, x + c, y + c, c, color);
    case 'square':
      return fillRect(img, x + size / 12, y + size / 12, (size * 5) / 6, (size * 5) / 6, color);
    case 'triangle':
      return fillConvex(img, [[x + c, y], [x + size, y + size], [x, y + size]], color);
    case 'diamond':
      return fillConvex(img, [[x + c, y], [x + size, y + c], [x + c, y + size], [x, y + c]], color);
    case 'cross':
      fillRect(img, x + size / 3, y, size / 3, size, color);
      return fillRect(img, x, y + size / 3, size, size / 3, color);
  }
}

/** Cells for `count` objects, no two sharing an edge or a corner. */
function pickCells(rand: Random, count: number): [number, number][] {
  const taken: [number, number][] = [];
  for (const cell of rand.shuffle(Array.from({ length: GRID * GRID }, (_, i) => [i % GRID, Math.floor(i / GRID)] as [number, number]))) {
    if (taken.length === count) break;
    if (taken.every(([c, r]) => Math.abs(c - cell[0]) > 1 || Math.abs(r - cell[1]) > 1)) taken.push(cell);
  }
  return taken;
}

/** Draws the scene of `seed` at `scale` (pixels per layout unit). */
export function generateScene(seed: number, scale = 2): Scene {
  if (!Number.isInteger(scale) || scale < 1 || scale > 4) throw new RangeError(`scene scale must be an integer from 1 to 4, got ${scale}`);
  const rand = seededRandom(seed);
  const s = scale;
  const image = createRaster(sceneSide(s), sceneSide(s), mutedColor(rand, 200, 235));
  drawClutter(image, rand, s);
  const combos = rand.shuffle(Array.from({ length: COLORS.length * SHAPES.length }, (_, i) => i));
  const labels = new Set<string>();
  const objects: SceneObject[] = pickCells(rand, rand.int(6, 10)).map(([col, row], k) => {
    let label: string;
    do label = randomLabel(rand);
    while (labels.has(label));
    labels.add(label);
    const color = combos[k]! % COLORS.length;
    const shape = Math.floor(combos[k]! / COLORS.length);
    const x = col * CELL + rand.int(MARGIN, CELL - MARGIN - SHAPE_SIZE);
    const y = row * CELL + rand.int(MARGIN, CELL - MARGIN - OBJECT_HEIGHT);
    drawShape(image, SHAPES[shape]!, x * s, y * s, SHAPE_SIZE * s, COLORS[color]!.rgb);
    const textW = textWidth(label) * FONT_PIXEL;
    const tagW = textW + 2 * TAG_PAD;
    const tagX = x + (SHAPE_SIZE - tagW) / 2;
    const tagY = y + SHAPE_SIZE + TAG_GAP;
    fillRect(image, tagX * s, tagY * s, tagW * s, TAG_HEIGHT * s, [255, 255, 255]);
    const textX = tagX + TAG_PAD;
    const textY = tagY + 4;
    drawText(image, label, textX * s, textY * s, FONT_PIXEL * s, [0, 0, 0]);
    const px = (v: number) => Math.floor(v * s);
    return {
      col,
      row,
      color,
      shape,
      label,
      bbox: { x1: px(Math.min(x, tagX)), y1: px(y), x2: px(Math.max(x + SHAPE_SIZE, tagX + tagW)), y2: px(tagY + TAG_HEIGHT) },
      labelBox: { x1: px(textX), y1: px(textY), x2: px(textX + textW), y2: px(textY + GLYPH_HEIGHT * FONT_PIXEL) },
    };
  });
  return { seed, scale, image, objects };
}

const describe = (o: SceneObject): string => `${COLORS[o.color]!.name} ${SHAPES[o.shape]}`;

/**
 * Every question the scene answers unambiguously about an object away from the border (so a crop
 * around it stays inside the image), in a seeded order. Half are multiple choice.
 */
export function sceneQuestions(scene: Scene, seed: number = scene.seed): SceneQuestion[] {
  const rand = seededRandom(seed ^ 0x5eed);
  const objs = scene.objects;
  const out: SceneQuestion[] = [];
  objs.forEach((o, target) => {
    if (o.col < 1 || o.col > GRID - 2 || o.row < 1 || o.row > GRID - 2) return;
    const asks = [`What is written on the tag of the ${describe(o)}?`];
    if (objs.filter((p) => p.color === o.color).length === 1) asks.push(`What does the tag below the ${COLORS[o.color]!.name} shape say?`);
    const quadrant = quadrantOf(o.col, o.row);
    if (objs.filter((p) => p.shape === o.shape && quadrantOf(p.col, p.row) === quadrant).length === 1) {
      asks.push(`What is written on the tag of the ${SHAPES[o.shape]} in the ${QUADRANTS[quadrant]} quarter of the image?`);
    }
    const question = rand.pick(asks);
    if (rand.next() < 0.5) {
      out.push({ question, options: [], answer: o.label, target });
      return;
    }
    // Options: the true tag, other tags in the scene, then random ones, in a random order.
    const pool = rand.shuffle(objs.filter((p) => p !== o).map((p) => p.label));
    const choices = new Set([o.label, ...pool.slice(0, rand.int(0, 2))]);
    while (choices.size < 4) choices.add(randomLabel(rand));
    const ordered = rand.shuffle([...choices]);
    const letters = 'ABCD';
    out.push({
      question,
      options: ordered.map((label, i) => `(${letters[i]}) ${label}`),
      answer: letters[ordered.indexOf(o.label)]!,
      target,
    });
  });
  return rand.shuffle(out);
}
