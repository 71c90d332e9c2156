/**
 * Small datasets in each layout the evaluation reads, generated for tests and benchmarks: V*
 * (test_questions.jsonl + images + annotation JSON), HR-Bench (two parquet files, base64 PNGs),
 * MME-RealWorld-lite (parquet shards under data/) and plain JSONL.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { ergoImageCost } from '../../app/core/tokens';
import { baselineResult, ergoResult } from '../../app/eval/results';
import { jsonlSample } from '../../app/eval/samples';
import { encodePng } from '../../scripts/png';

/**
 * An RGB PNG of horizontal bands of `hue` with a dark square at `mark` (x1, y1, x2, y2): something
 * for a box to find. Flat rows keep the file small (a 2,000-image dataset is a few MB).
 */
export function makePng(width: number, height: number, mark: readonly [number, number, number, number] = [0, 0, 0, 0], hue = 0): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  // One 32-bit word per pixel (little-endian RGBA), so rows are native fills.
  const words = new Uint32Array(data.buffer);
  const rgba = (r: number, g: number, b: number) => (r | (g << 8) | (b << 16) | (255 << 24)) >>> 0;
  const [x1, y1, x2, y2] = mark;
  for (let y = 0; y < height; y++) {
    words.fill(rgba((hue * 37) % 256, Math.floor((y * 255) / height), 180), y * width, (y + 1) * width);
    if (y >= y1 && y < y2 && x2 > x1) words.fill(rgba(20, 20, 20), y * width + Math.max(0, x1), y * width + Math.min(x2, width));
  }
  return encodePng({ width, height, data });
}

const LETTERS = ['A', 'B', 'C', 'D'];
const COLORS = ['red', 'blue', 'green', 'white'];

export interface TestItem {
  readonly question: string;
  readonly options: readonly string[];
  readonly label: string;
  readonly width: number;
  readonly height: number;
  /** Target in original pixels. */
  readonly target: readonly [number, number, number, number];
  readonly png: Uint8Array;
}

/** `n` deterministic items: sizes vary so resizes differ; the gold letter cycles A-D. */
export function testItems(n: number): TestItem[] {
  return Array.from({ length: n }, (_, i) => {
    const width = 160 + 28 * (i % 5);
    const height = 120 + 14 * (i % 3);
    const target = [20 + 7 * (i % 12), 30, 60 + 7 * (i % 12), 70] as const;
    return {
      question: `What is the color of object ${i}?`,
      options: COLORS.map((c, k) => `(${LETTERS[k]}) ${c}`),
      label: LETTERS[i % 4]!,
      width,
      height,
      target,
      png: makePng(width, height, target, i),
    };
  });
}

