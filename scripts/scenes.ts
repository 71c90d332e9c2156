/**
 * `npm run scenes -- --seed <n> --count <n> --out <dir> [--scale 2]`: writes held-out scenes of the
 * ERGO scene family (app/scenes) as an evaluation set:
 *
 *   <dir>/scenes.jsonl        one line per scene: image, question, options, answer, bbox, ...
 *   <dir>/images/<id>.png     the scene, 2688x2688 at the default scale
 *
 * Scene k has seed `seed + k` and asks its first question. `bbox` is the target object (shape and
 * tag) in pixels of the image, `[x1, y1, x2, y2]` with x2/y2 exclusive. The built-in policy is
 * trained on seeds from 1,000,000 up and follows its curves on 900,000 up: keep held-out seeds below.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateScene, sceneQuestions } from '../app/scenes/scene';
import { encodePng } from './png';

const USAGE = 'usage: npm run scenes -- --seed <n> --count <n> --out <dir> [--scale 1|2|3|4]';

function intArg(value: string | undefined, name: string, min: number): number {
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n) || n < min) {
    console.error(`--${name} must be an integer of at least ${min}${value === undefined ? '' : `, got ${JSON.stringify(value)}`}\n${USAGE}`);
    process.exit(2);
  }
  return n;
}

const { values } = parseArgs({ options: { seed: { type: 'string' }, count: { type: 'string' }, out: { type: 'string' }, scale: { type: 'string', default: '2' } } });
const seed = intArg(values.seed, 'seed', 0);
const count = intArg(values.count, 'count', 1);
const scale = intArg(values.scale, 'scale', 1);
if (scale > 4) {
  console.error(`--scale must be 1 to 4, got ${scale}\n${USAGE}`);
  process.exit(2);
}
if (!values.out) {
  console.error(`--out is required\n${USAGE}`);
  process.exit(2);
}
mkdirSync(join(values.out, 'images'), { recursive: true });
const lines: string[] = [];
for (let k = 0; k < count; k++) {
  const scene = generateScene(seed + k, scale);
  const q = sceneQuestions(scene)[0];
  if (!q) throw new Error(`scene ${seed + k} has no question (no object away from the border)`);
  const target = scene.objects[q.target]!;
  const id = `scene-${seed + k}`;
  const image = `images/${id}.png`;
  writeFileSync(join(values.out, image), encodePng(scene.image));
  const { x1, y1, x2, y2 } = target.bbox;
  lines.push(
    JSON.stringify({ id, image, question: q.question, options: q.options, answer: q.answer, bbox: [x1, y1, x2, y2], width: scene.image.width, height: scene.image.height, seed: seed + k, label: target.label }),
  );
  if ((k + 1) % 50 === 0 || k + 1 === count) process.stderr.write(`${k + 1}/${count} scenes\r`);
}
writeFileSync(join(values.out, 'scenes.jsonl'), lines.join('\n') + '\n');
process.stderr.write(`\nwrote ${count} scenes to ${join(values.out, 'scenes.jsonl')}\n`);
