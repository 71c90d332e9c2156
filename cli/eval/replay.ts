/**
 * `--replay`: scores outputs recorded elsewhere against a dataset, with the same parser, crop and
 * scoring as a live run, and no model.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { imageSize } from 'image-size';
import type { Size } from '../../app/core/geometry';
import { matchRecorded, parseRecorded, type RecordedOutputs } from '../../app/eval/replay';
import { ergoResult, failedLine, type ResultFileLine } from '../../app/eval/results';
import { DatasetError, readImageBytes, type Dataset } from './datasets';

export interface ReplayReport {
  readonly lines: readonly ResultFileLine[];
  /** Records that matched no sample (or several), with why. */
  readonly unmatched: readonly string[];
}

/** Width and height from the file's header, as PIL reports them (EXIF orientation not applied). */
export function encodedSize(bytes: Uint8Array, name: string): Size {
  try {
    const { width, height } = imageSize(bytes);
    if (width && height) return { width, height };
  } catch {
    // Reported below.
  }
  throw new DatasetError('bad-image', `${name} is not an image this tool can read the size of`);
}

export function readRecords(file: string): RecordedOutputs[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new DatasetError('replay-missing', `cannot read the replay file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return text.split('\n').flatMap((raw, i) => {
    if (!raw.trim()) return [];
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw new DatasetError('replay-bad-line', `${file} line ${i + 1} is not JSON`);
    }
    const parsed = parseRecorded(json);
    if (!parsed.ok) throw new DatasetError('replay-bad-line', `${file} line ${i + 1}: ${parsed.message}`);
    return [parsed.record];
  });
}

/** Scores `records` over `dataset`; samples without a record are failed lines (the recording run dropped them). */
export async function replay(dataset: Dataset, records: readonly RecordedOutputs[], opts: { budget: number; model: string; out: string | null }): Promise<ReplayReport> {
  const match = matchRecorded(dataset.samples, records);
  const ctx = { model: opts.model, engine: 'replay' };
  const lines: ResultFileLine[] = [];
  for (const { sample, record } of match.pairs) {
    const name = sample.image.kind === 'file' ? sample.image.path : `${sample.image.file} row ${sample.image.row}`;
    const original = encodedSize(await readImageBytes(dataset.root, sample.image), name);
    lines.push(ergoResult(sample, { coarse_output: record.coarse_output, fine_output: record.fine_output, usage: null, total_ms: null }, { ...ctx, original, budget: opts.budget, convention: 'pixels-coarse' }));
  }
  for (const sample of match.missing) lines.push(failedLine(sample, 'ergo', { code: 'no-recorded-output', message: 'the replay file has no output for this sample' }, ctx));
  if (opts.out) writeFileSync(opts.out, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
  return { lines, unmatched: match.unmatched };
}
