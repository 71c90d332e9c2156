/**
 * Reads a benchmark from disk in its official layout (as ERGO's `eval.py` finds it) or a plain
 * JSONL file, into samples. Images are not read here: parquet images stay in their files until a
 * sample is run (HR-Bench 8K holds gigabytes of base64).
 */
import { existsSync, promises as fs, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema, type AsyncBuffer } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { hrbenchSample, jsonlSample, mmerwlSample, OFFICIAL_CATEGORIES, vstarSample, type DatasetFormat, type EvalSample, type ImageRef, type SampleParse } from '../../app/eval/samples';

export interface Dataset {
  readonly format: DatasetFormat;
  /** Folder that image paths and parquet files are relative to. */
  readonly root: string;
  readonly samples: readonly EvalSample[];
  /** The official categories (null: every category found). */
  readonly categories: readonly string[] | null;
}

/** A dataset that cannot be read, with what to do about it. */
export class DatasetError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const MAX_LISTED = 5;

function collect(parsed: { where: string; result: SampleParse }[]): EvalSample[] {
  const bad = parsed.filter((p) => !p.result.ok);
  if (bad.length) {
    const listed = bad.slice(0, MAX_LISTED).map((p) => `  ${p.where}: ${p.result.ok ? '' : p.result.message}`);
    throw new DatasetError('bad-samples', `${bad.length} item(s) cannot be read:\n${listed.join('\n')}${bad.length > MAX_LISTED ? `\n  ... and ${bad.length - MAX_LISTED} more` : ''}`);
  }
  const samples = parsed.flatMap((p) => (p.result.ok ? [p.result.sample] : []));
  const seen = new Set<string>();
  for (const s of samples) {
    if (seen.has(s.id)) throw new DatasetError('duplicate-id', `two items share the id "${s.id}": ids must be unique (resume and replay key on them)`);
    seen.add(s.id);
  }
  return samples;
}

interface JsonlEntry {
  readonly lineNumber: number;
  readonly value: unknown;
  readonly error: string | null;
}

async function readJsonl(file: string): Promise<JsonlEntry[]> {
  const text = await fs.readFile(file, 'utf8');
  return text.split('\n').flatMap((raw, i): JsonlEntry[] => {
    if (!raw.trim()) return [];
    try {
      return [{ lineNumber: i + 1, value: JSON.parse(raw) as unknown, error: null }];
    } catch (e) {
      return [{ lineNumber: i + 1, value: null, error: `not JSON (${(e as Error).message})` }];
    }
  });
}

const lineResult = (entry: { value: unknown; error: string | null }, parse: (value: unknown) => SampleParse): SampleParse =>
  entry.error ? { ok: false, message: entry.error } : parse(entry.value);

async function readJsonOrNull(file: string): Promise<unknown> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as unknown;
  } catch {
    return null;
  }
}

/** V*: `test_questions.jsonl` in the folder; each image's annotation is the JSON beside it (same name). */
async function readVstar(dir: string): Promise<EvalSample[]> {
  const file = path.join(dir, 'test_questions.jsonl');
  if (!existsSync(file)) throw new DatasetError('no-questions', `no test_questions.jsonl in ${dir}: --data is the V* folder (vstar_bench, the one holding test_questions.jsonl)`);
  const entries = await readJsonl(file);
  const parsed = await Promise.all(
    entries.map(async (entry) => {
      const image = (entry.value as { image?: unknown } | null)?.image;
      const annotation = typeof image === 'string' ? await readJsonOrNull(path.join(dir, image.replace(/\.[^./]+$/, '') + '.json')) : null;
      return { where: `test_questions.jsonl line ${entry.lineNumber}`, result: lineResult(entry, (v) => vstarSample(v, annotation)) };
    }),
  );
  return collect(parsed);
}

/** Rows of a parquet file without the image column (read per sample later), and each row's pandas index. */
async function parquetRows(file: string, imageColumn: string): Promise<{ rows: Record<string, unknown>[]; index: number[] }> {
  let buffer: AsyncBuffer;
  try {
    buffer = await asyncBufferFromFile(file);
  } catch (e) {
    throw new DatasetError('unreadable', `cannot read ${file}: ${(e as Error).message}`);
  }
  let columns: string[];
  try {
    const metadata = await parquetMetadataAsync(buffer);
    columns = parquetSchema(metadata).children.map((c) => c.element.name);
  } catch (e) {
    throw new DatasetError('not-parquet', `${file} is not a parquet file (${(e as Error).message})`);
  }
  if (!columns.includes(imageColumn)) throw new DatasetError('no-image-column', `${file} has no "${imageColumn}" column (columns: ${columns.join(', ')})`);
  const rows = await parquetReadObjects({ file: buffer, columns: columns.filter((c) => c !== imageColumn), compressors });
  // pandas writes a non-default index as __index_level_0__; eval.py's iterrows() ids are that index.
  const index = rows.map((row, i) => {
    const stored = row.__index_level_0__;
    return typeof stored === 'bigint' || typeof stored === 'number' ? Number(stored) : i;
  });
  return { rows, index };
}

