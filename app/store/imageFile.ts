/**
 * Checks a file the user gave before it replaces the current image: that it decodes, has pixels,
 * and is within the pixel limit; and hashes it for traces. Errors say what to do.
 */
import { MAX_IMAGE_PIXELS } from '../../pipeline/protocol';
import { blobWithStoredOrientation } from '../core/jpegOrientation';

/**
 * An image the user gave, as every run on it keeps it: the session holds each run's own image, so
 * an older run is shown, cropped, exported and re-asked on the pixels it ran on.
 */
export interface LensImage {
  /** The file's bytes with any EXIF Orientation set to 1: shown, cropped and run in the stored pixel grid, as ERGO's official code sees it. */
  readonly blob: Blob;
  readonly name: string;
  readonly width: number;
  readonly height: number;
  /** Of the file as given (before its Orientation tag is neutralised), so it matches the file on disk. */
  readonly sha256: string | null;
  /** The https URL it was fetched from; null otherwise. */
  readonly sourceUrl: string | null;
  /** The id of the built-in sample it was drawn from; null otherwise. A share link names it, so the recipient draws the same image. */
  readonly sample: string | null;
}

/** How a share link names an image: by its sample id, its https URL, or (a local file) its size and name. */
export function linkImageKey(image: { readonly sample?: string | null; readonly sourceUrl?: string | null; readonly localImage?: { readonly name: string; readonly width: number; readonly height: number } | null }): string | null {
  if (image.sample) return `sample:${image.sample}`;
  if (image.sourceUrl) return `url:${image.sourceUrl}`;
  return image.localImage ? `local:${image.localImage.width}x${image.localImage.height}:${image.localImage.name}` : null;
}

/** The link key of an image the user gave. */
export const imageLinkKey = (image: LensImage): string | null => linkImageKey({ sample: image.sample, sourceUrl: image.sourceUrl, localImage: image });

/** Where an image came from, when a share link can name it. */
export interface ImageOrigin {
  readonly sourceUrl?: string;
  readonly sample?: string;
}

export type ImageRead = { readonly ok: true; readonly image: LensImage } | { readonly ok: false; readonly code: string; readonly message: string };

const SUPPORTED = 'PNG, JPEG, WebP, GIF, BMP or AVIF';

async function sha256(blob: Blob): Promise<string | null> {
  if (!globalThis.crypto?.subtle) return null;
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export async function readImageFile(file: Blob, name: string, origin: ImageOrigin = {}): Promise<ImageRead> {
  if (file.type && !file.type.startsWith('image/')) {
    return { ok: false, code: 'not-an-image', message: `"${name}" is ${file.type}, not an image. Choose a ${SUPPORTED} file.` };
  }
  const blob = await blobWithStoredOrientation(file);
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
  return { ok: true, image: { blob, name, width, height, sha256: await sha256(file), sourceUrl: origin.sourceUrl ?? null, sample: origin.sample ?? null } };
}
