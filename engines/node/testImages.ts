// Test inputs for Node: deterministic pattern images as PNG files, and the run context around an engine.
import sharp from 'sharp';
import { cancelWhen, type Engine } from '../../pipeline/engine';
import type { WorkerEvent } from '../../pipeline/protocol';
import type { RunContext } from '../../pipeline/runs';
import { decodeImageBytes } from './decodeImage';

/** A PNG of a gradient with a small red square (as the browser tests draw). */
export async function patternPng(width: number, height: number): Promise<Uint8Array<ArrayBuffer>> {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const t = (x / width + y / height) / 2;
      const i = (y * width + x) * 3;
      const red = x >= width * 0.6 && x < width * 0.7 && y >= height * 0.3 && y < height * 0.4;
      raw[i] = red ? 0xc0 : Math.round(0x20 + t * (0xf0 - 0x20));
      raw[i + 1] = red ? 0x20 : Math.round(0x40 + t * (0xc0 - 0x40));
      raw[i + 2] = red ? 0x20 : Math.round(0x80 + t * (0x20 - 0x80));
    }
  }
  return new Uint8Array(await sharp(raw, { raw: { width, height, channels: 3 } }).png().toBuffer());
}

/** A run context that records every event. */
export function recordingContext(engine: Engine, requestId = 'r1'): { ctx: RunContext; events: WorkerEvent[] } {
  const events: WorkerEvent[] = [];
  const ctx: RunContext = {
    requestId,
    emit: (e) => events.push(e),
    cancel: cancelWhen(() => false),
    engine,
    decodeImage: async (file) => decodeImageBytes(new Uint8Array(await file.blob.arrayBuffer()), file.name),
  };
  return { ctx, events };
}
