/**
 * Decodes an image file to RGBA inside the worker (createImageBitmap + OffscreenCanvas).
 *
 * The model sees the stored pixel grid, as ERGO's official code (PIL's `Image.open`, no
 * `exif_transpose`) does, and its boxes refer to that grid. Chromium rotates a JPEG by its EXIF
 * Orientation even with `imageOrientation: 'none'`, so the tag is set to 1 in the bytes first
 * (`blobWithStoredOrientation`). Colour-space conversion is off so the bytes match what PIL reads.
 */
import { MAX_IMAGE_PIXELS, type RgbaImage } from '../pipeline/protocol';
import { EngineError } from '../pipeline/errors';
import { blobWithStoredOrientation } from '../app/core/jpegOrientation';


/** Decodes `blob`; errors: `not-an-image` (undecodable), `image-too-large` (over MAX_IMAGE_PIXELS), `image-empty`. */
export async function decodeImage(blob: Blob, name: string): Promise<RgbaImage> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(await blobWithStoredOrientation(blob), { imageOrientation: 'none', colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  } catch (e) {
    throw new EngineError('not-an-image', `"${name}" (${blob.type || 'unknown type'}, ${blob.size} bytes) could not be decoded as an image: ${(e as Error).message}`);
  }
  try {
    const { width, height } = bitmap;
    if (width === 0 || height === 0) throw new EngineError('image-empty', `"${name}" has no pixels (${width}x${height})`);
    if (width * height > MAX_IMAGE_PIXELS) {
      throw new EngineError('image-too-large', `"${name}" is ${width}x${height} = ${((width * height) / 1e6).toFixed(1)} MP, over the ${MAX_IMAGE_PIXELS / 1e6} MP limit`);
    }
    const canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new EngineError('canvas-unavailable', `no 2D context for a ${width}x${height} canvas`);
    ctx.drawImage(bitmap, 0, 0);
    const { data } = ctx.getImageData(0, 0, width, height);
    return { width, height, data };
  } finally {
    bitmap.close();
  }
}
