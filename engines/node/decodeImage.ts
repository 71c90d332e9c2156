/**
 * Decodes an image file to RGBA in Node (sharp), with the browser worker's rules: EXIF orientation
 * not applied (as PIL), the same pixel limit and error codes.
 */
import sharp from 'sharp';
import { EngineError } from '../../pipeline/errors';
import { MAX_IMAGE_PIXELS, type RgbaImage } from '../../pipeline/protocol';

export async function decodeImageBytes(bytes: Uint8Array, name: string): Promise<RgbaImage> {
  let meta;
  try {
    meta = await sharp(bytes).metadata();
  } catch (e) {
    throw new EngineError('not-an-image', `"${name}" (${bytes.length} bytes) could not be decoded as an image: ${(e as Error).message}`);
  }
  const { width = 0, height = 0 } = meta;
  if (width === 0 || height === 0) throw new EngineError('image-empty', `"${name}" has no pixels (${width}x${height})`);
  if (width * height > MAX_IMAGE_PIXELS) {
    throw new EngineError('image-too-large', `"${name}" is ${width}x${height} = ${((width * height) / 1e6).toFixed(1)} MP, over the ${MAX_IMAGE_PIXELS / 1e6} MP limit`);
  }
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: MAX_IMAGE_PIXELS }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) };
  } catch (e) {
    throw new EngineError('not-an-image', `"${name}" could not be decoded as an image: ${(e as Error).message}`);
  }
}
