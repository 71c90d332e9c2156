/**
 * Training conversations for the built-in policy, made by the app's own protocol code: ERGO's
 * resize at the policy's budget with the core's resampler (bicubic coarse, lanczos crop), ERGO's
 * crop rule, the worker's chat token ids (`promptIds`, `followUpIds`, `expandImagePads`) and its
 * M-RoPE positions. What the model learns from is byte for byte what the app gives it.
 */
import { Qwen2Tokenizer } from '@huggingface/transformers';
import { coarseTurnMessages, itemFineQuestion, cropRect, directTurnMessages, ergoImageCost, ERGO_PROMPTS, resizeRGBA, VSTAR_POSTFIX } from '../../app/core';
import type { OriginalRect, Size } from '../../app/core/geometry';
import { GLYPH_GAP, GLYPH_HEIGHT, GLYPH_WIDTH } from '../../app/scenes/font';
import type { Raster } from '../../app/scenes/raster';
import { LABEL_ALPHABET, type Scene, type SceneObject, type SceneQuestion } from '../../app/scenes/scene';
import { expandImagePads, followUpIds, promptIds } from '../../engines/transformers/chat';
import type { ChatTokenizer } from '../../engines/transformers/load';
import { ropePositions } from '../../engines/transformers/rope';
import { configFiles } from '../tiny/files';
import { POLICY_BUDGET, POLICY_MODEL, policyTokenizer } from './spec';
import { coarseOutput, directOutput, fineOutput, teacherBox } from './teacher';

/** Which tokens a position's loss applies to. */
export const ROLE = { none: 0, coarse: 1, fine: 2, direct: 3 } as const;
/** Side-label value for a token that partly shows the thing: left out of the loss. */
export const IGNORE = -1;
/** Next-character class of a tag's last character. */
export const END = LABEL_ALPHABET.length + 1;

const TOKEN = 28;

export interface PolicyTokenizer {
  readonly tok: ChatTokenizer;
  readonly imageTokenId: number;
  readonly imEndId: number;
}

/** The policy's tokenizer, as transformers.js builds it from the model's own tokenizer files. */
export function loadPolicyTokenizer(): PolicyTokenizer {
  const tokenizer = policyTokenizer();
  const files = configFiles(POLICY_MODEL, tokenizer);
  const read = (name: string) => JSON.parse(new TextDecoder().decode(files.get(name)!)) as Record<string, unknown>;
  const tok = new Qwen2Tokenizer(read('tokenizer.json'), read('tokenizer_config.json'));
  return { tok, imageTokenId: tokenizer.specialIds['<|image_pad|>'], imEndId: tokenizer.specialIds['<|im_end|>'] };
}

export interface Conversation {
  readonly ids: number[];
  readonly roles: Uint8Array;
  /** `[3, n]` M-RoPE positions. */
  readonly positions: BigInt64Array;
  /** Tokens up to and including the `<|im_end|>` closing the coarse turn's answer (the whole sequence for a direct one). */
  readonly coarseEnd: number;
}

function conversation(pt: PolicyTokenizer, parts: readonly { ids: readonly number[]; role: number }[], images: readonly Size[], coarseParts: number): Conversation {
  const ids = parts.flatMap((p) => p.ids);
  const roles = new Uint8Array(ids.length);
  let at = 0;
  let coarseEnd = 0;
  parts.forEach((p, k) => {
    roles.fill(p.role, at, at + p.ids.length);
    at += p.ids.length;
    if (k < coarseParts) coarseEnd = at;
  });
  const spans = images.map((s) => ({ rows: s.height / TOKEN, cols: s.width / TOKEN }));
  const pos = ropePositions(ids, spans, pt.imageTokenId, 0);
  if ('error' in pos) throw new Error(pos.error);
  return { ids, roles, positions: pos.data, coarseEnd };
}

const tokens = (s: Size): number => (s.width / TOKEN) * (s.height / TOKEN);

