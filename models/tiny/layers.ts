/**
 * Building blocks shared by the tiny vision encoder and decoder: linear layers (fp32 MatMul or
 * 4-bit MatMulNBits), RMSNorm and SiLU.
 */
import type { GraphBuilder } from '../onnx/graph';
import { quantizeQ4, Q4_BLOCK } from '../onnx/quantize';
import { uniform } from './random';

export interface Net {
  readonly g: GraphBuilder;
  readonly seed: number;
  /** Store linear weights as 4-bit MatMulNBits (the `_q4` files) instead of fp32. */
  readonly q4: boolean;
}

/** `x @ W (+ b)` for `x [..., inDim]`; W is drawn with spread 1/sqrt(inDim) (keeps activations O(1)). */
export function linear(net: Net, x: string, name: string, inDim: number, outDim: number, bias = false): string {
  const { g, seed } = net;
  const weight = uniform(seed, `${name}.weight`, inDim * outDim, 1 / Math.sqrt(inDim));
  let y: string;
  if (net.q4) {
    const q = quantizeQ4(weight, inDim, outDim);
    const packed = g.tensor(`${name}.qweight`, q.packed, [outDim, q.blocks, Q4_BLOCK / 2]);
    const scales = g.tensor(`${name}.scales`, q.scales, [outDim * q.blocks]);
    y = g.op('MatMulNBits', [x, packed, scales], { K: inDim, N: outDim, bits: 4, block_size: Q4_BLOCK }, 'com.microsoft');
  } else {
    y = g.op('MatMul', [x, g.tensor(`${name}.weight`, weight, [inDim, outDim])]);
  }
  if (!bias) return y;
  return g.op('Add', [y, g.tensor(`${name}.bias`, uniform(seed, `${name}.bias`, outDim, 0.1), [outDim])]);
}

/** RMSNorm over the last axis: x / sqrt(mean(x^2) + eps) * w (w near 1). */
export function rmsNorm(net: Net, x: string, name: string, dim: number): string {
  const { g } = net;
  const meanSquare = g.op('ReduceMean', [g.op('Mul', [x, x])], { axes: [-1], keepdims: 1 });
  const rms = g.op('Sqrt', [g.op('Add', [meanSquare, g.floats([1e-6], [])])]);
  const weight = g.tensor(`${name}.weight`, uniform(net.seed, `${name}.weight`, dim, 0.1, 1), [dim]);
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

/** Rotary / sinusoid frequencies 2^-j: exact in float32, so the model bytes never depend on Math.pow. */
export function inverseFrequencies(count: number): number[] {
  return Array.from({ length: count }, (_, j) => 2 ** -j);
}
