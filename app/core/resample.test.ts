// resizeRGBA against Pillow's own output (fixtures written by scripts/pil_fixtures.py).
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { resizeRGBA, type ResampleFilter } from './resample';

interface Case {
  name: string;
  source: [number, number];
  target: [number, number];
  filter: ResampleFilter;
  note: string;
}

const dir = new URL('./fixtures/resample/', import.meta.url);
const index = JSON.parse(readFileSync(new URL('index.json', dir), 'utf8')) as { pillow: string; cases: Case[] };
const rgb = (file: string) => new Uint8Array(gunzipSync(readFileSync(new URL(file, dir))));

/** RGB -> RGBA with a varying alpha, which must be ignored. */
function toRgba(bytes: Uint8Array): Uint8ClampedArray {
  const out = new Uint8ClampedArray((bytes.length / 3) * 4);
  for (let i = 0, o = 0; i < bytes.length; i += 3, o += 4) {
    out.set([bytes[i]!, bytes[i + 1]!, bytes[i + 2]!, (i * 7) % 256], o);
  }
  return out;
}

describe(`resizeRGBA vs Pillow ${index.pillow}`, () => {
  it('covers synthetic scenes and real photographs', () => {
    expect(index.cases.length).toBeGreaterThanOrEqual(10);
    expect(index.cases.some((c) => c.name.startsWith('photo'))).toBe(true);
  });

  for (const c of index.cases) {
    it(`${c.name}: ${c.source.join('x')} -> ${c.target.join('x')} ${c.filter} is bit-exact`, () => {
      const [sw, sh] = c.source;
      const [tw, th] = c.target;
      const out = resizeRGBA({ data: toRgba(rgb(`${c.name}.src.rgb.gz`)), width: sw, height: sh }, tw, th, c.filter);
      const expected = rgb(`${c.name}.out.rgb.gz`);
      expect([out.width, out.height]).toEqual([tw, th]);
      let maxDiff = 0;
      let exact = 0;
      for (let p = 0; p < tw * th; p++) {
        for (let ch = 0; ch < 3; ch++) {
          const d = Math.abs(out.data[p * 4 + ch]! - expected[p * 3 + ch]!);
          maxDiff = Math.max(maxDiff, d);
          if (d === 0) exact++;
        }
        expect(out.data[p * 4 + 3]).toBe(255);
      }
      expect(maxDiff).toBe(0);
      expect(exact).toBe(tw * th * 3);
    });
  }

  it('rejects non-integer or empty targets', () => {
    const image = { data: new Uint8ClampedArray(4 * 4), width: 2, height: 2 };
    expect(() => resizeRGBA(image, 0, 2, 'bicubic')).toThrow(RangeError);
    expect(() => resizeRGBA(image, 1.5, 2, 'lanczos')).toThrow(/positive integers/);
  });
});
