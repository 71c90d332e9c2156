/**
 * Building blocks shared by the generated vision encoders and decoders: linear layers, RMSNorm and
 * SiLU, with weights stored in the precision of the file being written.
 */
import type { GraphBuilder } from '../onnx/graph';
import { toFloat16Bytes } from '../onnx/half';
import { quantizeQ4, quantizeQ8, Q4_BLOCK } from '../onnx/quantize';
import { uniform } from './random';

/**
 * The precisions of the Hub's exports (file suffixes '', `_fp16`, `_quantized`, `_q4`, `_q4f16`).
 * Here: fp32 and fp16 store every weight in that type; q8 stores linear weights as 8-bit with a
 * scale per output column (DequantizeLinear), q4 as 4-bit MatMulNBits; q4f16 is q4 with every
 * other weight in fp16. fp16 and q4f16 files take and give float16 activations at their edges
 * (embeddings, image features, KV cache, logits), as the Hub's f16 exports do; inside they compute
 * in float32, so they run on any backend that has float16 tensors.
 */
export type Dtype = 'fp32' | 'fp16' | 'q8' | 'q4' | 'q4f16';

/** Whether a file of this dtype has float16 activations at its inputs and outputs. */
export const halfIo = (dtype: Dtype): boolean => dtype === 'fp16' || dtype === 'q4f16';

/** Trained values of a tensor by name (`<layer>.weight`, `<layer>.bias`, ...); it must hold exactly `count` values. */
export type WeightSource = (name: string, count: number) => Float32Array;

export interface Net {
  readonly g: GraphBuilder;
  readonly seed: number;
  readonly dtype: Dtype;
  /** Trained weights; without them each tensor is drawn from the seed. */
  readonly weights?: WeightSource;
}

/** Values of tensor `name`: the trained ones when the net has them, else seeded uniform values in `center ± spread`. */
export function draw(net: Pick<Net, 'seed' | 'weights'>, name: string, count: number, spread: number, center = 0): Float32Array {
  return net.weights ? net.weights(name, count) : uniform(net.seed, name, count, spread, center);
}

/** A float parameter (norm weight, bias, table): float16 in half-precision files, cast back to float32. */
export function param(net: Net, name: string, values: Float32Array, dims: readonly number[]): string {
  if (!halfIo(net.dtype)) return net.g.tensor(name, values, dims);
  return net.g.op('Cast', [net.g.tensorBytes(name, 'float16', toFloat16Bytes(values), dims)], { to: 1 });
}

/** `x @ W (+ b)` for `x [..., inDim]`; W is drawn with spread 1/sqrt(inDim) (keeps activations O(1)). */
export function linear(net: Net, x: string, name: string, inDim: number, outDim: number, bias = false): string {
  const { g, dtype } = net;
  const weight = draw(net, `${name}.weight`, inDim * outDim, 1 / Math.sqrt(inDim));
  let y: string;
  if (dtype === 'q4' || dtype === 'q4f16') {
    const q = quantizeQ4(weight, inDim, outDim);
    const packed = g.tensor(`${name}.qweight`, q.packed, [outDim, q.blocks, Q4_BLOCK / 2]);
    const scales = g.tensor(`${name}.scales`, q.scales, [outDim * q.blocks]);
    y = g.op('MatMulNBits', [x, packed, scales], { K: inDim, N: outDim, bits: 4, block_size: Q4_BLOCK }, 'com.microsoft');
  } else if (dtype === 'q8') {
    const q = quantizeQ8(weight, inDim, outDim);
    const dequantized = g.op('DequantizeLinear', [g.tensor(`${name}.qweight`, q.values, [inDim, outDim]), g.tensor(`${name}.scales`, q.scales, [outDim]), g.tensor(`${name}.zero_points`, q.zeroPoints, [outDim])], { axis: 1 });
    y = g.op('MatMul', [x, dequantized]);
  } else {
    y = g.op('MatMul', [x, param(net, `${name}.weight`, weight, [inDim, outDim])]);
  }
  if (!bias) return y;
  return g.op('Add', [y, param(net, `${name}.bias`, draw(net, `${name}.bias`, outDim, 0.1), [outDim])]);
}

/** RMSNorm over the last axis: x / sqrt(mean(x^2) + eps) * w (w near 1). */
export function rmsNorm(net: Net, x: string, name: string, dim: number): string {
  const { g } = net;
  const meanSquare = g.op('ReduceMean', [g.op('Mul', [x, x])], { axes: [-1], keepdims: 1 });
  const rms = g.op('Sqrt', [g.op('Add', [meanSquare, g.floats([1e-6], [])])]);
  const weight = param(net, `${name}.weight`, draw(net, `${name}.weight`, dim, 0.1, 1), [dim]);
  return g.op('Mul', [g.op('Div', [x, rms]), weight]);
}

export function silu(g: GraphBuilder, x: string): string {
  return g.op('Mul', [x, g.op('Sigmoid', [x])]);
}

/** SwiGLU MLP: down(silu(gate(x)) * up(x)). */
export function gatedMlp(net: Net, x: string, name: string, dim: number, hidden: number): string {
  const gate = silu(net.g, linear(net, x, `${name}.gate_proj`, dim, hidden));
  const up = linear(net, x, `${name}.up_proj`, dim, hidden);
  return linear(net, net.g.op('Mul', [gate, up]), `${name}.down_proj`, hidden, dim);
}

/**
 * Rotary / sinusoid frequencies. Without `theta`: 2^-j, exact in float32, so the committed tiny
 * models never depend on Math.pow. With it: Qwen's theta^(-j / count), for real-dimension fixtures.
 */
export function inverseFrequencies(count: number, theta?: number): number[] {
  return Array.from({ length: count }, (_, j) => (theta === undefined ? 2 ** -j : theta ** (-j / count)));
}
