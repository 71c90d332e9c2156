/**
 * The stored pixel grid of a JPEG, as ERGO's official code sees it.
 *
 * ERGO's evaluation opens images with PIL's `Image.open`, which ignores the EXIF Orientation tag:
 * the model sees the pixels as stored, and its boxes refer to that grid. Chromium rotates a JPEG
 * by its Orientation tag when decoding, whatever `imageOrientation` asks for. So before any decode
 * the tag is rewritten to 1 ("as stored"): every decoder then yields the stored grid, as PIL does.
 *
 * Only the Orientation entry of the first IFD of an `Exif` APP1 segment changes; every other byte
 * (pixels, other tags, thumbnails) stays as it was. Bytes that are not a JPEG, or that are too
 * damaged to walk, are returned as they are: the decoder reports them.
 */

const ORIENTATION_TAG = 0x0112;
const SHORT = 3;
const AS_STORED = 1;

/** Where a JPEG's EXIF Orientation value lives, and how to read it. */
interface OrientationField {
  /** Byte offset of the 2-byte value in the file. */
  readonly at: number;
  readonly littleEndian: boolean;
  readonly value: number;
}

/** Finds the Orientation entry of IFD0 in the first `Exif` APP1 segment; null when there is none. */
function findOrientation(bytes: Uint8Array): OrientationField | null {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 2;
  while (pos + 4 <= bytes.length) {
    if (bytes[pos] !== 0xff) return null;
    const marker = bytes[pos + 1]!;
    // Fill bytes before a marker.
    if (marker === 0xff) {
      pos += 1;
      continue;
    }
    // Start of scan or end of image: metadata segments come before these.
    if (marker === 0xda || marker === 0xd9) return null;
    const length = view.getUint16(pos + 2);
    const body = pos + 4;
    const end = pos + 2 + length;
    if (length < 2 || end > bytes.length) return null;
    if (marker === 0xe1 && length >= 8 && isExifHeader(bytes, body)) return orientationInTiff(view, body + 6, end);
    pos = end;
  }
  return null;
}

/** "Exif\0\0" at `at`. */
function isExifHeader(bytes: Uint8Array, at: number): boolean {
  return bytes[at] === 0x45 && bytes[at + 1] === 0x78 && bytes[at + 2] === 0x69 && bytes[at + 3] === 0x66 && bytes[at + 4] === 0 && bytes[at + 5] === 0;
}

/** The Orientation entry of IFD0 in the TIFF structure spanning [tiff, end). */
function orientationInTiff(view: DataView, tiff: number, end: number): OrientationField | null {
  if (tiff + 8 > end) return null;
  const order = view.getUint16(tiff);
  if (order !== 0x4949 && order !== 0x4d4d) return null;
  const littleEndian = order === 0x4949;
  if (view.getUint16(tiff + 2, littleEndian) !== 42) return null;
  const ifd = tiff + view.getUint32(tiff + 4, littleEndian);
  if (ifd + 2 > end) return null;
  const count = view.getUint16(ifd, littleEndian);
  // An IFD that runs past its segment is damaged: leave the file to the decoder.
  if (ifd + 2 + count * 12 > end) return null;
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12;
    if (view.getUint16(entry, littleEndian) !== ORIENTATION_TAG) continue;
    if (view.getUint16(entry + 2, littleEndian) !== SHORT || view.getUint32(entry + 4, littleEndian) !== 1) return null;
    // A single SHORT sits left-aligned in the 4-byte value field.
    return { at: entry + 8, littleEndian, value: view.getUint16(entry + 8, littleEndian) };
  }
  return null;
}

/** The EXIF Orientation value of a JPEG (1-8), or null when it has none. */
export function jpegOrientation(bytes: Uint8Array): number | null {
  return findOrientation(bytes)?.value ?? null;
}

/**
 * `bytes` with the EXIF Orientation tag set to 1, so decoders keep the stored pixel grid as PIL's
 * `Image.open` does. Returns `bytes` itself when there is nothing to change; a copy otherwise.
 */
export function withStoredOrientation(bytes: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const field = findOrientation(bytes);
  if (!field || field.value === AS_STORED) return bytes;
  const copy = bytes.slice();
  new DataView(copy.buffer).setUint16(field.at, AS_STORED, field.littleEndian);
  return copy;
}

/** Metadata segments precede the pixels, and an APP1 segment is at most 64 KiB: the head holds them. */
const HEAD_BYTES = 256 * 1024;

/** `blob` with its EXIF Orientation set to 1 (see `withStoredOrientation`); only its head is read. */
export async function blobWithStoredOrientation(blob: Blob): Promise<Blob> {
  const head = new Uint8Array(await blob.slice(0, HEAD_BYTES).arrayBuffer());
  const fixed = withStoredOrientation(head);
  return fixed === head ? blob : new Blob([fixed, blob.slice(head.length)], { type: blob.type });
}
