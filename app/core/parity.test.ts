// Every reference vector computed with ERGO's Python semantics (../shared/vectors/ergo-parity.json).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { boxIn, budgetPixels, cropRect, ergoSmartResize, extractAnswer, parseZoomBox, qwenSmartResize, scoreChoice } from './index';

interface Vectors {
  ergo_smart_resize: { height: number; width: number; maxTokens: number; out: [number, number] }[];
  /** `out` null: Qwen's resize rejects the aspect ratio. */
  qwen_smart_resize: { height: number; width: number; maxTokens: number; out: [number, number] | null }[];
  parse_zoom: { text: string; out: [number, number, number, number] | null }[];
  /** `original` and `resized` are [width, height]; `out` is [x1, y1, x2, y2] or null. */
  crop_rect: { box: [number, number, number, number]; original: [number, number]; resized: [number, number]; out: [number, number, number, number] | null }[];
  score_choice: { text: string; gold: string; out: boolean }[];
  extract_answer: { text: string; out: string | null }[];
}

const vectors = JSON.parse(
  readFileSync(new URL('../../../shared/vectors/ergo-parity.json', import.meta.url), 'utf8'),
) as Vectors;

describe('shared parity vectors', () => {
  it('cover every protocol function', () => {
    const sections = ['ergo_smart_resize', 'qwen_smart_resize', 'parse_zoom', 'crop_rect', 'score_choice', 'extract_answer'] as const;
    expect(Object.keys(vectors).sort()).toEqual([...sections].sort());
    for (const section of sections) expect(vectors[section].length, section).toBeGreaterThan(0);
  });

  it('ergoSmartResize: [height, width] for every vector', () => {
    for (const v of vectors.ergo_smart_resize) {
      const { height, width } = ergoSmartResize(v.height, v.width, { maxPixels: budgetPixels(v.maxTokens) });
      expect([height, width], `${v.height}x${v.width} @${v.maxTokens}`).toEqual(v.out);
    }
  });

  it('qwenSmartResize: [height, width] for every vector', () => {
    for (const v of vectors.qwen_smart_resize) {
      const resize = () => qwenSmartResize(v.height, v.width, { maxPixels: budgetPixels(v.maxTokens) });
      if (v.out === null) {
        expect(resize, `${v.height}x${v.width}`).toThrow(RangeError);
        continue;
      }
      const { height, width } = resize();
      expect([height, width], `${v.height}x${v.width} @${v.maxTokens}`).toEqual(v.out);
    }
  });

  it('parseZoomBox', () => {
    for (const v of vectors.parse_zoom) expect(parseZoomBox(v.text), JSON.stringify(v.text)).toEqual(v.out);
  });

  it('cropRect', () => {
    for (const v of vectors.crop_rect) {
      const [W, H] = v.original;
      const [w, h] = v.resized;
      const rect = cropRect(boxIn('coarse', v.box), { width: W, height: H }, { width: w, height: h });
      expect(rect ? [rect.x1, rect.y1, rect.x2, rect.y2] : null, JSON.stringify(v)).toEqual(v.out);
    }
  });

  it('extractAnswer and scoreChoice', () => {
    for (const v of vectors.extract_answer) expect(extractAnswer(v.text), JSON.stringify(v.text)).toBe(v.out);
    for (const v of vectors.score_choice) expect(scoreChoice(v.text, v.gold), JSON.stringify(v)).toBe(v.out);
  });
});
