// The page's embedding lookup against onnxruntime-node running the same embed_tokens file: bit for
// bit, for every dtype `models:build` writes (fp32 and fp16 Gather, the 8-bit rows of q8/q4, q4f16's
// fp16 table), inline or in external data, plus onnxruntime's Gather-then-DequantizeLinear form.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../models/onnx/graph';
import { quantizeQ8 } from '../../models/onnx/quantize';
import { embedTokensGraph, type TextSpec } from '../../models/tiny/decoder';
import { ALL_DTYPES } from '../../models/like/build';
import { embeddingTable } from './embeddings';

/** Small, with the real table's shape: [vocab, hidden], hidden a multiple of 32. */
const SPEC: TextSpec = { vocabSize: 300, hidden: 64, layers: 1, heads: 2, kvHeads: 1, headDim: 32, intermediate: 128, mropeSection: [4, 6, 6], suppressedTokens: [], ropeTheta: 1e6, trimLogits: true };
/** First and last rows, and some between. */
const IDS = [0, 1, 299, 17, 17, 150, 42];

/** What onnxruntime-node computes for `ids`, as raw element bits (float16 stays bits). */
async function viaOrt(model: Uint8Array, ids: readonly number[], externalData: { path: string; data: Uint8Array }[] = []): Promise<{ type: string; bits: Uint8Array }> {
  const session = await ort.InferenceSession.create(model, { externalData });
  const out = (await session.run({ input_ids: new ort.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]) })).inputs_embeds!;
  await session.release();
  expect(out.dims).toEqual([1, ids.length, SPEC.hidden]);
  const data = out.data as Float32Array | Uint16Array;
  return { type: out.type, bits: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

function viaTable(model: Uint8Array, ids: readonly number[], externalData = new Map<string, Uint8Array>()): { type: string; bits: Uint8Array } {
  const table = embeddingTable(model, externalData);
  expect(table).not.toBeNull();
  expect(table!.hidden).toBe(SPEC.hidden);
  const data = table!.lookup(ids);
  return { type: table!.type, bits: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

describe('embeddingTable', () => {
  for (const dtype of ALL_DTYPES) {
    it(`gives onnxruntime's bits for the ${dtype} embed_tokens of models:build`, async () => {
      const model = embedTokensGraph(SPEC, 11, dtype).serialize();
      const page = viaTable(model, IDS);
      expect(page.type).toBe(dtype === 'fp16' || dtype === 'q4f16' ? 'float16' : 'float32');
      expect(page).toEqual(await viaOrt(model, IDS));
    });
  }

  it('reads a table from external data chunks (X.onnx_data, X.onnx_data_1)', async () => {
    const out = embedTokensGraph(SPEC, 11, 'q8').serializeWith({ baseName: 'embed_tokens_quantized.onnx', chunkBytes: 10_000, threshold: 1024 });
    expect(out.chunks.map((c) => c.name)).toEqual(['embed_tokens_quantized.onnx_data', 'embed_tokens_quantized.onnx_data_1']);
    const chunks = out.chunks.map((c) => ({ path: c.name, data: new Uint8Array(Buffer.concat(c.parts)) }));
    const page = viaTable(out.model, IDS, new Map(chunks.map((c) => [c.path, c.data])));
    expect(page).toEqual(await viaOrt(out.model, IDS, chunks));
    // Without its external data the graph is not evaluated here (the caller creates the session).
    expect(embeddingTable(out.model, new Map())).toBeNull();
  });

  it("evaluates onnxruntime's dynamic quantization form: Gather of uint8 rows, then DequantizeLinear per tensor", async () => {
    const g = new GraphBuilder('embed_tokens');
    const ids = g.input('input_ids', 'int64', ['batch_size', 'sequence_length']);
    const weights = Float32Array.from({ length: SPEC.vocabSize * SPEC.hidden }, (_, i) => Math.sin(i * 0.731) * 0.05);
    const q = quantizeQ8(weights, SPEC.vocabSize * SPEC.hidden, 1);
    const rows = g.op('Gather', [g.tensor('w_quantized', q.values, [SPEC.vocabSize, SPEC.hidden]), ids], { axis: 0 });
    const out = g.op('DequantizeLinear', [rows, g.floats([q.scales[0]!], []), g.tensor('zp', Uint8Array.of(131), [])]);
    g.output('inputs_embeds', 'float32', ['batch_size', 'sequence_length', SPEC.hidden], out);
    const model = g.serialize();
    expect(viaTable(model, IDS)).toEqual(await viaOrt(model, IDS));
  });

  it('returns null for a graph it does not evaluate, and throws RangeError for an id past the table', () => {
    const g = new GraphBuilder('embed_tokens');
    const ids = g.input('input_ids', 'int64', ['batch_size', 'sequence_length']);
    const rows = g.op('Gather', [g.floats(new Array(SPEC.vocabSize * SPEC.hidden).fill(0.5), [SPEC.vocabSize, SPEC.hidden]), ids], { axis: 0 });
    g.output('inputs_embeds', 'float32', ['batch_size', 'sequence_length', SPEC.hidden], g.op('Tanh', [rows]));
    expect(embeddingTable(g.serialize())).toBeNull();
    expect(embeddingTable(Uint8Array.of(1, 2, 3))).toBeNull();
    expect(() => embeddingTable(embedTokensGraph(SPEC, 11, 'fp32').serialize())!.lookup([300])).toThrow(RangeError);
  });
});
