/**
 * Pillow-faithful antialiased resampling of RGBA pixels (ImageData layout). ERGO resizes the
 * coarse image with PIL's BICUBIC and the crop with LANCZOS; a canvas `drawImage` does not widen
 * its kernel when downscaling, so the model would see different pixels.
 *
 * Mirrors Pillow's 8-bit path: a horizontal pass, then a vertical pass (each only when that side
 * changes), with the coefficient tables of `resampleKernel.ts` and an 8-bit clamped intermediate.
 * The passes run in WebAssembly SIMD (`resample.wat`): one instance per JavaScript realm, whose
 * memory grows to the largest resize seen and is reused, so repeated resizes touch warm pages.
 */
import { axisKernel, type AxisKernel, type ResampleFilter } from './resampleKernel';
import { RESAMPLE_WASM_BASE64 } from './resampleWasm';

export type { ResampleFilter } from './resampleKernel';

export interface RgbaPixels {
  /** `width * height * 4` bytes, row-major RGBA. */
  readonly data: Uint8ClampedArray;
  readonly width: number;
  readonly height: number;
}

export type ResampleErrorCode = 'bad-size' | 'bad-data' | 'wasm-simd-unsupported' | 'out-of-memory';

export class ResampleError extends RangeError {
  constructor(
    readonly code: ResampleErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ResampleError';
  }
}

/** The exports of `resample.wat`; pointers, strides and sizes in bytes except where named pixels/rows. */
interface Passes {
  horizontal(src: number, srcStride: number, rows: number, dst: number, outWidth: number, first: number, count: number, weights: number, taps: number): void;
  vertical(src: number, stride: number, rowOffset: number, dst: number, width: number, first: number, count: number, weights: number, taps: number, y: number): void;
}

interface Engine {
  readonly memory: WebAssembly.Memory;
  readonly passes: Passes;
}

let engine: Engine | undefined;

function loadEngine(): Engine {
  if (engine) return engine;
  const bytes = Uint8Array.from(atob(RESAMPLE_WASM_BASE64), (c) => c.charCodeAt(0));
  if (!WebAssembly.validate(bytes)) {
    throw new ResampleError('wasm-simd-unsupported', 'this JavaScript engine cannot run WebAssembly SIMD, which resizing needs');
  }
  const memory = new WebAssembly.Memory({ initial: 1 });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
  const { exports } = instance;
  // Cannot fail for the module built from resample.wat; checked so the exports' type is earned.
  if (!isPasses(exports)) throw new Error('the resize module does not export its horizontal and vertical passes');
  engine = { memory, passes: exports };
  return engine;
}

/** The module's exports carry both passes (the module is ours, but its exports are untyped). */
function isPasses(exports: WebAssembly.Exports): exports is WebAssembly.Exports & Passes {
  return typeof exports.horizontal === 'function' && typeof exports.vertical === 'function';
}

/** Source bytes copied into wasm memory per horizontal call: small enough to stay in cache. */
const STRIP_BYTES = 1 << 20;
/** The vertical pass's last 16-byte group may reach this far past a row. */
const GROUP_SLACK = 16;

/** Bump allocation of 16-byte-aligned regions, laid out before the memory is grown. */
class Layout {
  size = 0;
  take(bytes: number): number {
    const at = this.size;
    this.size += Math.ceil(bytes / 16) * 16;
    return at;
  }
}

/** An axis kernel and where its three tables go in wasm memory. */
interface PlacedKernel {
  readonly table: AxisKernel;
  readonly firstAt: number;
  readonly countAt: number;
  readonly weightsAt: number;
}

function placeKernel(layout: Layout, table: AxisKernel): PlacedKernel {
  return { table, firstAt: layout.take(table.first.byteLength), countAt: layout.take(table.count.byteLength), weightsAt: layout.take(table.weights.byteLength) };
}

function writeKernel(heap: Uint8Array, k: PlacedKernel): void {
  heap.set(bytesOf(k.table.first), k.firstAt);
  heap.set(bytesOf(k.table.count), k.countAt);
  heap.set(bytesOf(k.table.weights), k.weightsAt);
}

const bytesOf = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

