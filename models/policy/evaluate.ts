/**
 * `npm run models:eval -- <results.jsonl>`: the built-in policy's measures from a results file of
 * `npm run eval` (JSONL format, on a scene set from `npm run scenes`), in Node or in the browser:
 *
 *   npm run scenes -- --seed 1 --count 500 --out .cache/eval-scenes
 *   npm run eval -- --data .cache/eval-scenes/scenes.jsonl --format jsonl --engine node --model ergo-tiny \
 *     --budget 64 --max-new-tokens 96 --baselines coarse-only --out .cache/eval-scenes/node.jsonl
 *   npm run models:eval -- .cache/eval-scenes/node.jsonl
 *
 * The runs themselves are ERGO's one pipeline; this only reads what they wrote. It prints, per mode
 * (ERGO, coarse-only, direct), accuracy split into multiple-choice and open (tag) questions, next
 * to chance; for ERGO, how often the box was parsed and how often the crop holds the whole target;
 * vision tokens and milliseconds per sample. Works on a file still being written.
 *
 * For ERGO's wrong answers it tells what went wrong (the box, the reading, or the answer after a
 * right reading) and which characters were misread as which. `--against <results.jsonl>` pairs each
 * file's ERGO answers with another run's on the same scenes: an exact McNemar test says whether
 * the two differ by more than chance. `--scenes <scenes.jsonl>` (the set the run was made on) adds
 * how often a two-character tag's second character was read right with its two glyph centres in one
 * token of the crop and in two.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ergoImageCost } from '../../app/core';
import { isFailed, type EvalMode, type EvalResultLine } from '../../app/eval/results';
import { generateScene } from '../../app/scenes/scene';
import { readExisting } from '../../cli/eval/resultsFile';
import { glyphsShareToken } from './samples';
import { POLICY_SCENE_SCALE } from './spec';
import { tagRead } from './teacher';

const pct = (part: number, whole: number): number | null => (whole ? Math.round((1000 * part) / whole) / 10 : null);
const mean = (xs: readonly number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
const round = (x: number | null): number | null => (x === null ? null : Math.round(x * 10) / 10);

export interface ModeSummary {
  readonly samples: number;
  readonly failed: number;
  readonly accuracy_pct: number | null;
  readonly multiple_choice: { readonly samples: number; readonly accuracy_pct: number | null };
  readonly open: { readonly samples: number; readonly accuracy_pct: number | null };
  /** A guess: a quarter on a four-option question; a tag (one or two of 32 characters) is about 0. */
  readonly chance_pct: number | null;
  readonly vision_tokens: number | null;
  readonly ms_per_sample: number | null;
}

export interface PolicySummary {
  readonly model: string | null;
  readonly engine: string | null;
  readonly budget: number | null;
  readonly modes: Partial<Record<EvalMode, ModeSummary>>;
  /** ERGO lines: a parsed box, and a crop that holds the whole target box. */
  readonly box_parsed_pct: number | null;
  readonly containment_pct: number | null;
  /** ERGO's wrong answers, open and multiple-choice questions apart. */
  readonly errors: { readonly open: WrongAnswers; readonly multiple_choice: WrongAnswers };
}

/**
 * Why ERGO answers were wrong, each counted once, in this order: the crop missed part of the target;
 * the think step read the tag right and the answer said otherwise; it read no tag; it read one of
 * another length; or which characters it misread, the first, the second or both.
 */
export interface WrongAnswers {
  readonly wrong: number;
  readonly box_off_target: number;
  readonly read_right_answered_otherwise: number;
  readonly no_reading: number;
  readonly wrong_length: number;
  readonly first_character: number;
  readonly second_character: number;
  readonly both_characters: number;
  /** "V as U": how often a character of the tag was read as another, most frequent first. */
  readonly misread: Readonly<Record<string, number>>;
}

/** The tag the question asks about: the label of an open question, the chosen option's text otherwise. */
function trueTag(line: EvalResultLine): string {
  if (!line.options.length) return line.label;
  const option = line.options.find((o) => o.startsWith(`(${line.label})`));
  return option ? option.slice(line.label.length + 2).trim() : line.label;
}

