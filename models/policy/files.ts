/**
 * The files of `ergo-tiny` from a training checkpoint (`models/policy/checkpoint/`): the same configs,
 * tokenizer and fp32 ONNX graphs as the other built-in models, with the trained weights.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildDecoder, buildEmbedTokens } from '../tiny/decoder';
import { configFiles, textSpecFor } from '../tiny/files';
import type { WeightSource } from '../tiny/layers';
import { buildVisionEncoder, PATCH_DIM } from '../tiny/vision';
import { POLICY_MODEL, policyTokenizer } from './spec';

export interface CheckpointIndex {
  readonly position: { readonly step: number; readonly shard: number; readonly pass: number; readonly offset: number };
  readonly tensors: Readonly<Record<string, { readonly offset: number; readonly shape: readonly number[] }>>;
}

/** Reads `weights.json` and `weights.bin`; the source hands out each tensor once its size is checked. */
export function readCheckpoint(dir: string): { index: CheckpointIndex; weights: WeightSource } {
  const index = JSON.parse(readFileSync(join(dir, 'weights.json'), 'utf8')) as CheckpointIndex;
  const bin = readFileSync(join(dir, 'weights.bin'));
  const tensor = (name: string): Float32Array => {
    const t = index.tensors[name];
    if (!t) throw new Error(`checkpoint ${dir} has no tensor ${name}`);
    const count = t.shape.reduce((a, b) => a * b, 1);
    const out = new Float32Array(count);
    new Uint8Array(out.buffer).set(bin.subarray(t.offset, t.offset + count * 4));
    return out;
  };
  const weights: WeightSource = (name, count) => {
    // Trained on one temporal frame (the processor repeats a still image): each frame gets half.
    const values = name === 'visual.patch_embed.proj.weight' ? bothFrames(tensor(name)) : tensor(name);
    if (values.length !== count) throw new Error(`checkpoint tensor ${name} has ${values.length} values, the graph needs ${count}`);
    return values;
  };
  return { index, weights };
}

/** [3*196, d] (channel, y, x) -> [3*2*196, d] (channel, frame, y, x), halved. */
function bothFrames(single: Float32Array): Float32Array {
  const pixels = PATCH_DIM / 6;
  const d = single.length / (3 * pixels);
  const out = new Float32Array(PATCH_DIM * d);
  for (let c = 0; c < 3; c++) {
    for (let t = 0; t < 2; t++) {
      for (let i = 0; i < pixels * d; i++) out[((c * 2 + t) * pixels) * d + i] = single[c * pixels * d + i]! / 2;
    }
  }
  return out;
}

export function policyModelFiles(checkpointDir: string): Map<string, Uint8Array> {
  const { index, weights } = readCheckpoint(checkpointDir);
  const tokenizer = policyTokenizer();
  const note = { ...POLICY_MODEL.note, training_step: index.position.step };
  const files = configFiles({ ...POLICY_MODEL, note }, tokenizer);
  const text = textSpecFor(POLICY_MODEL.text, tokenizer);
  files.set('onnx/embed_tokens.onnx', buildEmbedTokens(text, 0, weights));
  files.set('onnx/vision_encoder.onnx', buildVisionEncoder(POLICY_MODEL.vision, 0, false, weights));
  files.set('onnx/decoder_model_merged.onnx', buildDecoder(text, 0, false, weights));
  return files;
}