/** The fine-turn (and coarse-only) question of an item: with its options and V*'s postfix when it has options. */
export function fullQuestion(q: SceneQuestion): string {
  return itemFineQuestion({ question: q.question, options: q.options, postfix: VSTAR_POSTFIX });
}

/** ERGO's two turns, teacher-forced: coarse prompt, coarse output, its `<|im_end|>`, crop turn, fine output, `<|im_end|>`. */
export function ergoConversation(pt: PolicyTokenizer, q: SceneQuestion, target: SceneObject, coarse: Size, crop: Size): Conversation {
  const prompt = expandImagePads(promptIds(pt.tok, coarseTurnMessages(q.question, ERGO_PROMPTS)), pt.imageTokenId, [tokens(coarse)]);
  const follow = expandImagePads(followUpIds(pt.tok, q.question, ERGO_PROMPTS, fullQuestion(q)), pt.imageTokenId, [tokens(crop)]);
  const enc = (text: string) => pt.tok.encode(text, { add_special_tokens: false });
  return conversation(
    pt,
    [
      { ids: prompt, role: ROLE.none },
      { ids: enc(coarseOutput(target, coarse)), role: ROLE.coarse },
      // The follow-up opens with the <|im_end|> that ends the coarse answer: the model must write it.
      { ids: follow.slice(0, 1), role: ROLE.coarse },
      { ids: follow.slice(1), role: ROLE.none },
      { ids: [...enc(fineOutput(q, target)), pt.imEndId], role: ROLE.fine },
    ],
    [coarse, crop],
    3,
  );
}

/** The coarse-only baseline's one turn (the app's `directTurnMessages`), answered directly. */
export function directConversation(pt: PolicyTokenizer, q: SceneQuestion, coarse: Size): Conversation {
  const prompt = expandImagePads(promptIds(pt.tok, directTurnMessages(fullQuestion(q))), pt.imageTokenId, [tokens(coarse)]);
  const answer = [...pt.tok.encode(directOutput(q), { add_special_tokens: false }), pt.imEndId];
  return conversation(pt, [{ ids: prompt, role: ROLE.none }, { ids: answer, role: ROLE.direct }], [coarse], 2);
}

/** The coarse image of a scene at the policy's budget. */
export function coarseImage(scene: Scene): Raster {
  const size = ergoImageCost(scene.image, POLICY_BUDGET);
  return resizeRGBA(scene.image, size.width, size.height, 'bicubic');
}

/** The teacher's crop for `target`: its rectangle in the scene and the crop resized at the budget. */
export function teacherCrop(scene: Scene, target: SceneObject, coarse: Size): { rect: OriginalRect; image: Raster } {
  const rect = cropRect(teacherBox(target, coarse), scene.image, coarse);
  if (!rect) throw new Error('the teacher box is degenerate');
  const width = rect.x2 - rect.x1;
  const height = rect.y2 - rect.y1;
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) data.set(scene.image.data.subarray(((rect.y1 + y) * scene.image.width + rect.x1) * 4, ((rect.y1 + y) * scene.image.width + rect.x2) * 4), y * width * 4);
  const size = ergoImageCost({ width, height }, POLICY_BUDGET);
  return { rect, image: resizeRGBA({ width, height, data }, size.width, size.height, 'lanczos') };
}

/** Each character's box in the scene: the pixel font's glyphs, GLYPH_GAP font pixels apart. */
export function glyphBoxes(o: SceneObject): OriginalRect[] {
  const fontPixel = (o.labelBox.y2 - o.labelBox.y1) / GLYPH_HEIGHT;
  return [...o.label].map((_, k) => {
    const x1 = o.labelBox.x1 + k * (GLYPH_WIDTH + GLYPH_GAP) * fontPixel;
    return { x1, y1: o.labelBox.y1, x2: x1 + GLYPH_WIDTH * fontPixel, y2: o.labelBox.y2 };
  });
}

