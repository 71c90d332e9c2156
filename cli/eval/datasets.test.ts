import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { choiceFineQuestion } from '../../app/core';
import { readDataset, readImageBytes } from './datasets';
import { encodedSize } from './replay';
import { testItems, writeHrbench, writeJsonl, writeMmerwl, writeVstar } from './testData';

const items = testItems(6);
const fresh = () => mkdtempSync(path.join(tmpdir(), 'ergo-eval-'));

describe('reading the official layouts', () => {
  it('V*: questions, options and postfix from text; targets from the annotation beside each image', async () => {
    const dir = fresh();
    writeVstar(dir, items);
    const ds = await readDataset(dir, 'vstar');
    expect(ds.samples).toHaveLength(6);
    expect(ds.categories).toEqual(['direct_attributes', 'relative_position']);
    const s = ds.samples[1]!;
    expect(s).toMatchObject({ id: '1', questionId: 1, category: 'relative_position', question: items[1]!.question, label: 'B' });
    expect(s.targets).toEqual([items[1]!.target]);
    expect(choiceFineQuestion(s)).toBe(`${items[1]!.question}\n${items[1]!.options.join('\n')}\nAnswer with the option's letter from the given choices directly.`);
    expect(encodedSize(await readImageBytes(ds.root, s.image), 'x')).toEqual({ width: items[1]!.width, height: items[1]!.height });
    // The file itself is accepted as --data too.
    expect((await readDataset(path.join(dir, 'test_questions.jsonl'), 'vstar')).samples).toHaveLength(6);
  });

  it('HR-Bench: both parquet files, categories 4k/8k, ids per file, base64 images read per sample', async () => {
    const dir = fresh();
    writeHrbench(dir, items);
    const ds = await readDataset(dir, 'hrbench');
    expect(ds.samples.map((s) => s.id)).toEqual(['4k/0', '4k/1', '4k/2', '8k/0', '8k/1', '8k/2']);
    const s = ds.samples[4]!;
    expect(s.options).toEqual(['A:red', 'B:blue', 'C:green', 'D:white']);
    expect(s.label).toBe(items[4]!.label);
    expect(Buffer.from(await readImageBytes(ds.root, s.image)).equals(Buffer.from(items[4]!.png))).toBe(true);
  });

  it('MME-RealWorld-lite: shards in data/, options lists, question_id the row in its shard', async () => {
    const dir = fresh();
    writeMmerwl(dir, items);
    const ds = await readDataset(dir, 'mmerwl');
    expect(ds.samples.map((s) => [s.id, s.questionId])).toEqual([['00000/0', 0], ['00000/1', 1], ['00000/2', 2], ['00001/0', 0], ['00001/1', 1], ['00001/2', 2]]);
    expect(ds.samples[3]!.category).toBe('Reasoning/Remote Sensing');
    expect(ds.samples[3]!.options).toEqual(items[3]!.options);
    expect(Buffer.from(await readImageBytes(ds.root, ds.samples[5]!.image)).equals(Buffer.from(items[5]!.png))).toBe(true);
  });

  it('plain JSONL: paths relative to the file, bbox in original pixels', async () => {
    const dir = fresh();
    const file = writeJsonl(dir, items);
    const ds = await readDataset(file, 'jsonl');
    expect(ds.categories).toBeNull();
    expect(ds.samples[2]).toMatchObject({ id: '3', category: 'even', targets: [items[2]!.target] });
    expect(encodedSize(await readImageBytes(ds.root, ds.samples[2]!.image), 'x').width).toBe(items[2]!.width);
  });
});

describe('bad datasets say what --data should be', () => {
  it('names the missing file, the wrong kind of path, and bad lines with their numbers', async () => {
    const dir = fresh();
    await expect(readDataset(dir, 'vstar')).rejects.toThrow(/no test_questions.jsonl in .*--data is the V\* folder/);
    await expect(readDataset(dir, 'hrbench')).rejects.toThrow(/no hr_bench_4k.parquet or hr_bench_8k.parquet/);
    await expect(readDataset(dir, 'mmerwl')).rejects.toThrow(/no train-\*-of-\*.parquet shards/);
    await expect(readDataset(dir, 'jsonl')).rejects.toThrow(/is a folder: for --format jsonl, --data is the JSONL file/);
    await expect(readDataset(path.join(dir, 'nope'), 'jsonl')).rejects.toThrow(/does not exist/);
    const file = path.join(dir, 'bad.jsonl');
    writeFileSync(file, '{"image": "a.png", "question": "q", "options": ["(A) x"], "answer": "A"}\nnot json\n{"image": "b.png"}\n');
    await expect(readDataset(file, 'jsonl')).rejects.toThrow(/2 item\(s\) cannot be read:\n  line 2: not JSON.*\n  line 3: no "question"/);
    writeFileSync(path.join(dir, 'hr_bench_4k.parquet'), 'not parquet at all');
    await expect(readDataset(dir, 'hrbench')).rejects.toThrow(/hr_bench_4k.parquet is not a parquet file/);
  });

  it('a missing image is reported when its sample is read', async () => {
    const dir = fresh();
    const file = writeJsonl(dir, items.slice(0, 1));
    writeFileSync(file, JSON.stringify({ image: 'images/gone.png', question: 'q', options: [], answer: 'A' }));
    const ds = await readDataset(file, 'jsonl');
    await expect(readImageBytes(ds.root, ds.samples[0]!.image)).rejects.toThrow(/cannot read image .*gone.png: ENOENT/);
  });
});
