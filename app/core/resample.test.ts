// resizeRGBA against Pillow's own output (fixtures written by scripts/pil_fixtures.py).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ResampleError, resizeRGBA, type ResampleFilter } from './resample';
import { RESAMPLE_WASM_BASE64 } from './resampleWasm';

interface Case {
  name: string;
  source: [number, number];
  target: [number, number];
  filter: ResampleFilter;
  note: string;
  /** The source is `pattern(width, height)` rather than a stored file. */
  pattern?: true;
}

const dir = new URL('./fixtures/resample/', import.meta.url);
const index = JSON.parse(readFileSync(new URL('index.json', dir), 'utf8')) as { pillow: string; cases: Case[] };
const rgb = (file: string) => new Uint8Array(gunzipSync(readFileSync(new URL(file, dir))));

/** Same integer formula as `pattern` in scripts/pil_fixtures.py. */
function pattern(width: number, height: number): Uint8Array {
  const data = new Uint8Array(width * height * 3);
  let i = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i += 3) {
      data[i] = (x * 7 + y * 13) & 255;
      data[i + 1] = ((x ^ y) * 5) & 255;
      data[i + 2] = ((x * y) >> 4) & 255;
    }
  }
  return data;
}

/** RGB -> RGBA with a varying alpha, which must be ignored. */
function toRgba(bytes: Uint8Array): Uint8ClampedArray {
  const out = new Uint8ClampedArray((bytes.length / 3) * 4);
  for (let i = 0, o = 0; i < bytes.length; i += 3, o += 4) {
    out[o] = bytes[i]!;
    out[o + 1] = bytes[i + 1]!;
    out[o + 2] = bytes[i + 2]!;
    out[o + 3] = (i * 7) % 256;
  }
  return out;
}

describe(`resizeRGBA vs Pillow ${index.pillow}`, () => {
  it('covers synthetic scenes, strip boundaries and real photographs', () => {
    expect(index.cases.length).toBeGreaterThanOrEqual(12);
    expect(index.cases.some((c) => c.name.startsWith('photo'))).toBe(true);
    expect(index.cases.some((c) => c.pattern)).toBe(true);
  });

  for (const c of index.cases) {
    it(`${c.name}: ${c.source.join('x')} -> ${c.target.join('x')} ${c.filter} is bit-exact`, () => {
      const [sw, sh] = c.source;
      const [tw, th] = c.target;
      const source = toRgba(c.pattern ? pattern(sw, sh) : rgb(`${c.name}.src.rgb.gz`));
      const before = source.slice();
      const out = resizeRGBA({ data: source, width: sw, height: sh }, tw, th, c.filter);
      const expected = rgb(`${c.name}.out.rgb.gz`);
      expect([out.width, out.height, out.data.length]).toEqual([tw, th, tw * th * 4]);
      let maxDiff = 0;
      let exact = 0;
      let opaque = 0;
      for (let p = 0; p < tw * th; p++) {
        for (let ch = 0; ch < 3; ch++) {
          const d = Math.abs(out.data[p * 4 + ch]! - expected[p * 3 + ch]!);
          maxDiff = Math.max(maxDiff, d);
          if (d === 0) exact++;
        }
        if (out.data[p * 4 + 3] === 255) opaque++;
      }
      expect({ maxDiff, exactFraction: exact / (tw * th * 3), opaque }).toEqual({ maxDiff: 0, exactFraction: 1, opaque: tw * th });
      expect(source.every((v, i) => v === before[i])).toBe(true);
    });
  }
});

describe('resizeRGBA', () => {
  const image = { data: toRgba(new Uint8Array([10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120])), width: 2, height: 2 };

  it('returns an opaque copy when the size does not change, as Pillow copies', () => {
    const out = resizeRGBA(image, 2, 2, 'lanczos');
    expect(Array.from(out.data)).toEqual([10, 20, 30, 255, 40, 50, 60, 255, 70, 80, 90, 255, 100, 110, 120, 255]);
    expect(out.data).not.toBe(image.data);
  });

  it('rejects targets that are not positive integers, naming them', () => {
    expect(() => resizeRGBA(image, 0, 2, 'bicubic')).toThrow(expect.objectContaining({ code: 'bad-size', message: expect.stringContaining('0x2') }));
    expect(() => resizeRGBA(image, 1.5, 2, 'lanczos')).toThrow(ResampleError);
  });

  it('rejects data whose length does not match the size, naming it', () => {
    const short = { data: new Uint8ClampedArray(15), width: 2, height: 2 };
    expect(() => resizeRGBA(short, 1, 1, 'bicubic')).toThrow(expect.objectContaining({ code: 'bad-data', message: expect.stringContaining('got 15') }));
  });
});

// Needs wat2wasm (Debian's wabt) to assemble the source; the parity tests above run the embedded bytes.
const wat2wasm = ['/usr/bin/wat2wasm', '/usr/local/bin/wat2wasm'].find(existsSync);
describe.skipIf(!wat2wasm)('resampleWasm.ts', () => {
  it('is resample.wat assembled (rerun scripts/build-resample-wasm.sh after editing it)', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'resample-wasm-'));
    try {
      execFileSync(wat2wasm!, [new URL('resample.wat', import.meta.url).pathname, '-o', join(tmp, 'out.wasm')]);
      expect(readFileSync(join(tmp, 'out.wasm')).toString('base64')).toBe(RESAMPLE_WASM_BASE64);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
