// models:build --like, the parts that need no multi-GB fixture: argument parsing, external data
// chunks read back by onnxruntime-node, and the precisions agreeing with each other. The
// real-dimension fixtures themselves are checked by `npm run test:long` (realDims.long.ts).
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { halfToFloat } from '../../engines/transformers/embeddings';
import { toFloat16Bits } from '../onnx/half';
import { likeArgs } from '../build';
import { decoderGraph, type TextSpec } from '../tiny/decoder';
import type { Dtype } from '../tiny/layers';

const CONFIGS = join(dirname(new URL(import.meta.url).pathname), '../configs');
const dir = mkdtempSync(join(tmpdir(), 'like-small-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Small dimensions with the real decoder's structure (GQA, M-RoPE with Qwen's theta, trimmed logits). */
const SPEC: TextSpec = { vocabSize: 1000, hidden: 128, layers: 2, heads: 4, kvHeads: 2, headDim: 32, intermediate: 256, mropeSection: [4, 6, 6], suppressedTokens: [], ropeTheta: 1e6, trimLogits: true };

/** Runs the decoder file at `path` on 5 tokens of embeddings; returns float32 logits of every position. */
async function logits(path: string, dtype: Dtype): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(path);
  const seq = 5;
  const embeds = Float32Array.from({ length: seq * SPEC.hidden }, (_, i) => Math.sin(i * 0.37));
  const half = dtype === 'fp16' || dtype === 'q4f16';
  const io = (data: Float32Array, dims: number[]) => (half ? new ort.Tensor('float16', Uint16Array.from(data, toFloat16Bits), dims) : new ort.Tensor('float32', data, dims));
  const feeds: Record<string, ort.Tensor> = {
    inputs_embeds: io(embeds, [1, seq, SPEC.hidden]),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(seq).fill(1n), [1, seq]),
    position_ids: new ort.Tensor('int64', BigInt64Array.from({ length: 3 * seq }, (_, i) => BigInt(i % seq)), [3, 1, seq]),
    num_logits_to_keep: new ort.Tensor('int64', BigInt64Array.of(0n), []),
  };
  for (let i = 0; i < SPEC.layers; i++) for (const kv of ['key', 'value']) feeds[`past_key_values.${i}.${kv}`] = io(new Float32Array(0), [1, SPEC.kvHeads, 0, SPEC.headDim]);
  const out = (await session.run(feeds)).logits!;
  await session.release();
  return out.type === 'float16' ? Float32Array.from(out.data as Uint16Array, halfToFloat) : (out.data as Float32Array);
}

function write(dtype: Dtype, chunkBytes: number | null): { path: string; chunks: string[] } {
  const name = `decoder_${dtype}${chunkBytes ? '_ext' : ''}.onnx`;
  const out = decoderGraph(SPEC, 7, dtype).serializeWith(chunkBytes ? { baseName: name, chunkBytes, threshold: 1024 } : null);
  writeFileSync(join(dir, name), out.model);
  for (const chunk of out.chunks) writeFileSync(join(dir, chunk.name), Buffer.concat(chunk.parts));
  return { path: join(dir, name), chunks: out.chunks.map((c) => c.name) };
}

const argmaxRows = (data: Float32Array): number[] => Array.from({ length: data.length / SPEC.vocabSize }, (_, r) => {
  const row = data.subarray(r * SPEC.vocabSize, (r + 1) * SPEC.vocabSize);
  return row.indexOf(Math.max(...row));
});

describe('generated ONNX files', () => {
  it('split into external data chunks (X.onnx_data, X.onnx_data_1, ...) give the same logits as inline weights', async () => {
    const inline = write('fp32', null);
    const external = write('fp32', 200 * 1024);
    expect(external.chunks.length).toBeGreaterThan(2);
    expect(external.chunks.slice(0, 3)).toEqual(['decoder_fp32_ext.onnx_data', 'decoder_fp32_ext.onnx_data_1', 'decoder_fp32_ext.onnx_data_2']);
    expect(readdirSync(dir)).toEqual(expect.arrayContaining(external.chunks));
    expect(await logits(external.path, 'fp32')).toEqual(await logits(inline.path, 'fp32'));
  });

  it('in fp16, q8, q4 and q4f16 stay close to fp32 and pick the same tokens', async () => {
    const reference = await logits(write('fp32', null).path, 'fp32');
    const range = Math.max(...reference) - Math.min(...reference);
    for (const dtype of ['fp16', 'q8', 'q4', 'q4f16'] as const) {
      const got = await logits(write(dtype, null).path, dtype);
      const maxDiff = got.reduce((m, v, i) => Math.max(m, Math.abs(v - reference[i]!)), 0);
      // fp16 rounds weights at 2^-11 relative; 8- and 4-bit quantization move logits further.
      expect(maxDiff / range, dtype).toBeLessThan(dtype === 'fp16' ? 0.01 : dtype === 'q8' ? 0.03 : 0.15);
      if (dtype === 'fp16' || dtype === 'q8') expect(argmaxRows(got), dtype).toEqual(argmaxRows(reference));
    }
  });
});

describe('models:build --like arguments', () => {
  const config = join(CONFIGS, 'qwen2-vl-2b-instruct.config.json');
  it('reads every option', () => {
    expect(likeArgs(['--like', config, '--out', '/tmp/x', '--layers', '2', '--vision-blocks', '3', '--dtypes', 'fp16,q4f16', '--external-data', '--chunk-mb', '64'])).toMatchObject({
      out: '/tmp/x',
      layers: 2,
      visionBlocks: 3,
      dtypes: ['fp16', 'q4f16'],
      externalData: true,
      chunkBytes: 64 * 1024 * 1024,
      like: { model_type: 'qwen2_vl' },
    });
  });
  it('rejects what it does not know, with the usage line', () => {
    expect(() => likeArgs(['--like', config])).toThrow(/usage: npm run models:build -- --like/);
    expect(() => likeArgs(['--like', config, '--out', 'x', '--dtypes', 'int3'])).toThrow(/unknown dtype int3/);
    expect(() => likeArgs(['--like', config, '--out', 'x', '--layers', '0'])).toThrow(/--layers must be a positive integer/);
    expect(() => likeArgs(['--like', config, '--out', 'x', '--bogus'])).toThrow(/unknown or incomplete argument "--bogus"/);
  });
});
