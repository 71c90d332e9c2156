// The exported ergo-tiny (ONNX, built from the committed checkpoint by models/policy/files.ts) decodes
// the same greedy tokens as the torch model it came from, on held-out scenes: coarse turn from the
// coarse prompt, fine turn from the teacher's conversation with its crop. The ONNX side is loaded by
// the Node engine's own loader and runs on onnxruntime-node through its prefill and decode (`Turns`).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CancelFlag } from '../../pipeline/cancelFlag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateScene, sceneQuestions } from '../../app/scenes/scene';
import { loadNodeEngine } from '../../engines/node/load';
import type { TransformersEngine } from '../../engines/transformers/engine';
import { buildPixelValues } from '../../engines/transformers/pixels';
import { writePolicyModel } from '../build';
import { exportShard } from './exportData';
import { coarseImage, ergoConversation, loadPolicyTokenizer, ROLE, teacherCrop } from './samples';
import { POLICY_ID, POLICY_SCENE_SCALE } from './spec';

const dir = mkdtempSync(join(tmpdir(), 'policy-parity-'));
const FIRST = 41; // held-out seeds
const SCENES = 2;
const LIMIT = 4;
const MAX_NEW = 48;

describe('ergo-tiny ONNX export', () => {
  let engine: TransformersEngine | undefined;

  beforeAll(async () => {
    writePolicyModel(dir);
    engine = await loadNodeEngine({ model: join(dir, POLICY_ID) });
  }, 120_000);
  afterAll(async () => {
    await engine?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('decodes the same greedy tokens as torch on held-out scenes', async () => {
    const { index, bytes } = exportShard(FIRST, SCENES);
    writeFileSync(join(dir, 'shard.json'), JSON.stringify(index));
    writeFileSync(join(dir, 'shard.bin'), bytes);
    const torchOut = JSON.parse(
      execFileSync('/usr/bin/python3', ['models/policy/greedy.py', '--checkpoint', 'models/policy/checkpoint', '--shard', join(dir, 'shard'), '--limit', String(LIMIT), '--max-new', String(MAX_NEW)], {
        encoding: 'utf8',
        env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE', ONNXRUNTIME_NODE_INSTALL: 'skip' },
      }),
    ) as { coarse: number[]; fine: number[] }[];

    // The same conversations, rebuilt here as the exporter built them (same order: scene, then question).
    const pt = loadPolicyTokenizer();
    const { turns, pre, eosIds } = engine!.loaded;
    const never = () => false;
    const greedy = async (ids: readonly number[], images: { data: Uint8ClampedArray; width: number; height: number }[]) => {
      const encoded = await Promise.all(images.map((img) => turns.encodeImage(buildPixelValues(img.data, img, pre), 2)));
      const prefill = await turns.prefill(null, ids, encoded, 'last', never);
      // Plain greedy (the model's generation config has no repetition penalty).
      const first = turns.firstToken(prefill.logits, prefill.cache.ids, 1);
      const out = await turns.decode(prefill.cache, first, { maxNewTokens: MAX_NEW, eosIds, repetitionPenalty: 1, stopper: new CancelFlag(null), onToken: () => {} });
      for (const e of encoded) e.features.dispose();
      return out.ids;
    };
    const onnxOut: { coarse: number[]; fine: number[] }[] = [];
    for (let seed = FIRST; seed < FIRST + SCENES && onnxOut.length < LIMIT; seed++) {
      const scene = generateScene(seed, POLICY_SCENE_SCALE);
      const coarse = coarseImage(scene);
      for (const q of sceneQuestions(scene)) {
        if (onnxOut.length === LIMIT) break;
        const target = scene.objects[q.target]!;
        const crop = teacherCrop(scene, target, coarse).image;
        const conv = ergoConversation(pt, q, target, coarse, crop);
        const start = (role: number) => conv.roles.indexOf(role);
        onnxOut.push({ coarse: await greedy(conv.ids.slice(0, start(ROLE.coarse)), [coarse]), fine: await greedy(conv.ids.slice(0, start(ROLE.fine)), [coarse, crop]) });
      }
    }
    expect(onnxOut).toHaveLength(LIMIT);
    expect(onnxOut.flatMap((o) => [...o.coarse, ...o.fine]).length).toBeGreaterThan(8 * LIMIT);
    expect(onnxOut).toEqual(torchOut);
  }, 240_000);
});
