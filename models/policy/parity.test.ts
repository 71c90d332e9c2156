// The exported ergo-tiny (ONNX, built from the committed checkpoint by models/policy/files.ts) decodes
// the same greedy tokens as the torch model it came from, on held-out scenes: coarse turn from the
// coarse prompt, fine turn from the teacher's conversation with its crop. The ONNX side runs on
// onnxruntime-node through transformers.js and the engine's own prefill and decode (`Turns`).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoProcessor, env, Qwen2_5_VLForConditionalGeneration } from '@huggingface/transformers';
import { CancelFlag } from '../../pipeline/cancelFlag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateScene, sceneQuestions } from '../../app/scenes/scene';
import type { ChatTokenizer } from '../../engines/transformers/load';
import { buildPixelValues, visionPreprocessFromConfig, type VisionPreprocess } from '../../engines/transformers/pixels';
import { Turns, type QwenVlModel } from '../../engines/transformers/turns';
import { writePolicyModel } from '../build';
import { exportShard } from './exportData';
import { coarseImage, ergoConversation, loadPolicyTokenizer, ROLE, teacherCrop } from './samples';
import { POLICY_ID, POLICY_SCENE_SCALE } from './spec';

const dir = mkdtempSync(join(tmpdir(), 'policy-parity-'));
const FIRST = 41; // held-out seeds
const SCENES = 2;
const LIMIT = 4;
const MAX_NEW = 48;

env.allowRemoteModels = false;
env.localModelPath = dir + '/';

describe('ergo-tiny ONNX export', () => {
  let model: QwenVlModel & { dispose(): Promise<unknown> };
  let pre: VisionPreprocess;
  let turns: Turns;
  let eos: Set<number>;

  beforeAll(async () => {
    writePolicyModel(dir);
    const processor = (await AutoProcessor.from_pretrained(POLICY_ID)) as unknown as { tokenizer: ChatTokenizer; image_processor: { config: Record<string, unknown> } };
    model = (await Qwen2_5_VLForConditionalGeneration.from_pretrained(POLICY_ID, { dtype: 'fp32' })) as unknown as typeof model;
    pre = visionPreprocessFromConfig(processor.image_processor.config);
    const config = (model as unknown as { config: { image_token_id: number; text_config: { vocab_size: number } } }).config;
    turns = new Turns(model, config.image_token_id, config.text_config.vocab_size);
    eos = new Set((model as unknown as { generation_config: { eos_token_id: number[] } }).generation_config.eos_token_id);
  }, 120_000);
  afterAll(async () => {
    await model?.dispose();
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
    const never = () => false;
    const greedy = async (ids: readonly number[], images: { data: Uint8ClampedArray; width: number; height: number }[]) => {
      const encoded = await Promise.all(images.map((img) => turns.encodeImage(buildPixelValues(img.data, img, pre), 2)));
      const prefill = await turns.prefill(null, ids, encoded, 'last', never);
      // Plain greedy (the model's generation config has no repetition penalty).
      const first = turns.firstToken(prefill.logits, prefill.cache.ids, 1);
      const out = await turns.decode(prefill.cache, first, { maxNewTokens: MAX_NEW, eosIds: eos, repetitionPenalty: 1, stopper: new CancelFlag(null), onToken: () => {} });
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
