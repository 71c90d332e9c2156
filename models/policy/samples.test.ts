// The policy's training conversations: teacher geometry (the tag unreadable in the coarse image,
// glyphs 20x28 px in the crop), and token ids / positions identical to what the worker feeds the model.
import { describe, expect, it } from 'vitest';
import { coarseTurnMessages, ergoImageCost, ERGO_PROMPTS } from '../../app/core';
import { GLYPH_GAP, GLYPH_HEIGHT, GLYPH_WIDTH } from '../../app/scenes/font';
import { generateScene, LABEL_ALPHABET, sceneQuestions } from '../../app/scenes/scene';
import { expandImagePads, followUpIds, promptIds } from '../../engines/transformers/chat';
import { coarseImage, directConversation, ergoConversation, fullQuestion, END, glyphsShareToken, IGNORE, loadPolicyTokenizer, ROLE, sideLabels, teacherCrop } from './samples';
import { POLICY_BUDGET, POLICY_SCENE_SCALE } from './spec';
import { coarseOutput, teacherBox } from './teacher';

const pt = loadPolicyTokenizer();

describe('policy training samples', () => {
  it('zooms on a box that contains the target; the tag is under 4 px tall in the coarse image and 28 px in the crop, a token per glyph', () => {
    for (let seed = 100; seed < 112; seed++) {
      const scene = generateScene(seed, POLICY_SCENE_SCALE);
      const coarse = ergoImageCost(scene.image, POLICY_BUDGET);
      expect(coarse).toMatchObject({ width: 224, height: 224, tokens: 64 });
      const scale = scene.image.width / coarse.width;
      for (const q of sceneQuestions(scene)) {
        const t = scene.objects[q.target]!;
        const [x1, y1, x2, y2] = teacherBox(t, coarse);
        expect(x1 * scale).toBeLessThanOrEqual(t.bbox.x1);
        expect(y1 * scale).toBeLessThanOrEqual(t.bbox.y1);
        expect(x2 * scale).toBeGreaterThanOrEqual(t.bbox.x2);
        expect(y2 * scale).toBeGreaterThanOrEqual(t.bbox.y2);
        const tag = t.labelBox.y2 - t.labelBox.y1;
        expect(tag / scale).toBeLessThan(4);
        const crop = teacherCrop(scene, t, coarse);
        expect(crop.image.width).toBe(224);
        expect(tag * (crop.image.height / (crop.rect.y2 - crop.rect.y1))).toBe(28);
        // Glyph centres 28 px apart: each of a tag's characters has a token of its own to be read at.
        expect(glyphsShareToken(t, crop.rect, crop.image)).toBe(false);
      }
    }
  });

  it('builds the ERGO conversation from the worker\'s own token ids and positions', () => {
    const scene = generateScene(7, POLICY_SCENE_SCALE);
    const coarse = coarseImage(scene);
    for (const q of sceneQuestions(scene).slice(0, 4)) {
      const target = scene.objects[q.target]!;
      const crop = teacherCrop(scene, target, coarse);
      const conv = ergoConversation(pt, q, target, coarse, crop.image);
      const prompt = expandImagePads(promptIds(pt.tok, coarseTurnMessages(q.question, ERGO_PROMPTS)), pt.imageTokenId, [64]);
      const output = pt.tok.encode(coarseOutput(target, coarse), { add_special_tokens: false });
      const follow = expandImagePads(followUpIds(pt.tok, q.question, ERGO_PROMPTS, fullQuestion(q)), pt.imageTokenId, [64]);
      expect(conv.ids.slice(0, conv.coarseEnd)).toEqual([...prompt, ...output, pt.imEndId]);
      expect(conv.ids.slice(conv.coarseEnd, conv.coarseEnd + follow.length - 1)).toEqual(follow.slice(1));
      expect(conv.ids.at(-1)).toBe(pt.imEndId);
      expect(conv.ids.filter((id) => id === pt.imageTokenId)).toHaveLength(128);
      const text = (role: number) => pt.tok.decode(conv.ids.filter((_, i) => conv.roles[i] === role), { skip_special_tokens: false });
      expect(text(ROLE.coarse)).toMatch(/^<think> The \w+ \w+ is in row [A-H], column \d\. <\/think> <zoom>\[\d+, \d+, \d+, \d+\]<\/zoom><\|im_end\|>$/);
      expect(text(ROLE.fine)).toBe(`<think> The tag reads ${target.label}${q.options.length ? `, option ${q.answer}` : ''}. </think> <answer>${q.answer}</answer><|im_end|>`);
      if (q.options.length) expect(pt.tok.decode(follow, { skip_special_tokens: false })).toContain(q.options.join('\n'));
      // Text tokens step by one; the crop's 8x8 tokens span rows and columns from one offset.
      const n = conv.ids.length;
      const firstCrop = conv.ids.indexOf(pt.imageTokenId, conv.coarseEnd);
      const at = (row: number, i: number) => Number(conv.positions[row * n + i]);
      expect([at(0, firstCrop + 63), at(1, firstCrop + 63), at(2, firstCrop + 63)]).toEqual([at(0, firstCrop), at(0, firstCrop) + 7, at(0, firstCrop) + 7]);
      expect(at(0, firstCrop + 64)).toBe(at(0, firstCrop) + 8);
    }
  });

  it('builds the coarse-only conversation with the baseline\'s plain question and the options', () => {
    const scene = generateScene(8, POLICY_SCENE_SCALE);
    const q = sceneQuestions(scene).find((x) => x.options.length)!;
    const conv = directConversation(pt, q, coarseImage(scene));
    const text = pt.tok.decode(conv.ids, { skip_special_tokens: false });
    expect(text).toContain('<|im_start|>system\nYou are a helpful assistant.<|im_end|>');
    expect(text).toContain(`${q.question}\n${q.options.join('\n')}\nAnswer with the option's letter`);
    expect(text.endsWith(`<|im_start|>assistant\n<answer>${q.answer}</answer><|im_end|>`)).toBe(true);
  });

  // The teacher's crop gives each glyph centre a token of its own; a frame a quarter cell wider each
  // side, as a model zooming wider would cut, puts both centres of the same tag in one token.
  it.each([
    [9, 0, false],
    [9, 84, true],
  ])('labels each token with the colour, shape and tag characters of what it shows (seed %i, frame widened by %i px)', (seed, widen, shared) => {
    const scene = generateScene(seed, POLICY_SCENE_SCALE);
    const coarse = coarseImage(scene);
    const q = sceneQuestions(scene)[0]!;
    const t = scene.objects[q.target]!;
    const whole = sideLabels(scene.objects, { x1: 0, y1: 0, x2: scene.image.width, y2: scene.image.height }, coarse);
    expect(whole[t.row * 8 + t.col]).toBe(t.color + 1);
    expect(whole[64 + t.row * 8 + t.col]).toBe(t.shape + 1);
    expect([...whole.subarray(0, 64)].filter((v) => v > 0)).toHaveLength(scene.objects.length);
    const crop = teacherCrop(scene, t, coarse);
    const frame = { x1: crop.rect.x1 - widen, y1: crop.rect.y1 - widen, x2: crop.rect.x2 + widen, y2: crop.rect.y2 + widen };
    expect(t.label).toHaveLength(2);
    expect(glyphsShareToken(t, frame, crop.image)).toBe(shared);
    const side = sideLabels(scene.objects, frame, crop.image);
    // Each glyph is read at the token holding its centre (the second of two centres in one token, at
    // the token to its right), with the character after it; other tokens it overlaps are left out,
    // and no token away from the tag carries a character.
    const scale = crop.image.width / (frame.x2 - frame.x1);
    const tokenOf = (x: number, y: number) => Math.floor(((y - frame.y1) * scale) / 28) * 8 + Math.floor(((x - frame.x1) * scale) / 28);
    const fontPixel = (t.labelBox.y2 - t.labelBox.y1) / GLYPH_HEIGHT;
    const glyphW = GLYPH_WIDTH * fontPixel;
    const expected = new Map<number, [number, number]>();
    const covered = new Set<number>();
    [...t.label].forEach((c, k) => {
      const x1 = t.labelBox.x1 + k * (GLYPH_WIDTH + GLYPH_GAP) * fontPixel;
      for (let y = t.labelBox.y1; y < t.labelBox.y2; y++) for (let x = x1; x < x1 + glyphW; x++) covered.add(tokenOf(x, y));
      const centre = tokenOf(x1 + glyphW / 2, (t.labelBox.y1 + t.labelBox.y2) / 2);
      expected.set(expected.has(centre) ? centre + 1 : centre, [LABEL_ALPHABET.indexOf(c) + 1, k + 1 < t.label.length ? LABEL_ALPHABET.indexOf(t.label[k + 1]!) + 1 : END]);
    });
    expect(expected.size).toBe(t.label.length);
    for (let i = 0; i < 64; i++) {
      const want = expected.get(i) ?? (covered.has(i) ? [IGNORE, IGNORE] : [0, 0]);
      expect([side[128 + i], side[192 + i]]).toEqual(want);
    }
    // The object's colour: only at its centre token, IGNORE where it overlaps others.
    expect([...side.subarray(0, 64)].filter((v) => v > 0)).toEqual([t.color + 1]);
    expect([...side.subarray(0, 64)].every((v) => v === 0 || v === IGNORE || v === t.color + 1)).toBe(true);
  });
});
