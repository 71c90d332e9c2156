/**
 * PNG encoding of RGBA pixels for Node (truecolour with alpha, 8 bits, filter 0 per row), with
 * Node's zlib: enough for the generated scenes, no dependency.
 */
import { deflateSync, inflateSync } from 'node:zlib';
import { pngFile } from '../pipeline/pngFile';

export function encodePng(image: { readonly width: number; readonly height: number; readonly data: Uint8ClampedArray | Uint8Array }): Uint8Array {
  const { width, height, data } = image;
  if (data.length !== width * height * 4) throw new RangeError(`RGBA buffer has ${data.length} bytes, expected ${width * height * 4}`);
  const rows = new Uint8Array(height * (width * 4 + 1));
  for (let y = 0; y < height; y++) rows.set(data.subarray(y * width * 4, (y + 1) * width * 4), y * (width * 4 + 1) + 1);
  return pngFile(width, height, 6, deflateSync(rows, { level: 6 }));
}

/**
 * Reads back a PNG as `encodePng` writes it (8-bit RGBA, not interlaced, filter 0 on every row):
 * the scene files of `npm run scenes`. Anything else is rejected with a message that says so.
 */
export function decodePng(png: Uint8Array): { width: number; height: number; data: Uint8ClampedArray } {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const signature = [137, 80, 78, 71, 13, 10, 26, 10];
  if (png.length < 8 || signature.some((b, i) => png[i] !== b)) throw new Error('not a PNG file');
  let at = 8;
  let width = 0;
  let height = 0;
  const idat: Uint8Array[] = [];
  while (at + 8 <= png.length) {
    const len = view.getUint32(at);
    const type = new TextDecoder().decode(png.subarray(at + 4, at + 8));
    const body = png.subarray(at + 8, at + 8 + len);
    if (type === 'IHDR') {
      width = view.getUint32(at + 8);
      height = view.getUint32(at + 12);
      if (body[8] !== 8 || body[9] !== 6 || body[12] !== 0) throw new Error('only 8-bit RGBA, non-interlaced PNG files (as npm run scenes writes them) can be read here');
    } else if (type === 'IDAT') idat.push(body);
    at += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 4 + 1;
  if (raw.length !== stride * height) throw new Error(`PNG data holds ${raw.length} bytes, expected ${stride * height} for ${width}x${height}`);
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    if (raw[y * stride] !== 0) throw new Error('only PNG files without row filters (as npm run scenes writes them) can be read here');
    data.set(raw.subarray(y * stride + 1, (y + 1) * stride), y * width * 4);
  }
  return { width, height, data };
}