/** [column, row] of the token that holds a box's centre, in an image of `frame` resized to `size`. */
export function centreToken(box: OriginalRect, frame: OriginalRect, size: Size): [column: number, row: number] {
  const sx = (frame.x2 - frame.x1) / (size.width / TOKEN);
  const sy = (frame.y2 - frame.y1) / (size.height / TOKEN);
  return [Math.floor(((box.x1 + box.x2) / 2 - frame.x1) / sx), Math.floor(((box.y1 + box.y2) / 2 - frame.y1) / sy)];
}

/** Whether a two-character tag has both glyph centres in one token (see `sideLabels`). */
export function glyphsShareToken(o: SceneObject, frame: OriginalRect, size: Size): boolean {
  const [a, b] = glyphBoxes(o).map((g) => centreToken(g, frame, size));
  return !!a && !!b && a[0] === b[0] && a[1] === b[1];
}

/**
 * Per-token side labels of an image that shows `frame` (a rectangle of the scene) resized to
 * `size`: rows colour, shape, glyph and next character (0 = nothing there). Each thing counts for
 * the token holding its centre; other tokens it overlaps are IGNORE, so a token that shows a sliver
 * of a glyph is never asked to read it. The glyph row names the character centred in the token, the
 * next row the character after it (END after the last), which teaches a token to look at its
 * right-hand neighbour, as reading a tag in order needs.
 *
 * In the teacher's crop each glyph centre has a token of its own (glyphs 28 px apart, see
 * GLYPH_GAP). In a frame cut wider, two centres can fall in one token; the second glyph is then read
 * at the token to the right, which shows the rest of it, so that it still has a token of its own.
 */
export function sideLabels(objects: readonly SceneObject[], frame: OriginalRect, size: Size): Int8Array {
  const cols = size.width / TOKEN;
  const rows = size.height / TOKEN;
  const n = cols * rows;
  const out = new Int8Array(4 * n);
  const sx = (frame.x2 - frame.x1) / cols;
  const sy = (frame.y2 - frame.y1) / rows;
  const mark = (box: OriginalRect, values: readonly [row: number, value: number][], [cx, cy] = centreToken(box, frame, size)) => {
    const tx1 = Math.max(0, Math.floor((box.x1 - frame.x1) / sx));
    const tx2 = Math.min(cols - 1, Math.floor((box.x2 - 1 - frame.x1) / sx));
    const ty1 = Math.max(0, Math.floor((box.y1 - frame.y1) / sy));
    const ty2 = Math.min(rows - 1, Math.floor((box.y2 - 1 - frame.y1) / sy));
    for (let ty = ty1; ty <= ty2; ty++) {
      for (let tx = tx1; tx <= tx2; tx++) {
        for (const [row, value] of values) {
          const i = row * n + ty * cols + tx;
          if (tx === cx && ty === cy && out[i]! <= 0) out[i] = value;
          else if (out[i] === 0) out[i] = IGNORE;
        }
      }
    }
  };
  for (const o of objects) {
    if (o.bbox.x2 <= frame.x1 || o.bbox.x1 >= frame.x2 || o.bbox.y2 <= frame.y1 || o.bbox.y1 >= frame.y2) continue;
    mark(o.bbox, [[0, o.color + 1], [1, o.shape + 1]]);
    const chars = [...o.label].map((c) => LABEL_ALPHABET.indexOf(c) + 1);
    let previous: [number, number] | null = null;
    glyphBoxes(o).forEach((glyph, k) => {
      let [cx, cy] = centreToken(glyph, frame, size);
      if (previous && previous[0] === cx && previous[1] === cy && cx + 1 < cols) cx += 1;
      previous = [cx, cy];
      mark(glyph, [[2, chars[k]!], [3, chars[k + 1] ?? END]], [cx, cy]);
    });
  }
  return out;
}
