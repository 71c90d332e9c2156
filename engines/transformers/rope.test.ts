import { Qwen2VLForConditionalGeneration, Tensor } from '@huggingface/transformers';
import { describe, expect, it } from 'vitest';
import { ropePositions } from './rope';

const IMAGE = 151655;
const START = 151652;
const END = 151653;

/** transformers.js' own get_rope_index, the reference, on a bare object carrying only the config. */
function referencePositions(ids: number[], grids: [number, number, number][]): bigint[] {
  const model = Object.create(Qwen2VLForConditionalGeneration.prototype) as { get_rope_index: (...a: unknown[]) => [Tensor, Tensor] };
  Object.assign(model, { config: { vision_config: { spatial_merge_size: 2 }, image_token_id: IMAGE, video_token_id: 151656, vision_start_token_id: START } });
  const inputIds = new Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]);
  const grid = new Tensor('int64', BigInt64Array.from(grids.flat().map(BigInt)), [grids.length, 3]);
  const [positions] = model.get_rope_index(inputIds, grid, null, null);
  return Array.from(positions.data as BigInt64Array);
}

const text = (n: number, base = 100): number[] => Array.from({ length: n }, (_, i) => base + i);
const image = (tokens: number): number[] => [START, ...Array<number>(tokens).fill(IMAGE), END];

describe('ropePositions', () => {
  // Two images as in ERGO's fine turn: a 3x5-token coarse image and a 4x2-token crop (patch grids 6x10 and 8x4).
  const ids = [...text(5), ...image(15), ...text(7, 300), ...image(8), ...text(4, 500)];
  const spans = [
    { rows: 3, cols: 5 },
    { rows: 4, cols: 2 },
  ];

  it('equals transformers.js get_rope_index on a two-image conversation', () => {
    const ours = ropePositions(ids, spans, IMAGE, 0);
    if ('error' in ours) throw new Error(ours.error);
    expect(Array.from(ours.data)).toEqual(referencePositions(ids, [[1, 6, 10], [1, 8, 4]]));
  });

  it('continues a cached prefix: the positions of a suffix equal the tail of the whole', () => {
    const whole = ropePositions(ids, spans, IMAGE, 0);
    const cut = 5 + 17 + 3; // inside the text between the images
    const head = ropePositions(ids.slice(0, cut), spans.slice(0, 1), IMAGE, 0);
    if ('error' in whole || 'error' in head) throw new Error('unexpected error');
    const tail = ropePositions(ids.slice(cut), spans.slice(1), IMAGE, head.next);
    if ('error' in tail) throw new Error(tail.error);
    const n = ids.length;
    const m = n - cut;
    for (let row = 0; row < 3; row++) {
      expect(Array.from(tail.data.subarray(row * m, (row + 1) * m))).toEqual(Array.from(whole.data.subarray(row * n + cut, (row + 1) * n)));
    }
    expect(tail.next).toBe(whole.next);
    // 5 text (0-4), <|vision_start|> at 5, image at offset 6; text after it continues at 6 + max(3, 5) = 11:
    // <|vision_end|> 11, then 3 text tokens 12-14, so the next position is 15.
    expect(head.next).toBe(15);
  });

  it('reports a run whose length does not match its image', () => {
    const bad = ropePositions([1, IMAGE, IMAGE, 2], [{ rows: 1, cols: 3 }], IMAGE, 0);
    expect(bad).toEqual({ error: 'image run at token 1 has 2 tokens, its image 1x3 needs 3' });
  });
});
