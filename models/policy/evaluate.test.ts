import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { baselineResult, ergoResult, type RunContext } from '../../app/eval/results';
import { jsonlSample, type EvalSample } from '../../app/eval/samples';
import { generateScene, sceneQuestions } from '../../app/scenes/scene';
import { mcnemarExact, pairWith, secondCharacter, summarizePolicy } from './evaluate';
import { POLICY_SCENE_SCALE } from './spec';
import { teacherBox } from './teacher';

const dir = mkdtempSync(join(tmpdir(), 'policy-eval-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function item(line: object): EvalSample {
  const parsed = jsonlSample({ image: 'images/s.png', bbox: [1000, 1000, 1096, 1162], ...line }, 1);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.sample;
}

// 2688x2688 at 64 tokens: a 224x224 coarse image, 12 original pixels per coarse pixel.
const ctx: RunContext = { original: { width: 2688, height: 2688 }, budget: 64, convention: 'pixels-coarse', model: 'ergo-tiny', engine: 'node cpu' };
const usage = { vision_tokens: 64, text_tokens: 10, prompt_tokens: 74, completion_tokens: 5, cached_tokens: 0, ms: 100 };

describe('the policy summary of an npm run eval results file', () => {
  it('splits multiple-choice and open accuracy, gives chance, and counts a crop holding the whole target as contained', () => {
    const open = item({ question_id: 1, question: 'What is written on the tag of the red circle?', options: [], answer: '7K' });
    const choice = item({ question_id: 2, question: 'What is written on the tag of the blue square?', options: ['(A) 7K', '(B) 3P', '(C) M', '(D) 22'], answer: 'B' });
    const inside = '<zoom>[70, 70, 112, 112]</zoom>'; // original 840..1344: holds the target 1000..1096 x 1000..1162
    const partly = '<zoom>[70, 70, 91, 91]</zoom>'; // original 840..1092: half of it
    const lines = [
      ergoResult(open, { coarse_output: inside, fine_output: '<answer>7K</answer>', usage: null, total_ms: 300 }, ctx),
      ergoResult(choice, { coarse_output: partly, fine_output: '<answer>A</answer>', usage: null, total_ms: 500 }, ctx),
      baselineResult(open, 'coarse-only', '<answer>7</answer>', usage, { width: 224, height: 224 }, ctx),
      baselineResult(choice, 'coarse-only', '<answer>B</answer>', usage, { width: 224, height: 224 }, ctx),
    ];
    const file = join(dir, 'results.jsonl');
    writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const s = summarizePolicy(file);
    expect(s).toMatchObject({ model: 'ergo-tiny', budget: 64, box_parsed_pct: 100, containment_pct: 50 });
    expect(s.modes.ergo).toMatchObject({ samples: 2, accuracy_pct: 50, open: { samples: 1, accuracy_pct: 100 }, multiple_choice: { samples: 1, accuracy_pct: 0 }, chance_pct: 12.5, vision_tokens: 128, ms_per_sample: 400 });
    expect(s.modes['coarse-only']).toMatchObject({ samples: 2, accuracy_pct: 50, open: { accuracy_pct: 0 }, multiple_choice: { accuracy_pct: 100 }, vision_tokens: 64 });
    expect(s.modes.direct).toBeUndefined();
  });

  it("tells why ERGO answers were wrong and which characters were misread as which", () => {
    const inside = '<zoom>[70, 70, 112, 112]</zoom>';
    const outside = '<zoom>[0, 0, 28, 28]</zoom>';
    const open = (id: number, answer: string) => item({ question_id: id, question: 'What is written on the tag of the red circle?', options: [], answer });
    const choice = item({ question_id: 9, question: 'What is written on the tag of the blue square?', options: ['(A) 7K', '(B) 3P', '(C) M', '(D) 22'], answer: 'B' });
    const run = (sample: EvalSample, coarse: string, fine: string) => ergoResult(sample, { coarse_output: coarse, fine_output: fine, usage: null, total_ms: null }, ctx);
    const lines = [
      run(open(1, 'VF'), outside, '<think> The tag reads VF. </think> <answer>VF</answer>'), // right answer: not an error
      run(open(2, 'VF'), outside, '<think> The tag reads UF. </think> <answer>UF</answer>'),
      run(open(3, 'VF'), inside, '<think> The tag reads VF. </think> <answer>VE</answer>'),
      run(open(4, 'VF'), inside, '<answer>UE</answer>'),
      run(open(5, 'VF'), inside, '<think> The tag reads V. </think> <answer>V</answer>'),
      run(open(6, 'VF'), inside, '<think> The tag reads UF. </think> <answer>UF</answer>'),
      run(open(7, 'VF'), inside, '<think> The tag reads VE. </think> <answer>VE</answer>'),
      run(open(8, 'VF'), inside, '<think> The tag reads UE. </think> <answer>UE</answer>'),
      run(choice, inside, '<think> The tag reads 3P, option A. </think> <answer>A</answer>'),
    ];
    const file = join(dir, 'errors.jsonl');
    writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const { errors } = summarizePolicy(file);
    expect(errors.open).toEqual({
      wrong: 7, box_off_target: 1, read_right_answered_otherwise: 1, no_reading: 1, wrong_length: 1,
      first_character: 1, second_character: 1, both_characters: 1,
      misread: { 'F as E': 2, 'V as U': 2 },
    });
    expect(errors.multiple_choice).toMatchObject({ wrong: 1, read_right_answered_otherwise: 1, misread: {} });
  });

  it("splits second characters by whether the crop put both glyph centres in one token", () => {
    // The teacher's box gives each glyph centre a token of its own; a box 7 coarse pixels (a quarter
    // cell) wider each side puts both of this tag's in one.
    const scene = generateScene(9, POLICY_SCENE_SCALE);
    const target = scene.objects[sceneQuestions(scene)[0]!.target]!;
    const [x1, y1, x2, y2] = teacherBox(target, { width: 224, height: 224 });
    const lines = [0, 7].map((widen, k) => {
      const { bbox } = target;
      const sample = item({ question_id: k, image: 'images/scene-9.png', bbox: [bbox.x1, bbox.y1, bbox.x2, bbox.y2], question: 'What is written on the tag?', options: [], answer: target.label });
      const read = k === 0 ? target.label : `${target.label[0]}?`;
      const coarse = `<think> The tag is here. </think> <zoom>[${x1 - widen}, ${y1 - widen}, ${x2 + widen}, ${y2 + widen}]</zoom>`;
      return ergoResult(sample, { coarse_output: coarse, fine_output: `<think> The tag reads ${read}. </think> <answer>${read}</answer>`, usage: null, total_ms: null }, ctx);
    });
    const file = join(dir, 'layout.jsonl');
    writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const scenes = join(dir, 'scenes.jsonl');
    writeFileSync(scenes, JSON.stringify({ image: 'images/scene-9.png', seed: 9 }) + '\n');
    expect(secondCharacter(file, scenes)).toEqual({ glyphs_in_two_tokens: { tags: 1, right_pct: 100 }, glyphs_in_one_token: { tags: 1, right_pct: 0 } });
    writeFileSync(scenes, JSON.stringify({ image: 'images/scene-8.png', seed: 8 }) + '\n');
    expect(() => secondCharacter(file, scenes)).toThrow(/no scene for images\/scene-9.png/);
  });

  it('pairs two runs on the same questions and tests their difference exactly', () => {
    expect(mcnemarExact(0, 5)).toBeCloseTo(0.0625, 10);
    expect(mcnemarExact(4, 4)).toBe(1);
    expect(mcnemarExact(35, 26)).toBeCloseTo(0.306, 3);
    expect(mcnemarExact(0, 0)).toBeNull();
    const q = (id: number) => item({ question_id: id, question: 'What is written on the tag of the red circle?', options: [], answer: '7K' });
    const said = (id: number, answer: string) => ergoResult(q(id), { coarse_output: '<zoom>[70, 70, 112, 112]</zoom>', fine_output: `<answer>${answer}</answer>`, usage: null, total_ms: null }, ctx);
    const a = join(dir, 'a.jsonl');
    const b = join(dir, 'b.jsonl');
    writeFileSync(a, [said(1, '7K'), said(2, '7K'), said(3, 'X'), said(4, 'X'), said(5, '7K')].map((l) => JSON.stringify(l)).join('\n') + '\n');
    writeFileSync(b, [said(1, '7K'), said(2, 'X'), said(3, '7K'), said(4, 'X')].map((l) => JSON.stringify(l)).join('\n') + '\n');
    expect(pairWith(a, b)).toEqual({ reference: b, pairs: 4, both_right: 1, only_this: 1, only_reference: 1, neither: 1, mcnemar_p: 1 });
  });
});