function wrongAnswers(lines: readonly EvalResultLine[]): WrongAnswers {
  const counts = { box_off_target: 0, read_right_answered_otherwise: 0, no_reading: 0, wrong_length: 0, first_character: 0, second_character: 0, both_characters: 0 };
  const misread = new Map<string, number>();
  const wrong = lines.filter((l) => !l.correct);
  for (const line of wrong) {
    const truth = trueTag(line);
    const read = tagRead(line.fine_output ?? '');
    if (line.containment !== 1) counts.box_off_target++;
    else if (read === truth) counts.read_right_answered_otherwise++;
    else if (read === null) counts.no_reading++;
    else if (read.length !== truth.length) counts.wrong_length++;
    else {
      const off = [...truth].flatMap((c, i) => (c === read[i] ? [] : [i]));
      for (const i of off) misread.set(`${truth[i]} as ${read[i]}`, (misread.get(`${truth[i]} as ${read[i]}`) ?? 0) + 1);
      if (off.length === 2) counts.both_characters++;
      else if (off[0] === 0) counts.first_character++;
      else counts.second_character++;
    }
  }
  const sorted = [...misread].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return { wrong: wrong.length, ...counts, misread: Object.fromEntries(sorted) };
}

/** Two runs' ERGO answers on the same questions: agreement, and the exact McNemar test's two-sided p. */
export interface Paired {
  readonly reference: string;
  readonly pairs: number;
  readonly both_right: number;
  readonly only_this: number;
  readonly only_reference: number;
  readonly neither: number;
  readonly mcnemar_p: number | null;
}

/** P(X <= k or X >= n - k) for X ~ Binomial(n, 1/2), k the smaller discordant count. */
export function mcnemarExact(onlyA: number, onlyB: number): number | null {
  const n = onlyA + onlyB;
  if (!n) return null;
  let term = 2 ** -n;
  let tail = 0;
  for (let k = 0; k <= Math.min(onlyA, onlyB); k++) {
    tail += term;
    term = (term * (n - k)) / (k + 1);
  }
  return Math.min(1, 2 * tail);
}

export function pairWith(file: string, reference: string): Paired {
  const ergo = (f: string) => new Map(readExisting(f).lines.flatMap((l) => (!isFailed(l) && l.mode === 'ergo' ? [[l.id, l.correct] as const] : [])));
  const mine = ergo(file);
  const theirs = ergo(reference);
  const tally = { both_right: 0, only_this: 0, only_reference: 0, neither: 0 };
  for (const [id, right] of mine) {
    const other = theirs.get(id);
    if (other === undefined) continue;
    tally[right ? (other ? 'both_right' : 'only_this') : other ? 'only_reference' : 'neither']++;
  }
  const pairs = tally.both_right + tally.only_this + tally.only_reference + tally.neither;
  const p = mcnemarExact(tally.only_this, tally.only_reference);
  return { reference, pairs, ...tally, mcnemar_p: p === null ? null : Math.round(p * 1000) / 1000 };
}

/** Two-character tags read with the crop on the target: how often the think step got the second character right. */
export interface SecondCharacter {
  readonly glyphs_in_two_tokens: { readonly tags: number; readonly right_pct: number | null };
  readonly glyphs_in_one_token: { readonly tags: number; readonly right_pct: number | null };
}

