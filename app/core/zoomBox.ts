/**
 * ERGO's parser for the coarse turn's box: `<zoom>[x1, y1, x2, y2]</zoom>`, integers in pixels of
 * the coarse image. It reproduces the reference Python exactly, Unicode digits and whitespace
 * included, because the checkpoint's outputs were scored with it.
 */
import { boxIn, type CoarseBox } from './geometry';
import { parseUnicodeInt, PY_DIGIT, PY_SPACE } from './pythonText';

const S = `[${PY_SPACE}]`;
const D = `[${PY_DIGIT}]`;
const BOX = `\\[(${D}+),${S}*(${D}+),${S}*(${D}+),${S}*(${D}+)\\]`;

/** First `<zoom>...</zoom>`, non-greedy, the dot matching newlines too. */
const ZOOM_TAG = /<zoom>([\s\S]*?)<\/zoom>/;
/**
 * The whole inner text is one box, with optional surrounding whitespace. Python's `$` also matches
 * before a final "\n", JavaScript's only at the end; the greedy whitespace run before it swallows
 * that newline either way, so both accept the same strings.
 */
const WHOLE_BOX = new RegExp(`^${S}*${BOX}${S}*$`, 'u');
const ANY_BOX = new RegExp(BOX, 'gu');

/** The four integers inside `<zoom>`, in whatever frame the model writes (ERGO: coarse pixels). */
export type ZoomNumbers = readonly [number, number, number, number];

export type ZoomParse =
  | { readonly kind: 'box'; readonly box: ZoomNumbers }
  /** `no-zoom`: no `<zoom>...</zoom>` at all; `malformed`: a tag without exactly one box inside. */
  | { readonly kind: 'none'; readonly reason: 'no-zoom' | 'malformed' };

function toBox(match: RegExpMatchArray): ZoomNumbers {
  return [parseUnicodeInt(match[1]!), parseUnicodeInt(match[2]!), parseUnicodeInt(match[3]!), parseUnicodeInt(match[4]!)];
}

/**
 * Parses the coarse-turn output, saying why no box came out. Numbers are as written (no ordering
 * or range check: a reversed box is returned and found degenerate by `cropRect`). Integers beyond
 * 2^53 come out as the nearest double: Python keeps the int exact, but its crop multiplies it by a
 * float, which rounds it the same way, so crops still match.
 */
export function parseZoom(text: string): ZoomParse {
  const tag = ZOOM_TAG.exec(text);
  if (!tag) return { kind: 'none', reason: 'no-zoom' };
  const inner = tag[1]!;
  const whole = WHOLE_BOX.exec(inner);
  if (whole) return { kind: 'box', box: toBox(whole) };
  const all = [...inner.matchAll(ANY_BOX)];
  if (all.length === 1) return { kind: 'box', box: toBox(all[0]!) };
  return { kind: 'none', reason: 'malformed' };
}

/**
 * ERGO's `<zoom>` parser for output known to be in ERGO's convention (coarse pixels: ERGO,
 * Qwen2.5-VL, and traces of their runs): the first zoom tag's box, or null. For a model of another
 * convention, read `parseZoom` and convert (`zoomToCoarse` in zoomRegion.ts).
 */
export function parseZoomBox(text: string): CoarseBox | null {
  const parsed = parseZoom(text);
  return parsed.kind === 'box' ? boxIn('coarse', parsed.box) : null;
}
