/**
 * Thumbnails decoded on demand, a few at a time, and kept in a bounded cache: a grid of 2,000
 * results decodes only what scrolls into view, and scrolling back finds them ready.
 */
import type { Size } from '../core/geometry';

const MAX_CACHED = 400;
const PARALLEL = 4;

const cache = new Map<string, ImageBitmap>();
const waiting: { key: string; start: () => void }[] = [];
let running = 0;

function remember(key: string, bitmap: ImageBitmap): void {
  cache.set(key, bitmap);
  while (cache.size > MAX_CACHED) {
    const [oldest, old] = cache.entries().next().value as [string, ImageBitmap];
    cache.delete(oldest);
    old.close();
  }
}

function pump(): void {
  while (running < PARALLEL && waiting.length) {
    running++;
    waiting.shift()!.start();
  }
}

/** A thumbnail already decoded, or undefined. Refreshes its place in the cache. */
export function cachedThumbnail(key: string): ImageBitmap | undefined {
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
  }
  return hit;
}

/**
 * Decodes `load()`'s image (of `size`) with its longest side at most `longSide`, in one decode.
 * The returned `cancel` drops the request if it has not started (a tile scrolled away), so the
 * queue follows the viewport.
 */
export function requestThumbnail(key: string, load: () => Promise<Blob>, size: Size, longSide: number): { promise: Promise<ImageBitmap>; cancel: () => void } {
  const hit = cachedThumbnail(key);
  if (hit) return { promise: Promise.resolve(hit), cancel: () => {} };
  let entry: { key: string; start: () => void } | null = null;
  const promise = new Promise<ImageBitmap>((resolve, reject) => {
    entry = {
      key,
      start: () => {
        load()
          .then((blob) => {
            const scale = Math.min(1, longSide / Math.max(size.width, size.height));
            return createImageBitmap(blob, { resizeWidth: Math.max(1, Math.round(size.width * scale)), resizeHeight: Math.max(1, Math.round(size.height * scale)), resizeQuality: 'medium' });
          })
          .then((bitmap) => {
            remember(key, bitmap);
            resolve(bitmap);
          }, reject)
          .finally(() => {
            running--;
            pump();
          });
      },
    };
    waiting.push(entry);
    pump();
  });
  return {
    promise,
    cancel: () => {
      const i = entry ? waiting.indexOf(entry) : -1;
      if (i >= 0) waiting.splice(i, 1);
    },
  };
}
