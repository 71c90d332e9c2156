/**
 * Outputs recorded elsewhere (the official evaluation, another runtime) matched to a dataset's
 * samples, to be scored with the same parser and rules as a live run.
 */
import { COARSE_OUTPUT_KEYS, FINE_OUTPUT_KEYS, first } from '../trace/trace';
import type { EvalSample } from './samples';

export interface RecordedOutputs {
  /** Our `id` when the file has it; else the official `question_id`, with `category` to tell HR-Bench's 4K and 8K apart. */
  readonly id: string | null;
  readonly questionId: string | null;
  readonly category: string | null;
  readonly coarse_output: string;
  /** Null when the record has no fine turn (its answer is then the coarse output). */
  readonly fine_output: string | null;
}

export type RecordParse = { readonly ok: true; readonly record: RecordedOutputs } | { readonly ok: false; readonly message: string };

const keyText = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : null);

/** One line of a replay file: `question_id` (or `id`), `coarse_output` and `fine_output`, under any name trace import accepts. */
export function parseRecorded(value: unknown): RecordParse {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, message: 'not a JSON object' };
  const o = value as Record<string, unknown>;
  const id = typeof o.id === 'string' ? o.id : null;
  const questionId = keyText(o.question_id);
  if (id === null && questionId === null) return { ok: false, message: 'no "question_id" (or "id")' };
  const coarse = first(o, ...COARSE_OUTPUT_KEYS);
  if (typeof coarse !== 'string') return { ok: false, message: `no coarse-turn output (${COARSE_OUTPUT_KEYS.join(', ')})` };
  const fine = first(o, ...FINE_OUTPUT_KEYS);
  if (fine !== undefined && fine !== null && typeof fine !== 'string') return { ok: false, message: 'the fine-turn output must be a string or null' };
  return { ok: true, record: { id, questionId, category: keyText(o.category), coarse_output: coarse, fine_output: typeof fine === 'string' ? fine : null } };
}

export interface ReplayMatch {
  readonly pairs: readonly { readonly sample: EvalSample; readonly record: RecordedOutputs }[];
  /** Records that name no sample of the dataset, or more than one, with why. */
  readonly unmatched: readonly string[];
  /** Samples without a record: the ones the recording run dropped (counted as failures). */
  readonly missing: readonly EvalSample[];
}

/** Pairs records with samples. A sample recorded twice keeps the last record. */
export function matchRecorded(samples: readonly EvalSample[], records: readonly RecordedOutputs[]): ReplayMatch {
  const byId = new Map(samples.map((s) => [s.id, s]));
  const byQuestion = new Map<string, EvalSample[]>();
  for (const s of samples) byQuestion.set(String(s.questionId), [...(byQuestion.get(String(s.questionId)) ?? []), s]);
  const matched = new Map<string, { sample: EvalSample; record: RecordedOutputs }>();
  const unmatched: string[] = [];
  for (const record of records) {
    let sample: EvalSample | undefined;
    if (record.id !== null) {
      sample = byId.get(record.id);
      if (!sample) unmatched.push(`id "${record.id}" is not in the dataset`);
    } else {
      const candidates = (byQuestion.get(record.questionId!) ?? []).filter((s) => record.category === null || s.category === record.category);
      if (candidates.length === 1) sample = candidates[0];
      else if (!candidates.length) unmatched.push(`question_id ${record.questionId}${record.category ? ` (${record.category})` : ''} is not in the dataset`);
      else unmatched.push(`question_id ${record.questionId} is in ${candidates.map((c) => c.category).join(' and ')}: give "category" or "id"`);
    }
    if (sample) matched.set(sample.id, { sample, record });
  }
  return { pairs: [...matched.values()], unmatched, missing: samples.filter((s) => !matched.has(s.id)) };
}
