/**
 * The tiny text side: `embed_tokens` (token ids -> embeddings) and `decoder_model_merged`
 * (Qwen2-style layers over `inputs_embeds` with a KV cache), with the input/output names, dtypes
 * and symbolic dimensions transformers.js v4 feeds and reads.
 *
 * Each layer: RMSNorm, grouped-query attention with M-RoPE from `position_ids [3, B, S]` over past
 * + current keys under a causal mask that also honours `attention_mask`, residual, RMSNorm, SwiGLU
 * MLP, residual. Then a final RMSNorm and the LM head.
 */
import { GraphBuilder } from '../onnx/graph';
import { quantizeQ8 } from '../onnx/quantize';
import { draw, gatedMlp, halfIo, inverseFrequencies, linear, rmsNorm, type Dtype, type Net, type WeightSource } from './layers';
import { toFloat16Bytes } from '../onnx/half';
import type { DecoderShape } from '../../engines/transformers/modelConfig';

export interface TextSpec extends DecoderShape {
  readonly vocabSize: number;
  /** Rotary frequency pairs given to (temporal, height, width) positions; sums to headDim / 2. */
  readonly mropeSection: readonly [number, number, number];
  /** Token ids the model must never generate (special tokens other than the end markers). */
  readonly suppressedTokens: readonly number[];
  /** Rotary base of real models (Qwen: 1e6); without it, frequencies 2^-j (the committed tiny models). */
  readonly ropeTheta?: number;
  /**
   * Take `num_logits_to_keep` (int64 scalar; 0 = every position) and run the LM head only on the
   * last that many positions, as newer exports do: a long prefill then never computes
   * `tokens x vocab` logits it throws away.
   */
  readonly trimLogits?: boolean;
}

/** The graph of `embed_tokens`: a table lookup, the table stored in the file's precision. */
export function embedTokensGraph(spec: TextSpec, seed: number, dtype: Dtype, weights?: WeightSource): GraphBuilder {
  const g = new GraphBuilder('embed_tokens');
  const ids = g.input('input_ids', 'int64', ['batch_size', 'sequence_length']);
  const dims = [spec.vocabSize, spec.hidden];
  const table = draw({ seed, weights }, 'embed_tokens.weight', spec.vocabSize * spec.hidden, 1);
  const out = ['batch_size', 'sequence_length', spec.hidden];
  if (halfIo(dtype)) {
    const half = g.tensorBytes('embed_tokens.weight', 'float16', toFloat16Bytes(table), dims);
    g.output('inputs_embeds', 'float16', out, g.op('Gather', [half, ids], { axis: 0 }));
  } else if (dtype === 'q8' || dtype === 'q4') {
    // One scale per row, gathered with the row: the table is never dequantized whole.
    const q = quantizeQ8Rows(table, spec.vocabSize, spec.hidden);
    const rows = g.op('Cast', [g.op('Gather', [g.tensor('embed_tokens.qweight', q.values, dims), ids], { axis: 0 })], { to: 1 });
    const scales = g.op('Unsqueeze', [g.op('Gather', [g.tensor('embed_tokens.scales', q.scales, [spec.vocabSize]), ids], { axis: 0 }), g.ints([-1])]);
    g.output('inputs_embeds', 'float32', out, g.op('Mul', [g.op('Sub', [rows, g.floats([128], [])]), scales]));
  } else {
    g.output('inputs_embeds', 'float32', out, g.op('Gather', [g.tensor('embed_tokens.weight', table, dims), ids], { axis: 0 }));
  }
  return g;
}

export function buildEmbedTokens(spec: TextSpec, seed: number, weights?: WeightSource): Uint8Array {
  return embedTokensGraph(spec, seed, 'fp32', weights).serialize();
}

/** 8-bit rows of a `[rows, cols]` table: the transpose of per-column quantization. */
function quantizeQ8Rows(table: Float32Array, rows: number, cols: number): { values: Uint8Array; scales: Float32Array } {
  const scales = new Float32Array(rows);
  const values = new Uint8Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const q = quantizeQ8(table.subarray(r * cols, (r + 1) * cols), cols, 1);
    scales[r] = q.scales[0]!;
    values.set(q.values, r * cols);
  }
  return { values, scales };
}

