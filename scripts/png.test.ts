import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodePng, encodePng } from './png';

/** Reads back an 8-bit RGBA, filter-0 PNG as encodePng writes it, checking every chunk's CRC. */
function decode(png: Uint8Array): { width: number; height: number; data: Uint8Array } {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  expect([...png.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
  let at = 8;
  let width = 0;
  let height = 0;
  const idat: Uint8Array[] = [];
  while (at < png.length) {
    const len = view.getUint32(at);
    const type = new TextDecoder().decode(png.subarray(at + 4, at + 8));
    const body = png.subarray(at + 8, at + 8 + len);
    let c = 0xffffffff;
    for (const b of png.subarray(at + 4, at + 8 + len)) {
      c ^= b;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    }
    expect(view.getUint32(at + 8 + len)).toBe((c ^ 0xffffffff) >>> 0);
    if (type === 'IHDR') {
      width = view.getUint32(at + 8);
      height = view.getUint32(at + 12);
      expect([...body.subarray(8)]).toEqual([8, 6, 0, 0, 0]);
    }
    if (type === 'IDAT') idat.push(body);
    at += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    expect(raw[y * (width * 4 + 1)]).toBe(0);
    data.set(raw.subarray(y * (width * 4 + 1) + 1, (y + 1) * (width * 4 + 1)), y * width * 4);
  }
  return { width, height, data };
}

describe('encodePng', () => {
  it('round-trips RGBA pixels exactly', () => {
    const width = 7;
    const height = 5;
    const data = Uint8Array.from({ length: width * height * 4 }, (_, i) => (i * 37 + 11) % 256);
    expect(decode(encodePng({ width, height, data }))).toEqual({ width, height, data });
  });

  it('reads its own files back, and refuses other files with a message', () => {
    const width = 5;
    const height = 3;
    const data = Uint8ClampedArray.from({ length: width * height * 4 }, (_, i) => (i * 91) % 256);
    expect(decodePng(encodePng({ width, height, data }))).toEqual({ width, height, data });
    expect(() => decodePng(new Uint8Array([1, 2, 3]))).toThrow(/not a PNG file/);
  });

  it('rejects a buffer of the wrong size', () => {
    expect(() => encodePng({ width: 2, height: 2, data: new Uint8Array(15) })).toThrow(/15 bytes, expected 16/);
  });
});