/** HR-Bench: `hr_bench_4k.parquet` and `hr_bench_8k.parquet` in the folder (either may be absent, not both). */
async function readHrbench(dir: string): Promise<EvalSample[]> {
  const files = (['4k', '8k'] as const).map((category) => ({ category, name: `hr_bench_${category}.parquet` })).filter((f) => existsSync(path.join(dir, f.name)));
  if (!files.length) throw new DatasetError('no-parquet', `no hr_bench_4k.parquet or hr_bench_8k.parquet in ${dir}: --data is the HR-Bench folder`);
  const parsed = [];
  for (const { category, name } of files) {
    const { rows, index } = await parquetRows(path.join(dir, name), 'image');
    parsed.push(...rows.map((row, i) => ({ where: `${name} row ${i}`, result: hrbenchSample(row, i, index[i]!, category, name) })));
  }
  return collect(parsed);
}

const SHARD = /^train-(\d+)-of-(\d+)\.parquet$/;

/** MME-RealWorld-lite: the `train-0000N-of-0000M.parquet` shards, in `data/` of the folder or in the folder itself. */
async function readMmerwl(dir: string): Promise<EvalSample[]> {
  const shardDir = [path.join(dir, 'data'), dir].find((d) => existsSync(d) && statSync(d).isDirectory() && safeList(d).some((f) => SHARD.test(f)));
  if (!shardDir) throw new DatasetError('no-parquet', `no train-*-of-*.parquet shards in ${dir} or ${path.join(dir, 'data')}: --data is the MME-RealWorld-lite-lmms-eval folder`);
  const shards = safeList(shardDir).filter((f) => SHARD.test(f)).sort();
  const parsed = [];
  for (const name of shards) {
    const shard = SHARD.exec(name)![1]!;
    const rel = path.relative(dir, path.join(shardDir, name));
    const { rows, index } = await parquetRows(path.join(shardDir, name), 'bytes');
    parsed.push(...rows.map((row, i) => ({ where: `${rel} row ${i}`, result: mmerwlSample(row, i, index[i]!, shard, rel) })));
  }
  return collect(parsed);
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

async function readPlainJsonl(file: string): Promise<EvalSample[]> {
  const entries = await readJsonl(file);
  return collect(entries.map((entry) => ({ where: `line ${entry.lineNumber}`, result: lineResult(entry, (v) => jsonlSample(v, entry.lineNumber)) })));
}

/** Reads `--data` in `format`. Throws DatasetError with a message that says what `--data` should be. */
export async function readDataset(data: string, format: DatasetFormat): Promise<Dataset> {
  if (!existsSync(data)) throw new DatasetError('missing', `${data} does not exist`);
  const isDir = statSync(data).isDirectory();
  if (format === 'jsonl') {
    if (isDir) throw new DatasetError('not-a-file', `${data} is a folder: for --format jsonl, --data is the JSONL file`);
    return { format, root: path.dirname(path.resolve(data)), samples: await readPlainJsonl(data), categories: null };
  }
  // V* may also be given as its test_questions.jsonl.
  const dir = !isDir && format === 'vstar' && path.basename(data) === 'test_questions.jsonl' ? path.dirname(data) : data;
  if (!statSync(dir).isDirectory()) throw new DatasetError('not-a-folder', `${data} is a file: for --format ${format}, --data is the dataset's folder`);
  const read = { vstar: readVstar, hrbench: readHrbench, mmerwl: readMmerwl }[format];
  return { format, root: path.resolve(dir), samples: await read(dir), categories: OFFICIAL_CATEGORIES[format] };
}

const parquetBuffers = new Map<string, Promise<AsyncBuffer>>();

/** The encoded bytes of a sample's image (a file, or a base64 parquet cell). */
export async function readImageBytes(root: string, ref: ImageRef): Promise<Uint8Array> {
  if (ref.kind === 'file') {
    const file = path.resolve(root, ref.path);
    try {
      return new Uint8Array(await fs.readFile(file));
    } catch (e) {
      throw new DatasetError('image-missing', `cannot read image ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  const file = path.resolve(root, ref.file);
  let buffer = parquetBuffers.get(file);
  if (!buffer) parquetBuffers.set(file, (buffer = asyncBufferFromFile(file)));
  const [row] = await parquetReadObjects({ file: await buffer, columns: [ref.column], rowStart: ref.row, rowEnd: ref.row + 1, compressors });
  const cell = row?.[ref.column];
  if (typeof cell === 'string') return new Uint8Array(Buffer.from(cell, 'base64'));
  if (cell instanceof Uint8Array) return cell;
  throw new DatasetError('image-missing', `${ref.file} row ${ref.row} has no image in "${ref.column}"`);
}