/** cos and sin `[B, 1, S, headDim]` of M-RoPE: each frequency reads the position row its section names. */
function mropeTables(g: GraphBuilder, spec: TextSpec, positionIds: string): { cos: string; sin: string } {
  const half = spec.headDim / 2;
  const sectionOf = spec.mropeSection.flatMap((n, axis) => Array<number>(n).fill(axis));
  const select = Array.from({ length: 3 * half }, (_, i) => (sectionOf[i % half] === Math.floor(i / half) ? 1 : 0));
  const pos = g.op('Unsqueeze', [g.op('Cast', [positionIds], { to: 1 }), g.ints([-1])]); // [3, B, S, 1]
  const angles = g.op('Mul', [pos, g.floats(inverseFrequencies(half, spec.ropeTheta))]); // [3, B, S, half]
  const picked = g.op('Mul', [angles, g.floats(select, [3, 1, 1, half])]);
  const freqs = g.op('ReduceSum', [picked, g.ints([0])], { keepdims: 0 }); // [B, S, half]
  const emb = g.op('Unsqueeze', [g.op('Concat', [freqs, freqs], { axis: -1 }), g.ints([1])]); // [B, 1, S, headDim]
  return { cos: g.op('Cos', [emb]), sin: g.op('Sin', [emb]) };
}

function applyRope(g: GraphBuilder, x: string, half: number, rope: { cos: string; sin: string }): string {
  const [x1, x2] = g.node('Split', [x, g.ints([half, half])], { axis: -1 }, { outputs: 2 });
  const rotated = g.op('Concat', [g.op('Neg', [x2!]), x1!], { axis: -1 });
  return g.op('Add', [g.op('Mul', [x, rope.cos]), g.op('Mul', [rotated, rope.sin])]);
}

/** Additive mask `[B, 1, 1, S, T]`: 0 where query i may see key j (j <= past + i and attended), else -1e9. */
function attentionMask(g: GraphBuilder, inputsEmbeds: string, mask: string, pastKey: string): string {
  const scalar = (t: string) => g.op('Squeeze', [t, g.ints([0])]);
  const past = scalar(g.op('Shape', [pastKey], { start: 2, end: 3 }));
  const seq = scalar(g.op('Shape', [inputsEmbeds], { start: 1, end: 2 }));
  const total = scalar(g.op('Shape', [mask], { start: 1, end: 2 }));
  const zero = g.ints([0], []);
  const one = g.ints([1], []);
  const queryPos = g.op('Unsqueeze', [g.op('Add', [g.op('Range', [zero, seq, one]), past]), g.ints([1])]); // [S, 1]
  const keyPos = g.op('Unsqueeze', [g.op('Range', [zero, total, one]), g.ints([0])]); // [1, T]
  const causal = g.op('LessOrEqual', [keyPos, queryPos]); // [S, T]
  const attended = g.op('Cast', [g.op('Unsqueeze', [mask, g.ints([1, 2])])], { to: 9 }); // [B, 1, 1, T]
  const allowed = g.op('And', [causal, attended]); // [B, 1, S, T]
  const additive = g.op('Where', [allowed, g.floats([0], []), g.floats([-1e9], [])]);
  return g.op('Unsqueeze', [additive, g.ints([1])]);
}

export function buildDecoder(spec: TextSpec, seed: number, q4: boolean, weights?: WeightSource): Uint8Array {
  return decoderGraph(spec, seed, q4 ? 'q4' : 'fp32', weights).serialize();
}

