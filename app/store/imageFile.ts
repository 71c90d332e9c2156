/**
 * Checks a file the user gave before it replaces the current image: that it decodes, has pixels,
 * and is within the pixel limit; and hashes it for traces. Errors say what to do.
 */
import { MAX_IMAGE_PIXELS } from '../../pipeline/protocol';
import type { LensImage } from './lensStore';

export type ImageRead = { readonly ok: true; readonly image: LensImage } | { readonly ok: false; readonly code: string; readonly message: string };

const SUPPORTED = 'PNG, JPEG, WebP, GIF, BMP or AVIF';

async function sha256(blob: Blob): Promise<string | null> {
  if (!globalThis.crypto?.subtle) return null;
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export async function readImageFile(blob: Blob, name: string, sourceUrl: string | null = null): Promise<ImageRead> {
  if (blob.type && !blob.type.startsWith('image/')) {
    return { ok: false, code: 'not-an-image', message: `"${name}" is ${blob.type}, not an image. Choose a ${SUPPORTED} file.` };
  }
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob);
  } catch {
    return { ok: false, code: 'corrupt-image', message: `"${name}" could not be decoded: the file is damaged or not a ${SUPPORTED} image.` };
  }
  const { width, height } = bitmap;
  bitmap.close();
  if (width * height > MAX_IMAGE_PIXELS) {
    const mp = ((width * height) / 1e6).toFixed(1);
    return { ok: false, code: 'image-too-large', message: `"${name}" is ${width}x${height} (${mp} MP), over the ${MAX_IMAGE_PIXELS / 1e6} MP limit. Downscale or crop it first.` };
  }
  return { ok: true, image: { blob, name, width, height, sha256: await sha256(blob), sourceUrl } };
}