/** Splits the second characters by where the crop put the two glyph centres; the layout comes from each scene's seed. */
export function secondCharacter(file: string, scenesFile: string): SecondCharacter {
  const seeds = new Map<string, number>();
  for (const text of readFileSync(scenesFile, 'utf8').split('\n')) {
    if (!text.trim()) continue;
    const scene: unknown = JSON.parse(text);
    if (typeof scene === 'object' && scene && 'image' in scene && 'seed' in scene && typeof scene.image === 'string' && typeof scene.seed === 'number') seeds.set(scene.image, scene.seed);
  }
  const tally = { two: { tags: 0, right: 0 }, one: { tags: 0, right: 0 } };
  for (const line of readExisting(file).lines) {
    if (isFailed(line) || line.mode !== 'ergo' || line.containment !== 1 || !line.crop || line.image.kind !== 'file') continue;
    const truth = trueTag(line);
    const seed = seeds.get(line.image.path);
    if (truth.length !== 2) continue;
    if (seed === undefined) throw new Error(`${scenesFile} has no scene for ${line.image.path}: pass the scenes the run was made on`);
    const target = generateScene(seed, POLICY_SCENE_SCALE).objects.find((o) => o.label === truth);
    if (!target) throw new Error(`scene ${seed} has no tag ${truth}: pass the scenes the run was made on`);
    const crop = line.crop;
    const size = ergoImageCost({ width: crop.x2 - crop.x1, height: crop.y2 - crop.y1 }, line.budget);
    const t = tally[glyphsShareToken(target, crop, size) ? 'one' : 'two'];
    t.tags++;
    if (tagRead(line.fine_output ?? '')?.[1] === truth[1]) t.right++;
  }
  const summary = ({ tags, right }: { tags: number; right: number }) => ({ tags, right_pct: pct(right, tags) });
  return { glyphs_in_two_tokens: summary(tally.two), glyphs_in_one_token: summary(tally.one) };
}

function modeSummary(lines: readonly EvalResultLine[], failed: number): ModeSummary {
  const mc = lines.filter((l) => l.options.length);
  const open = lines.filter((l) => !l.options.length);
  const right = (ls: readonly EvalResultLine[]) => ls.filter((l) => l.correct).length;
  const timed = lines.flatMap((l) => (l.total_ms === null ? [] : [l.total_ms]));
  return {
    samples: lines.length,
    failed,
    accuracy_pct: pct(right(lines), lines.length),
    multiple_choice: { samples: mc.length, accuracy_pct: pct(right(mc), mc.length) },
    open: { samples: open.length, accuracy_pct: pct(right(open), open.length) },
    chance_pct: round(mean(lines.map((l) => (l.options.length ? 100 / l.options.length : 0)))),
    vision_tokens: round(mean(lines.map((l) => l.vision_tokens))),
    ms_per_sample: timed.length ? Math.round(mean(timed)!) : null,
  };
}

export function summarizePolicy(file: string): PolicySummary {
  const all = readExisting(file).lines;
  const ok = all.filter((l): l is EvalResultLine => !isFailed(l));
  const modes: Partial<Record<EvalMode, ModeSummary>> = {};
  for (const mode of ['ergo', 'coarse-only', 'direct'] as const) {
    const lines = ok.filter((l) => l.mode === mode);
    const failed = all.filter((l) => l.mode === mode && isFailed(l)).length;
    if (lines.length || failed) modes[mode] = modeSummary(lines, failed);
  }
  const ergo = ok.filter((l) => l.mode === 'ergo');
  return {
    model: ok[0]?.model ?? null,
    engine: ok[0]?.engine ?? null,
    budget: ok[0]?.budget ?? null,
    modes,
    box_parsed_pct: pct(ergo.filter((l) => l.box_status === 'parsed').length, ergo.length),
    containment_pct: pct(ergo.filter((l) => l.containment === 1).length, ergo.length),
    errors: { open: wrongAnswers(ergo.filter((l) => !l.options.length)), multiple_choice: wrongAnswers(ergo.filter((l) => l.options.length)) },
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const parsed = (() => {
    try {
      return parseArgs({ options: { against: { type: 'string' }, scenes: { type: 'string' } }, allowPositionals: true });
    } catch (e) {
      console.error(e instanceof Error ? e.message : String(e));
      return null;
    }
  })();
  if (!parsed?.positionals.length) {
    console.error('usage: npm run models:eval -- <results.jsonl> [...] [--against <results.jsonl>] [--scenes <scenes.jsonl>]   (results of npm run eval on npm run scenes output)');
    process.exit(2);
  }
  const { against, scenes } = parsed.values;
  for (const file of parsed.positionals) {
    const paired = against ? { paired: pairWith(file, against) } : {};
    const layout = scenes ? { second_character_by_layout: secondCharacter(file, scenes) } : {};
    console.log(JSON.stringify({ results: file, ...summarizePolicy(file), ...layout, ...paired }, null, 2));
  }
}
