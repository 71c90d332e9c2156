/**
 * Writes a shard of training conversations for `models/policy/train.py`:
 *
 *   tsx models/policy/exportData.ts --first <seed> --scenes <n> --out <prefix>
 *   tsx models/policy/exportData.ts --model-dir <dir>     (the model's config and tokenizer files)
 *
 * Scenes `first .. first+n-1` (seeds) at the policy's scale; every question of each scene as an
 * ERGO conversation, plus one coarse-only conversation per scene. `<prefix>.bin` holds the arrays
 * back to back (little-endian); `<prefix>.json` indexes them: for each sample and field, byte
 * offset, dtype and shape, and the sample's metadata. Deterministic: a shard depends only on its seeds.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Size } from '../../app/core/geometry';
import type { Raster } from '../../app/scenes/raster';
import { COLORS, generateScene, QUADRANTS, sceneQuestions, sceneSide, SHAPES } from '../../app/scenes/scene';
import { coarseImage, directConversation, ergoConversation, loadPolicyTokenizer, sideLabels, teacherCrop, type Conversation } from './samples';
import { configFiles } from '../tiny/files';
import { POLICY_MODEL, POLICY_SCENE_SCALE, policyTokenizer } from './spec';
import { teacherBox } from './teacher';

type Field = { offset: number; dtype: 'uint8' | 'int8' | 'int32'; shape: number[] };

class Blob {
  readonly parts: Uint8Array[] = [];
  length = 0;
  add(data: Uint8Array | Int8Array | Int32Array, dtype: Field['dtype'], shape: number[]): Field {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const field = { offset: this.length, dtype, shape };
    this.parts.push(bytes.slice());
    this.length += bytes.length;
    return field;
  }
}

function rgb(img: Raster): Uint8Array {
  const out = new Uint8Array(img.width * img.height * 3);
  for (let i = 0, j = 0; i < img.data.length; i += 4, j += 3) {
    out[j] = img.data[i]!;
    out[j + 1] = img.data[i + 1]!;
    out[j + 2] = img.data[i + 2]!;
  }
  return out;
}

function conversationFields(blob: Blob, c: Conversation): Record<string, Field> {
  const n = c.ids.length;
  return {
    ids: blob.add(Int32Array.from(c.ids), 'int32', [n]),
    roles: blob.add(c.roles, 'uint8', [n]),
    positions: blob.add(Int32Array.from(c.positions, Number), 'int32', [3, n]),
  };
}

const sizeOf = (img: Raster): Size => ({ width: img.width, height: img.height });

export function exportShard(first: number, scenes: number): { index: object; bytes: Uint8Array } {
  const pt = loadPolicyTokenizer();
  const blob = new Blob();
  const samples: object[] = [];
  for (let seed = first; seed < first + scenes; seed++) {
    const scene = generateScene(seed, POLICY_SCENE_SCALE);
    const coarse = coarseImage(scene);
    const whole = { x1: 0, y1: 0, x2: scene.image.width, y2: scene.image.height };
    const coarseFields = {
      coarse: blob.add(rgb(coarse), 'uint8', [coarse.height, coarse.width, 3]),
      coarse_side: blob.add(sideLabels(scene.objects, whole, coarse), 'int8', [4, (coarse.width / 28) * (coarse.height / 28)]),
    };
    const questions = sceneQuestions(scene);
    questions.forEach((q, k) => {
      const target = scene.objects[q.target]!;
      const crop = teacherCrop(scene, target, coarse);
      const conv = ergoConversation(pt, q, target, coarse, crop.image);
      const meta = { kind: 'ergo', seed, question: q.question, options: q.options, answer: q.answer, label: target.label, box: teacherBox(target, coarse), bbox: target.bbox, coarseEnd: conv.coarseEnd };
      samples.push({
        meta,
        ...coarseFields,
        crop: blob.add(rgb(crop.image), 'uint8', [crop.image.height, crop.image.width, 3]),
        crop_side: blob.add(sideLabels(scene.objects, crop.rect, sizeOf(crop.image)), 'int8', [4, (crop.image.width / 28) * (crop.image.height / 28)]),
        ...conversationFields(blob, conv),
      });
      if (k === 0) {
        const direct = directConversation(pt, q, coarse);
        samples.push({ meta: { ...meta, kind: 'direct', coarseEnd: direct.coarseEnd }, ...coarseFields, ...conversationFields(blob, direct) });
      }
    });
  }
  const bytes = new Uint8Array(blob.length);
  let at = 0;
  for (const p of blob.parts) {
    bytes.set(p, at);
    at += p.length;
  }
  // The words a question can name its target by: the trainer points the coarse answer at them.
  const referentWords = [...new Set([...COLORS.map((c) => c.name), ...SHAPES, ...QUADRANTS.flatMap((q) => q.split(' '))])];
  return { index: { version: 1, first, scenes, sceneSide: sceneSide(POLICY_SCENE_SCALE), referentWords, samples }, bytes };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { first: { type: 'string' }, scenes: { type: 'string' }, out: { type: 'string' }, 'model-dir': { type: 'string' } } });
  if (values['model-dir'] !== undefined) {
    // The model's config and tokenizer files: the trainer reads its sizes and special tokens there.
    mkdirSync(join(values['model-dir']), { recursive: true });
    for (const [name, bytes] of configFiles(POLICY_MODEL, policyTokenizer())) writeFileSync(join(values['model-dir'], name), bytes);
  } else if (values.first === undefined || values.scenes === undefined || values.out === undefined) {
    console.error('usage: tsx models/policy/exportData.ts --first <seed> --scenes <n> --out <prefix>  |  --model-dir <dir>');
    process.exit(2);
  } else {
    const first = Number(values.first);
    const scenes = Number(values.scenes);
    if (!Number.isInteger(first) || !Number.isInteger(scenes) || scenes < 1) {
      console.error(`--first and --scenes must be integers (--scenes at least 1), got ${values.first} and ${values.scenes}`);
      process.exit(2);
    }
    const { index, bytes } = exportShard(first, scenes);
    writeFileSync(`${values.out}.bin`, bytes);
    // The index last: its presence means the shard is complete.
    writeFileSync(`${values.out}.json`, JSON.stringify(index));
  }
}
