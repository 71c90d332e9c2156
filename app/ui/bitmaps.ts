/**
 * Bitmaps for display: the model's RGBA images as canvases, and the original decoded at a
 * resolution chosen from the zoom level (an 8K image is never drawn at full size when it is shown
 * at a fraction of it).
 */
import { useEffect, useMemo, useState } from 'react';
import type { RgbaImage } from '../../pipeline/protocol';

export function useRgbaCanvas(image: RgbaImage | null): HTMLCanvasElement | null {
  return useMemo(() => {
    if (!image) return null;
    const canvas = document.createElement('canvas');
    canvas.width = image.width;
    canvas.height = image.height;
    canvas.getContext('2d')?.putImageData(new ImageData(new Uint8ClampedArray(image.data), image.width, image.height), 0, 0);
    return canvas;
  }, [image]);
}

/** Longest side of the display bitmap for a frame shown `pixelsOnScreen` wide: the next power of two, at most the original. */
export function displayLongSide(originalLongSide: number, pixelsOnScreen: number): number {
  const wanted = 2 ** Math.ceil(Math.log2(Math.max(256, pixelsOnScreen * devicePixelRatio)));
  return Math.min(originalLongSide, wanted);
}

/** `blob` decoded with its longest side `longSide`; the previous bitmap is closed when replaced. */
export function useDisplayBitmap(blob: Blob | null, width: number, height: number, longSide: number): ImageBitmap | null {
  const [bitmap, setBitmap] = useState<ImageBitmap | null>(null);
  useEffect(() => {
    if (!blob) return setBitmap(null);
    let live = true;
    const scale = longSide / Math.max(width, height);
    void createImageBitmap(blob, { resizeWidth: Math.max(1, Math.round(width * scale)), resizeHeight: Math.max(1, Math.round(height * scale)), resizeQuality: 'high' }).then(
      (b) => {
        if (live) setBitmap(b);
        else b.close();
      },
      () => live && setBitmap(null),
    );
    return () => {
      live = false;
    };
  }, [blob, width, height, longSide]);
  useEffect(() => () => bitmap?.close(), [bitmap]);
  return bitmap;
}
