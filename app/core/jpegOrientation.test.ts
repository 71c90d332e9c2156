// JPEG heads written byte by byte: SOI, optional APP0, an Exif APP1 with one IFD, then SOS.
import { describe, expect, it } from 'vitest';
import { blobWithStoredOrientation, jpegOrientation, withStoredOrientation } from './jpegOrientation';

const u16 = (v: number, le: boolean) => (le ? [v & 0xff, v >> 8] : [v >> 8, v & 0xff]);
const u32 = (v: number, le: boolean) => (le ? [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >>> 24] : [v >>> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff]);

/** An IFD entry: tag, type, count, 4-byte value field (a SHORT left-aligned). */
const entry = (tag: number, type: number, count: number, short: number, le: boolean) => [...u16(tag, le), ...u16(type, le), ...u32(count, le), ...u16(short, le), 0, 0];

/** A JPEG head whose IFD0 holds `entries` (XResolution-like filler first, so Orientation is not entry 0). */
function jpeg(entries: number[][], le: boolean, { app0 = true, fill = false } = {}): Uint8Array<ArrayBuffer> {
  const tiff = [...(le ? [0x49, 0x49] : [0x4d, 0x4d]), ...u16(42, le), ...u32(8, le), ...u16(entries.length, le), ...entries.flat(), ...u32(0, le)];
  const app1Body = [0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff];
  const app1 = [0xff, 0xe1, ...u16(app1Body.length + 2, false), ...app1Body];
  const jfif = [0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0];
  const sos = [0xff, 0xda, 0, 8, 1, 1, 0, 0, 0x3f, 0, 0x12, 0x34, 0xff, 0xd9];
  return new Uint8Array([0xff, 0xd8, ...(app0 ? jfif : []), ...(fill ? [0xff] : []), ...app1, ...sos]);
}

const filler = (le: boolean) => entry(0x010f, 2, 4, 0x4142, le); // Make, "AB.."

describe('withStoredOrientation (PIL Image.open keeps the stored grid)', () => {
  for (const le of [true, false]) {
    it(`rewrites Orientation 6 to 1 and nothing else (${le ? 'Intel' : 'Motorola'} byte order)`, () => {
      const bytes = jpeg([filler(le), entry(0x0112, 3, 1, 6, le)], le);
      expect(jpegOrientation(bytes)).toBe(6);
      const fixed = withStoredOrientation(bytes);
      expect(jpegOrientation(fixed)).toBe(1);
      expect(jpegOrientation(bytes)).toBe(6); // the input is not modified
      const changed = [...fixed].flatMap((b, i) => (b === bytes[i] ? [] : [i]));
      // One byte: the low byte of the SHORT (offset of its value field's low-order byte)
      expect(changed).toHaveLength(1);
      expect(fixed.length).toBe(bytes.length);
    });
  }

  it('returns the same bytes when there is nothing to change', () => {
    for (const bytes of [
      jpeg([entry(0x0112, 3, 1, 1, true)], true), // already as stored
      jpeg([filler(true)], true), // no Orientation tag
      new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), // a PNG
      new Uint8Array([0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff, 0x45]), // APP1 longer than the file
      new Uint8Array([0xff, 0xd8, 0xff, 0xda, 0, 2, 0xff, 0xd9]), // scan before any metadata
      jpeg([entry(0x0112, 4, 1, 6, true)], true), // Orientation of the wrong type: left to the decoder
    ]) {
      expect(withStoredOrientation(bytes)).toBe(bytes);
    }
    expect(jpegOrientation(jpeg([filler(true)], true))).toBeNull();
  });

  it('walks past fill bytes and a missing APP0', () => {
    expect(jpegOrientation(jpeg([entry(0x0112, 3, 1, 8, false)], false, { app0: false, fill: true }))).toBe(8);
  });

  it('stops at an IFD that runs past its segment', () => {
    const bytes = jpeg([filler(true), entry(0x0112, 3, 1, 6, true)], true);
    // IFD0's entry count (after SOI, APP0, APP1 marker+length, "Exif\0\0", TIFF header) claims 200 entries
    const countAt = 2 + 18 + 4 + 6 + 8;
    const broken = bytes.slice();
    broken[countAt] = 200;
    expect(withStoredOrientation(broken)).toBe(broken);
  });

  it('patches a Blob by its head and keeps the rest of the file', async () => {
    const head = jpeg([entry(0x0112, 3, 1, 3, true)], true);
    const tail = new Uint8Array(300 * 1024).map((_, i) => i % 251);
    const file = new Blob([head, tail], { type: 'image/jpeg' });
    const fixed = await blobWithStoredOrientation(file);
    expect(fixed.type).toBe('image/jpeg');
    expect(fixed.size).toBe(file.size);
    const bytes = new Uint8Array(await fixed.arrayBuffer());
    expect(jpegOrientation(bytes)).toBe(1);
    expect(bytes.slice(head.length)).toEqual(tail);
    const plain = new Blob([jpeg([filler(true)], true)]);
    expect(await blobWithStoredOrientation(plain)).toBe(plain);
  });
});