/** V*'s layout: `test_questions.jsonl`, images under category folders, `[x, y, w, h]` annotations beside them. */
export function writeVstar(dir: string, items: readonly TestItem[]): void {
  const categories = ['direct_attributes', 'relative_position'];
  for (const c of categories) mkdirSync(path.join(dir, c), { recursive: true });
  const lines = items.map((item, i) => {
    const category = categories[i % 2]!;
    const image = `${category}/sa_${i}.png`;
    writeFileSync(path.join(dir, image), item.png);
    const [x1, y1, x2, y2] = item.target;
    writeFileSync(path.join(dir, `${category}/sa_${i}.json`), JSON.stringify({ target_object: ['object'], bbox: [[x1, y1, x2 - x1, y2 - y1]], width: item.width, height: item.height }));
    const text = [item.question, ...item.options, "Answer with the option's letter from the given choices directly."].join('\n');
    return JSON.stringify({ image, text, category, question_id: i, label: item.label });
  });
  writeFileSync(path.join(dir, 'test_questions.jsonl'), `${lines.join('\n')}\n`);
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

/** HR-Bench's layout: `hr_bench_4k.parquet` and `hr_bench_8k.parquet`, options in columns A-D, base64 images. */
export function writeHrbench(dir: string, items: readonly TestItem[]): void {
  mkdirSync(dir, { recursive: true });
  const half = Math.ceil(items.length / 2);
  for (const [name, part] of [['hr_bench_4k.parquet', items.slice(0, half)], ['hr_bench_8k.parquet', items.slice(half)]] as const) {
    const option = (k: number) => part.map((item) => item.options[k]!.slice(4));
    const buffer = parquetWriteBuffer({
      columnData: [
        { name: 'index', data: part.map((_, i) => BigInt(i)), type: 'INT64' },
        { name: 'question', data: part.map((item) => item.question), type: 'STRING' },
        { name: 'answer', data: part.map((item) => item.label), type: 'STRING' },
        { name: 'category', data: part.map((_, i) => (i % 2 ? 'cross' : 'single')), type: 'STRING' },
        ...LETTERS.map((letter, k) => ({ name: letter, data: option(k), type: 'STRING' as const })),
        { name: 'image', data: part.map((item) => b64(item.png)), type: 'STRING' },
      ],
    });
    writeFileSync(path.join(dir, name), new Uint8Array(buffer));
  }
}

/** MME-RealWorld-lite's layout: `data/train-0000N-of-00002.parquet`, options as a list, base64 images in `bytes`. */
export function writeMmerwl(dir: string, items: readonly TestItem[]): void {
  mkdirSync(path.join(dir, 'data'), { recursive: true });
  const categories = ['Perception/Monitoring', 'Reasoning/Remote Sensing', 'Perception/OCR with Complex Context'];
  const half = Math.ceil(items.length / 2);
  [items.slice(0, half), items.slice(half)].forEach((part, shard) => {
    const buffer = parquetWriteBuffer({
      columnData: [
        { name: 'index', data: part.map((_, i) => BigInt(shard * 1000 + i)), type: 'INT64' },
        { name: 'question', data: part.map((item) => item.question), type: 'STRING' },
        { name: 'multi-choice options', data: part.map((item) => [...item.options]) },
        { name: 'answer', data: part.map((item) => item.label), type: 'STRING' },
        { name: 'category', data: part.map((_, i) => categories[(shard + i) % 3]!), type: 'STRING' },
        { name: 'l2-category', data: part.map(() => 'test'), type: 'STRING' },
        { name: 'bytes', data: part.map((item) => b64(item.png)), type: 'STRING' },
      ],
    });
    writeFileSync(path.join(dir, 'data', `train-0000${shard}-of-00002.parquet`), new Uint8Array(buffer));
  });
}

/** A plain JSONL dataset: `items.jsonl` with images in `images/` beside it; `bbox` in original pixels. */
export function writeJsonl(dir: string, items: readonly TestItem[]): string {
  mkdirSync(path.join(dir, 'images'), { recursive: true });
  const lines = items.map((item, i) => {
    writeFileSync(path.join(dir, 'images', `img_${i}.png`), item.png);
    return JSON.stringify({ image: `images/img_${i}.png`, question: item.question, options: item.options, answer: item.label, bbox: item.target, category: i % 2 ? 'odd' : 'even' });
  });
  const file = path.join(dir, 'items.jsonl');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/**
 * A JSONL dataset of `n` items and a results file over it as `npm run eval` writes it: replayed
 * ERGO outputs whose boxes land on, near or off the targets, some with no box, answers right and
 * wrong, and a direct baseline for every tenth sample. For the results browser's tests and bench.
 */
export function writeResultsFixture(dir: string, n: number): { dataset: string; results: string } {
  const items = testItems(n);
  const dataset = writeJsonl(dir, items);
  const lines = items.map((item, i) => {
    const sample = jsonlSample(JSON.parse(JSON.stringify({ image: `images/img_${i}.png`, question: item.question, options: item.options, answer: item.label, bbox: item.target, category: ['street', 'shop', 'sign'][i % 3] })), i + 1);
    if (!sample.ok) throw new Error(sample.message);
    const coarse = ergoImageCost(item, 1280);
    const sx = coarse.width / item.width;
    const sy = coarse.height / item.height;
    // Every 7th writes no box; the others cover the target, or look 80 px to its right every 3rd time.
    const shift = i % 3 === 2 ? 80 : 0;
    const [x1, y1, x2, y2] = item.target;
    const box = [x1 + shift - 4, y1 - 4, x2 + shift + 4, y2 + 4].map((v, k) => Math.max(0, Math.round(v * (k % 2 ? sy : sx))));
    const coarseOutput = i % 7 === 6 ? '<think>I cannot tell.</think>' : `<think>The object is there.</think><zoom>[${box.join(', ')}]</zoom>`;
    const answer = i % 4 === 1 ? 'A' : item.label;
    const ctx = { original: item, budget: 1280, convention: 'pixels-coarse' as const, model: 'fixture', engine: 'replay' };
    const ergo = ergoResult(sample.sample, { coarse_output: coarseOutput, fine_output: `<think>Looking closer.<think><answer>${answer}</answer>`, usage: null, total_ms: 900 + (i % 13) * 50 }, ctx);
    if (i % 10) return [ergo];
    const whole = { width: item.width, height: item.height };
    return [ergo, baselineResult(sample.sample, 'direct', item.label, { vision_tokens: 4 * ergo.vision_tokens, text_tokens: 20, prompt_tokens: null, completion_tokens: 1, cached_tokens: 0, ms: 3000 }, whole, ctx)];
  });
  const results = path.join(dir, 'results.jsonl');
  writeFileSync(results, lines.flat().map((l) => `${JSON.stringify(l)}\n`).join(''));
  return { dataset, results };
}
