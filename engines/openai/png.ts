/**
 * RGB PNG encoding for images sent to a server, as the official evaluation sends them (PIL RGB
 * images saved as PNG, base64 data URLs). Lossless, so the server decodes exactly these pixels.
 * Uses CompressionStream('deflate') (zlib format, what PNG's IDAT holds): browsers and Node alike.
 */
import { pngFile } from '../../pipeline/pngFile';
import type { RgbaImage } from '../../pipeline/protocol';

async function deflate(data: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const stream = new Blob([data]).stream().pipeThrough(new CompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** The image as an 8-bit RGB PNG (alpha dropped, as PIL's `convert('RGB')`). */
export async function encodePng(img: RgbaImage): Promise<Uint8Array> {
  const { width, height, data } = img;
  const raw = new Uint8Array(height * (1 + width * 3));
  for (let y = 0; y < height; y++) {
    let o = y * (1 + width * 3) + 1; // filter byte 0 (none) first
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      raw[o++] = data[i]!;
      raw[o++] = data[i + 1]!;
      raw[o++] = data[i + 2]!;
    }
  }
  return pngFile(width, height, 2, await deflate(raw));
}

/** `data:image/png;base64,...` of the image. */
export async function pngDataUrl(img: RgbaImage): Promise<string> {
  const bytes = await encodePng(img);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return `data:image/png;base64,${btoa(binary)}`;
}
