/**
 * Benchmark items as ERGO's official evaluation reads them (`src/ergo/eval.py` and
 * `preprocess_data` in nota-github/ERGO), turned into one sample shape. Pure: the caller reads the
 * files (JSONL lines, parquet rows, V* annotation JSON) and passes plain values in.
 */
import { boxIn, type OriginalBox } from '../core/geometry';
import { HRBENCH_POSTFIX, VSTAR_POSTFIX } from '../core/prompts';

export type DatasetFormat = 'vstar' | 'hrbench' | 'mmerwl' | 'jsonl';
export const DATASET_FORMATS: readonly DatasetFormat[] = ['vstar', 'hrbench', 'mmerwl', 'jsonl'];

/**
 * Categories the official evaluation reports, in its order. Its total counts only these; samples of
 * another category are left out of it, as there. Null: every category found (plain JSONL).
 */
export const OFFICIAL_CATEGORIES: Readonly<Record<DatasetFormat, readonly string[] | null>> = {
  vstar: ['direct_attributes', 'relative_position'],
  hrbench: ['4k', '8k'],
  mmerwl: ['Autonomous_Driving', 'Diagram and Table', 'Monitoring', 'OCR with Complex Context', 'Remote Sensing'].flatMap((domain) =>
    ['Perception', 'Reasoning'].map((task) => `${task}/${domain}`),
  ),
  jsonl: null,
};

/** Where a sample's image is: a file (path relative to the dataset folder, or to the JSONL file), or base64 in a parquet cell. */
export type ImageRef =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'parquet'; readonly file: string; readonly row: number; readonly column: string };

export interface EvalSample {
  /** Unique within the dataset (resume and replay key on it). */
  readonly id: string;
  /** The official evaluation's `question_id` (not unique across HR-Bench's 4K/8K or MME's shards). */
  readonly questionId: number | string;
  readonly category: string;
  /** Asked in the coarse turn, without options. */
  readonly question: string;
  readonly options: readonly string[];
  /** Appended after the options in the fine turn. */
  readonly postfix: string;
  /** The gold option letter; for an open item (no options, JSONL only), the answer text. */
  readonly label: string;
  readonly image: ImageRef;
  /** Target boxes in original pixels, where the dataset has them (V* annotations, JSONL `bbox`). */
  readonly targets: readonly OriginalBox[];
}

export type SampleParse = { readonly ok: true; readonly sample: EvalSample } | { readonly ok: false; readonly message: string };

type Row = Readonly<Record<string, unknown>>;

const isObject = (v: unknown): v is Row => typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === 'string';
const fail = (message: string): SampleParse => ({ ok: false, message });

/** Parquet INT64 cells arrive as bigint. */
function idValue(v: unknown): number | string | null {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v !== '') return v;
  return null;
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** V* annotation boxes are `[x, y, w, h]`; returned as `[x1, y1, x2, y2]`. Malformed entries are dropped. */
export function vstarTargets(annotation: unknown): OriginalBox[] {
  if (!isObject(annotation) || !Array.isArray(annotation.bbox)) return [];
  return annotation.bbox
    .filter((b): b is number[] => Array.isArray(b) && b.length === 4 && b.every(finite))
    .map(([x, y, w, h]) => boxIn('original', [x!, y!, x! + w!, y! + h!]));
}

/**
 * One line of V*'s `test_questions.jsonl`: `text` is the question, the options and the postfix, one
 * per line (first line, middle lines, last line, as `preprocess_data` splits it); `image` is a path
 * relative to the benchmark folder. `annotation` is the JSON beside the image, if any.
 */
export function vstarSample(line: unknown, annotation: unknown = null): SampleParse {
  if (!isObject(line)) return fail('a V* line must be a JSON object');
  const { text, image, category, label } = line;
  const questionId = idValue(line.question_id);
  if (!isText(text)) return fail('no "text" string (question, options and postfix, one per line)');
  if (!isText(image) || !image) return fail('no "image" path');
  if (!isText(label)) return fail('no "label" letter');
  if (!isText(category)) return fail('no "category"');
  if (questionId === null) return fail('no "question_id"');
  const lines = text.split('\n');
  if (lines.length < 2) return fail(`"text" has ${lines.length} line: expected the question, its options and a postfix`);
  return {
    ok: true,
    sample: {
      id: String(questionId),
      questionId,
      category,
      question: lines[0]!,
      options: lines.slice(1, -1),
      postfix: lines.at(-1)!,
      label,
      image: { kind: 'file', path: image },
      targets: vstarTargets(annotation),
    },
  };
}