function ensureCapacity(memory: WebAssembly.Memory, bytes: number): void {
  const missing = bytes - memory.buffer.byteLength;
  if (missing <= 0) return;
  try {
    memory.grow(Math.ceil(missing / 65536));
  } catch {
    throw new ResampleError('out-of-memory', `resizing needs ${bytes} bytes of WebAssembly memory, which could not be allocated`);
  }
}

function opaqueCopy(image: RgbaPixels): RgbaPixels {
  const data = image.data.slice();
  for (let i = 3; i < data.length; i += 4) data[i] = 255;
  return { data, width: image.width, height: image.height };
}

/**
 * Resizes `image` to `width` x `height` pixels like Pillow's `Image.resize((width, height), filter)`
 * on its RGB channels: bit-exact with Pillow's 8-bit fixed-point path (Lanczos weights up to the
 * last bit of `Math.sin`, which matched libm on every fixture). Input alpha is ignored and output
 * alpha is 255, like `convert('RGB')`. The result is a new buffer; `image` is not modified.
 * Throws `ResampleError` with code `bad-size` (a target side not a positive integer), `bad-data`
 * (data length is not width * height * 4), `wasm-simd-unsupported` or `out-of-memory`.
 */
export function resizeRGBA(image: RgbaPixels, width: number, height: number, filter: ResampleFilter): RgbaPixels {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new ResampleError('bad-size', `resize target must be positive integers, got ${width}x${height}`);
  }
  const { width: srcWidth, height: srcHeight, data } = image;
  if (!(srcWidth >= 1 && srcHeight >= 1) || data.length !== srcWidth * srcHeight * 4) {
    throw new ResampleError('bad-data', `source of ${srcWidth}x${srcHeight} pixels needs ${srcWidth * srcHeight * 4} bytes, got ${data.length}`);
  }
  const needH = width !== srcWidth;
  const needV = height !== srcHeight;
  if (!needH && !needV) return opaqueCopy(image);

  const { memory, passes } = loadEngine();
  const layout = new Layout();
  const kh = needH ? placeKernel(layout, axisKernel(srcWidth, width, filter)) : null;
  const kv = needV ? placeKernel(layout, axisKernel(srcHeight, height, filter)) : null;
  // Only the source rows that some output row reads go through the horizontal pass.
  const rowStart = kv ? kv.table.first[0]! : 0;
  const rowEnd = kv ? kv.table.first[height - 1]! + kv.table.count[height - 1]! : srcHeight;
  const srcStride = srcWidth * 4;
  const stripRows = Math.max(1, Math.min(rowEnd - rowStart, Math.floor(STRIP_BYTES / srcStride)));
  // One spare row after the strip and after `mid`: the horizontal pass works on row pairs.
  const strip = kh ? layout.take((stripRows + 1) * srcStride) : 0;
  const midStride = width * 4;
  const mid = layout.take((rowEnd - rowStart + 1) * midStride + GROUP_SLACK);
  const out = kv ? layout.take(height * midStride + GROUP_SLACK) : mid;
  ensureCapacity(memory, layout.size);

  const heap = new Uint8Array(memory.buffer);
  const source = bytesOf(data);
  if (kh) {
    writeKernel(heap, kh);
    for (let y = rowStart; y < rowEnd; y += stripRows) {
      const rows = Math.min(stripRows, rowEnd - y);
      heap.set(source.subarray(y * srcStride, (y + rows) * srcStride), strip);
      passes.horizontal(strip, srcStride, rows, mid + (y - rowStart) * midStride, width, kh.firstAt, kh.countAt, kh.weightsAt, kh.table.taps);
    }
  } else {
    heap.set(source.subarray(rowStart * srcStride, rowEnd * srcStride), mid);
  }
  if (kv) {
    writeKernel(heap, kv);
    for (let y = 0; y < height; y++) {
      passes.vertical(mid, midStride, rowStart, out + y * midStride, width, kv.firstAt, kv.countAt, kv.weightsAt, kv.table.taps, y);
    }
  }
  return { data: new Uint8ClampedArray(memory.buffer.slice(out, out + height * midStride)), width, height };
}
