/**
 * A minimal integer rasterizer over an RGBA buffer: filled rectangles, discs, convex polygons and
 * pixel-font text, without antialiasing. Pixel centres are tested against each shape with plain
 * IEEE arithmetic, so the same calls give the same bytes on every platform.
 */
import { textPixels } from './font';

export type Rgb = readonly [r: number, g: number, b: number];

export interface Raster {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8ClampedArray;
}

export function createRaster(width: number, height: number, fill: Rgb): Raster {
  const data = new Uint8ClampedArray(width * height * 4);
  new Uint32Array(data.buffer).fill(packed(fill));
  return { width, height, data };
}

/** The RGBA bytes of an opaque colour as one little-endian 32-bit word (every supported platform). */
function packed(color: Rgb): number {
  return (255 * 2 ** 24 + (color[2] << 16) + (color[1] << 8) + color[0]) >>> 0;
}

/** Sets pixels `[x0, x1)` of row `y` (already clipped). */
function span(r: Raster, y: number, x0: number, x1: number, value: number): void {
  if (x1 > x0) new Uint32Array(r.data.buffer, r.data.byteOffset + y * r.width * 4, r.width).fill(value, x0, x1);
}

/** Fills the pixels of `[x, x+w) x [y, y+h)` that lie inside the image. */
export function fillRect(r: Raster, x: number, y: number, w: number, h: number, color: Rgb): void {
  const x0 = Math.max(0, Math.floor(x));
  const y0 = Math.max(0, Math.floor(y));
  const x1 = Math.min(r.width, Math.floor(x + w));
  const y1 = Math.min(r.height, Math.floor(y + h));
  const value = packed(color);
  for (let yy = y0; yy < y1; yy++) span(r, yy, x0, x1, value);
}

/** Fills every pixel whose centre is within `radius` of `(cx, cy)`. */
export function fillDisc(r: Raster, cx: number, cy: number, radius: number, color: Rgb): void {
  const rr = radius * radius;
  const value = packed(color);
  const y0 = Math.max(0, Math.floor(cy - radius));
  const y1 = Math.min(r.height, Math.ceil(cy + radius));
  for (let y = y0; y < y1; y++) {
    const dy = y + 0.5 - cy;
    let x0 = Math.max(0, Math.floor(cx - radius));
    let x1 = Math.min(r.width, Math.ceil(cx + radius));
    const inside = (x: number) => (x + 0.5 - cx) * (x + 0.5 - cx) + dy * dy <= rr;
    while (x0 < x1 && !inside(x0)) x0++;
    while (x1 > x0 && !inside(x1 - 1)) x1--;
    span(r, y, x0, x1, value);
  }
}

/** Fills every pixel whose centre lies inside the convex polygon `points` (either winding). */
export function fillConvex(r: Raster, points: readonly (readonly [number, number])[], color: Rgb): void {
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const x0 = Math.max(0, Math.floor(Math.min(...xs)));
  const x1 = Math.min(r.width, Math.ceil(Math.max(...xs)));
  const y0 = Math.max(0, Math.floor(Math.min(...ys)));
  const y1 = Math.min(r.height, Math.ceil(Math.max(...ys)));
  const n = points.length;
  const value = packed(color);
  for (let y = y0; y < y1; y++) {
    const py = y + 0.5;
    for (let x = x0; x < x1; x++) {
      const px = x + 0.5;
      let pos = false;
      let neg = false;
      for (let k = 0; k < n; k++) {
        const [ax, ay] = points[k]!;
        const [bx, by] = points[(k + 1) % n]!;
        const cross = (bx - ax) * (py - ay) - (by - ay) * (px - ax);
        if (cross > 0) pos = true;
        else if (cross < 0) neg = true;
      }
      if (!(pos && neg)) span(r, y, x, x + 1, value);
    }
  }
}

/** Draws `text` in the pixel font, each font pixel a `scale` x `scale` block, from top-left `(x, y)`. */
export function drawText(r: Raster, text: string, x: number, y: number, scale: number, color: Rgb): void {
  for (const [fx, fy] of textPixels(text)) fillRect(r, x + fx * scale, y + fy * scale, scale, scale, color);
}