/**
 * One row of `hr_bench_4k.parquet` / `hr_bench_8k.parquet` (read without its base64 `image`
 * column, which stays in the file): options `A:{A}` .. `D:{D}` (no space, as `preprocess_data`
 * writes them), label `answer`, `question_id` the row's pandas index, category `4k` or `8k` after
 * the file. `position` is the row's place in the file.
 */
export function hrbenchSample(row: unknown, position: number, index: number, category: '4k' | '8k', file: string): SampleParse {
  if (!isObject(row)) return fail('a row must be an object');
  if (!isText(row.question)) return fail('no "question"');
  if (!isText(row.answer)) return fail('no "answer" letter');
  for (const letter of ['A', 'B', 'C', 'D']) if (row[letter] === undefined || row[letter] === null) return fail(`no option column "${letter}"`);
  return {
    ok: true,
    sample: {
      id: `${category}/${index}`,
      questionId: index,
      category,
      question: row.question,
      options: ['A', 'B', 'C', 'D'].map((letter) => `${letter}:${String(row[letter])}`),
      postfix: HRBENCH_POSTFIX,
      label: row.answer,
      image: { kind: 'parquet', file, row: position, column: 'image' },
      targets: [],
    },
  };
}

/**
 * One row of an MME-RealWorld-lite shard (read without its base64 `bytes` image): options as given
 * in `multi-choice options`, `category` such as `Perception/Monitoring`, `question_id` the row's
 * index in its shard (so not unique across shards; `id` adds the shard).
 */
export function mmerwlSample(row: unknown, position: number, index: number, shard: string, file: string): SampleParse {
  if (!isObject(row)) return fail('a row must be an object');
  const options = row['multi-choice options'];
  if (!isText(row.question)) return fail('no "question"');
  if (!isText(row.answer)) return fail('no "answer" letter');
  if (!isText(row.category)) return fail('no "category"');
  if (!Array.isArray(options) || !options.every(isText)) return fail('no "multi-choice options" list of strings');
  return {
    ok: true,
    sample: {
      id: `${shard}/${index}`,
      questionId: index,
      category: row.category,
      question: row.question,
      options,
      postfix: HRBENCH_POSTFIX,
      label: row.answer,
      image: { kind: 'parquet', file, row: position, column: 'bytes' },
      targets: [],
    },
  };
}

function jsonlTargets(bbox: unknown): OriginalBox[] | null {
  if (bbox === undefined || bbox === null) return [];
  const one = (b: unknown): b is number[] => Array.isArray(b) && b.length === 4 && b.every(finite) && b[2]! > b[0]! && b[3]! > b[1]!;
  if (one(bbox)) return [boxIn('original', bbox)];
  if (Array.isArray(bbox) && bbox.length > 0 && bbox.every(one)) return bbox.map((b) => boxIn('original', b));
  return null;
}

/**
 * One line of a plain JSONL dataset: `{image, question, options, answer, bbox?, category?,
 * question_id?}`. `image` is relative to the JSONL file; `bbox` is `[x1, y1, x2, y2]` in original
 * pixels, or a list of them. The fine turn gets V*'s postfix unless the line gives `postfix`. With
 * no options the item is open: the fine turn asks the question alone and `answer` is the text to match.
 */
export function jsonlSample(line: unknown, lineNumber: number): SampleParse {
  if (!isObject(line)) return fail('each line must be a JSON object');
  const { image, question, options, answer } = line;
  if (!isText(image) || !image) return fail('no "image" path');
  if (!isText(question)) return fail('no "question"');
  if (!Array.isArray(options) || !options.every(isText)) return fail('"options" must be a list of strings, e.g. ["(A) red", "(B) blue"]');
  if (!isText(answer) || !answer) return fail('no "answer" (the gold option letter, or the answer text when there are no options)');
  const targets = jsonlTargets(line.bbox);
  if (!targets) return fail('"bbox" must be [x1, y1, x2, y2] with x2 > x1 and y2 > y1 (original pixels), or a list of them');
  const questionId = idValue(line.question_id) ?? lineNumber;
  return {
    ok: true,
    sample: {
      id: String(questionId),
      questionId,
      category: isText(line.category) && line.category ? line.category : 'all',
      question,
      options,
      postfix: isText(line.postfix) ? line.postfix : options.length ? VSTAR_POSTFIX : '',
      label: answer,
      image: { kind: 'file', path: image },
      targets,
    },
  };
}
