/**
 * Coarse-resize speed of `resizeRGBA` against Pillow on the same pixels in the same run, for
 * 5K and 8K photo-sized inputs, plus Lanczos crop resizes; prints times, ratios and max difference.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { budgetPixels, ergoSmartResize, resizeRGBA, type ResampleFilter } from '../app/core';

const PYTHON = '/usr/bin/python3';
const REPEATS = 7;

const PILLOW_TIMER = `
import sys, time
from PIL import Image
w, h, tw, th, filt, repeats, src, dst = sys.argv[1:]
img = Image.frombytes('RGB', (int(w), int(h)), open(src, 'rb').read())
f = {'bicubic': Image.BICUBIC, 'lanczos': Image.LANCZOS}[filt]
times = []
for _ in range(int(repeats)):
    t = time.perf_counter(); out = img.resize((int(tw), int(th)), f); times.append(time.perf_counter() - t)
open(dst, 'wb').write(out.tobytes())
print(sorted(times)[len(times) // 2] * 1000, min(times) * 1000)
`;

/** A deterministic photo-like RGBA image: gradients, texture and noise. */
function scene(width: number, height: number): Uint8ClampedArray {
  const data = new Uint8ClampedArray(width * height * 4);
  let seed = 12345;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const noise = (seed >>> 24) - 128;
      const o = (y * width + x) * 4;
      data[o] = ((x * 255) / width + noise * 0.2) | 0;
      data[o + 1] = ((y * 255) / height + ((x ^ y) & 31)) | 0;
      data[o + 2] = 128 + (((x >> 4) + (y >> 4)) % 2) * 60 + noise * 0.3;
      data[o + 3] = 255;
    }
  }
  return data;
}

/** Median and minimum in ms: on a shared machine the minimum is the steadier of the two. */
interface Timing {
  readonly median: number;
  readonly min: number;
}

function timing(values: number[]): Timing {
  return { median: [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!, min: Math.min(...values) };
}

function hasPillow(): boolean {
  try {
    execFileSync(PYTHON, ['-c', 'import PIL'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

interface Row {
  readonly label: string;
  readonly ours: Timing;
  readonly pillow: Timing | null;
  readonly maxDiff: number | null;
}

function measure(label: string, width: number, height: number, data: Uint8ClampedArray, tw: number, th: number, filter: ResampleFilter, pillow: boolean): Row {
  const times: number[] = [];
  let out = resizeRGBA({ data, width, height }, tw, th, filter);
  for (let i = 0; i < REPEATS; i++) {
    const start = performance.now();
    out = resizeRGBA({ data, width, height }, tw, th, filter);
    times.push(performance.now() - start);
  }
  if (!pillow) return { label, ours: timing(times), pillow: null, maxDiff: null };
  const dir = mkdtempSync(join(tmpdir(), 'bench-resize-'));
  try {
    const rgb = new Uint8Array(width * height * 3);
    for (let i = 0, o = 0; o < rgb.length; i += 4, o += 3) rgb.set(data.subarray(i, i + 3), o);
    writeFileSync(join(dir, 'src'), rgb);
    const [median, min] = execFileSync(PYTHON, ['-c', PILLOW_TIMER, String(width), String(height), String(tw), String(th), filter, String(REPEATS), join(dir, 'src'), join(dir, 'dst')]).toString().trim().split(' ').map(Number);
    const expected = readFileSync(join(dir, 'dst'));
    let maxDiff = 0;
    for (let p = 0; p < tw * th; p++) for (let c = 0; c < 3; c++) maxDiff = Math.max(maxDiff, Math.abs(out.data[p * 4 + c]! - expected[p * 3 + c]!));
    return { label, ours: timing(times), pillow: { median: median!, min: min! }, maxDiff };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchResize(): Promise<void> {
  const pillow = hasPillow();
  if (!pillow) console.log(`Pillow not found for ${PYTHON} (apt-get install python3-pil): printing resizeRGBA times only.`);
  const rows: Row[] = [];
  for (const [width, height] of [
    [5120, 2880],
    [7680, 4320],
  ] as const) {
    const data = scene(width, height);
    const coarse = ergoSmartResize(height, width, { maxPixels: budgetPixels(1280) });
    rows.push(measure(`coarse ${width}x${height} -> ${coarse.width}x${coarse.height} bicubic`, width, height, data, coarse.width, coarse.height, 'bicubic', pillow));
    if (width === 7680) {
      // Crops of the 8K image resized with ERGO's resize, as the fine turn does: a quarter-area
      // region (downscaled) and a small one (resampled by a few pixels, slightly enlarged).
      for (const [cw, ch] of [
        [width / 2, height / 2],
        [997, 541],
      ] as const) {
        const crop = new Uint8ClampedArray(cw * ch * 4);
        for (let y = 0; y < ch; y++) crop.set(data.subarray(y * width * 4, (y * width + cw) * 4), y * cw * 4);
        const target = ergoSmartResize(ch, cw, { maxPixels: budgetPixels(1280) });
        rows.push(measure(`crop ${cw}x${ch} -> ${target.width}x${target.height} lanczos`, cw, ch, crop, target.width, target.height, 'lanczos', pillow));
      }
    }
  }
  console.log(`\nresizeRGBA vs Pillow (median and min of ${REPEATS} after a warm-up call, same pixels, same run)`);
  console.table(
    rows.map((r) => ({
      case: r.label,
      'resizeRGBA ms (median/min)': `${r.ours.median.toFixed(1)} / ${r.ours.min.toFixed(1)}`,
      'Pillow ms (median/min)': r.pillow ? `${r.pillow.median.toFixed(1)} / ${r.pillow.min.toFixed(1)}` : 'n/a',
      'ours / Pillow (median/min)': r.pillow ? `${(r.ours.median / r.pillow.median).toFixed(2)} / ${(r.ours.min / r.pillow.min).toFixed(2)}` : 'n/a',
      'max diff': r.maxDiff ?? 'n/a',
    })),
  );
}