export function decoderGraph(spec: TextSpec, seed: number, dtype: Dtype, weights?: WeightSource): GraphBuilder {
  const g = new GraphBuilder('decoder_model_merged');
  const net: Net = { g, seed, dtype, weights };
  const { hidden, heads, kvHeads, headDim, layers } = spec;
  const groups = heads / kvHeads;
  // float16 at the edges of f16 files: cast in on the way in, out on the way out.
  const io = halfIo(dtype) ? 'float16' : 'float32';
  const inward = (name: string) => (halfIo(dtype) ? g.op('Cast', [name], { to: 1 }) : name);
  const outward = (name: string) => (halfIo(dtype) ? g.op('Cast', [name], { to: 10 }) : name);
  let x = inward(g.input('inputs_embeds', io, ['batch_size', 'sequence_length', hidden]));
  const mask = g.input('attention_mask', 'int64', ['batch_size', 'total_sequence_length']);
  const positionIds = g.input('position_ids', 'int64', [3, 'batch_size', 'sequence_length']);
  const pastDims = ['batch_size', kvHeads, 'past_sequence_length', headDim];
  const presentDims = ['batch_size', kvHeads, 'total_sequence_length', headDim];
  const past = Array.from({ length: layers }, (_, i) => ({
    key: inward(g.input(`past_key_values.${i}.key`, io, pastDims)),
    value: inward(g.input(`past_key_values.${i}.value`, io, pastDims)),
  }));

  const rope = mropeTables(g, spec, positionIds);
  const additiveMask = attentionMask(g, x, mask, past[0]!.key);
  const scale = g.floats([1 / Math.sqrt(headDim)], []);
  // [B, S, n*headDim] -> [B, n, S, headDim]
  const splitHeads = (t: string, n: number) => g.op('Transpose', [g.op('Reshape', [t, g.ints([0, 0, n, headDim])])], { perm: [0, 2, 1, 3] });

  for (let i = 0; i < layers; i++) {
    const name = `model.layers.${i}`;
    const normed = rmsNorm(net, x, `${name}.input_layernorm`, hidden);
    const q = applyRope(g, splitHeads(linear(net, normed, `${name}.self_attn.q_proj`, hidden, heads * headDim, true), heads), headDim / 2, rope);
    const k = applyRope(g, splitHeads(linear(net, normed, `${name}.self_attn.k_proj`, hidden, kvHeads * headDim, true), kvHeads), headDim / 2, rope);
    const v = splitHeads(linear(net, normed, `${name}.self_attn.v_proj`, hidden, kvHeads * headDim, true), kvHeads);
    const keys = g.op('Concat', [past[i]!.key, k], { axis: 2 });
    const values = g.op('Concat', [past[i]!.value, v], { axis: 2 });
    g.output(`present.${i}.key`, io, presentDims, outward(keys));
    g.output(`present.${i}.value`, io, presentDims, outward(values));
    // Grouped-query attention without copying K/V per query head: queries [B, kv, groups, S, d]
    // against keys [B, kv, 1, T, d] broadcast over the group axis.
    const q5 = g.op('Reshape', [q, g.ints([0, kvHeads, groups, -1, headDim])]);
    const k5 = g.op('Unsqueeze', [keys, g.ints([2])]);
    const v5 = g.op('Unsqueeze', [values, g.ints([2])]);
    const scores = g.op('Add', [g.op('Mul', [g.op('MatMul', [q5, g.op('Transpose', [k5], { perm: [0, 1, 2, 4, 3] })]), scale]), additiveMask]);
    const context = g.op('MatMul', [g.op('Softmax', [scores], { axis: -1 }), v5]); // [B, kv, groups, S, d]
    const merged = g.op('Reshape', [
      g.op('Transpose', [g.op('Reshape', [context, g.ints([0, heads, -1, headDim])])], { perm: [0, 2, 1, 3] }),
      g.ints([0, 0, heads * headDim]),
    ]);
    x = g.op('Add', [x, linear(net, merged, `${name}.self_attn.o_proj`, heads * headDim, hidden)]);
    x = g.op('Add', [x, gatedMlp(net, rmsNorm(net, x, `${name}.post_attention_layernorm`, hidden), `${name}.mlp`, hidden, spec.intermediate)]);
  }
  if (spec.trimLogits) {
    const keep = g.input('num_logits_to_keep', 'int64', []);
    const start = g.op('Where', [g.op('Equal', [keep, g.ints([0], [])]), g.ints([0], []), g.op('Neg', [keep])]);
    x = g.op('Slice', [x, g.op('Unsqueeze', [start, g.ints([0])]), g.ints([Number.MAX_SAFE_INTEGER]), g.ints([1])]);
  }
  const logits = linear(net, rmsNorm(net, x, 'model.norm', hidden), 'lm_head', hidden, spec.vocabSize);
  // A trained chat model never writes image placeholders or other markup tokens; random weights
  // would, and a stray <|image_pad|> in the coarse output would corrupt the next turn's image slots.
  const bias = new Float32Array(spec.vocabSize);
  for (const id of spec.suppressedTokens) bias[id] = -100;
  g.output('logits', io, ['batch_size', 'sequence_length', spec.vocabSize], outward(g.op('Add', [logits, g.tensor('lm_head.suppress', bias, [spec.vocabSize])])));
  return g;
}
