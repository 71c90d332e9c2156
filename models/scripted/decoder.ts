/**
 * A `decoder_model_merged` whose logits are looked up, not computed: the reply it writes is fixed
 * by its weights. Same inputs, outputs and cache layout as a Qwen2.5-VL decoder, so it runs through
 * the real loaders, sessions and KV-cache code.
 *
 * It needs two facts per position, both kept in its one-layer KV cache (1 head, 2 of its channels):
 * channel 0 marks `<|im_start|>` tokens (recognised by their exact embedding), channel 1 holds
 * that token's position + 1. Reduced over the visible keys they give the number of turns so far
 * (which reply to write) and where the current assistant turn began (which token of it is next).
 */
import { GraphBuilder } from '../onnx/graph';

export interface ScriptedDecoderSpec {
  readonly hidden: number;
  readonly vocabSize: number;
  /** The embedding of `<|im_start|>` (a row of the embed_tokens table). */
  readonly imStartEmbedding: Float32Array;
  /** Tokens from `<|im_start|>` to the first reply token: `<|im_start|>assistant\n` has this many. */
  readonly headerTokens: number;
  /** Token ids of each reply, each ending with the end-of-turn token. */
  readonly replies: readonly (readonly number[])[];
}

/**
 * Channels per cache entry (the config's head_dim). Two are used; a loader that checks configs
 * needs head_dim / 2 to equal M-RoPE's three sections, so six ([1, 1, 1]).
 */
export const CACHE_CHANNELS = 6;

/** Logit of the scripted token; every other token gets 0. */
const CHOSEN_LOGIT = 10;

export function buildScriptedDecoder(spec: ScriptedDecoderSpec): Uint8Array {
  const g = new GraphBuilder('decoder_model_merged');
  const embeds = g.input('inputs_embeds', 'float32', ['batch_size', 'sequence_length', spec.hidden]);
  const mask = g.input('attention_mask', 'int64', ['batch_size', 'total_sequence_length']);
  const positionIds = g.input('position_ids', 'int64', [3, 'batch_size', 'sequence_length']);
  const pastDims = ['batch_size', 1, 'past_sequence_length', CACHE_CHANNELS];
  const presentDims = ['batch_size', 1, 'total_sequence_length', CACHE_CHANNELS];
  const pastKey = g.input('past_key_values.0.key', 'float32', pastDims);
  const pastValue = g.input('past_key_values.0.value', 'float32', pastDims);
  const scalar = (t: string) => g.op('Squeeze', [t, g.ints([0])]);
  const zero = g.ints([0], []);
  const one = g.ints([1], []);

  // Per new token: is it <|im_start|>, and its (temporal) position.
  const distance = g.op('ReduceSumSquare', [g.op('Sub', [embeds, g.tensor('im_start.embedding', spec.imStartEmbedding, [spec.hidden])])], { axes: [-1], keepdims: 0 }); // [B, S]
  const isStart = g.op('Cast', [g.op('Less', [distance, g.floats([1e-6], [])])], { to: 1 });
  const position = g.op('Cast', [g.op('Gather', [positionIds, zero], { axis: 0 })], { to: 1 }); // [B, S]
  const flag = g.op('Unsqueeze', [isStart, g.ints([-1])]); // [B, S, 1]
  const unused = g.op('Mul', [flag, g.floats(new Array<number>(CACHE_CHANNELS - 2).fill(0))]); // [B, S, channels - 2] of zeros
  const marks = g.op('Concat', [flag, g.op('Unsqueeze', [g.op('Mul', [isStart, g.op('Add', [position, g.floats([1], [])])]), g.ints([-1])]), unused], { axis: -1 }); // [B, S, channels]
  const current = g.op('Unsqueeze', [marks, g.ints([1])]); // [B, 1, S, 2]
  const keys = g.op('Concat', [pastKey, current], { axis: 2 });
  g.output('present.0.key', 'float32', presentDims, keys);
  g.output('present.0.value', 'float32', presentDims, g.op('Concat', [pastValue, current], { axis: 2 }));

  // What each query may see: keys up to its own position, and attended ones.
  const past = scalar(g.op('Shape', [pastKey], { start: 2, end: 3 }));
  const seq = scalar(g.op('Shape', [embeds], { start: 1, end: 2 }));
  const total = scalar(g.op('Shape', [mask], { start: 1, end: 2 }));
  const queryPos = g.op('Unsqueeze', [g.op('Add', [g.op('Range', [zero, seq, one]), past]), g.ints([1])]); // [S, 1]
  const keyPos = g.op('Unsqueeze', [g.op('Range', [zero, total, one]), g.ints([0])]); // [1, T]
  const causal = g.op('Cast', [g.op('LessOrEqual', [keyPos, queryPos])], { to: 1 }); // [S, T]
  const visible = g.op('Mul', [causal, g.op('Unsqueeze', [g.op('Cast', [mask], { to: 1 }), g.ints([1])])]); // [B, S, T]
  const channel = (c: number) => g.op('Unsqueeze', [g.op('Squeeze', [g.op('Gather', [keys, g.ints([c], [])], { axis: 3 }), g.ints([1])]), g.ints([1])]); // [B, 1, T]
  const starts = g.op('ReduceSum', [g.op('Mul', [channel(0), visible]), g.ints([-1])], { keepdims: 0 }); // [B, S]
  const lastStart = g.op('ReduceMax', [g.op('Mul', [channel(1), visible])], { axes: [-1], keepdims: 0 }); // position + 1

  // Turn: system, user, assistant = 3 starts for the first reply; each later reply adds a user and an assistant.
  const longest = Math.max(...spec.replies.map((r) => r.length));
  const turn = g.op('Min', [g.op('Max', [g.op('Sub', [g.op('Floor', [g.op('Div', [g.op('Sub', [starts, g.floats([1], [])]), g.floats([2], [])])]), g.floats([1], [])]), g.floats([0], [])]), g.floats([spec.replies.length - 1], [])]);
  const step = g.op('Sub', [g.op('Sub', [position, g.op('Sub', [lastStart, g.floats([1], [])])]), g.floats([spec.headerTokens - 1], [])]);
  const clamped = g.op('Min', [g.op('Max', [step, g.floats([0], [])]), g.floats([longest - 1], [])]);
  const row = g.op('Cast', [g.op('Add', [g.op('Mul', [turn, g.floats([longest], [])]), clamped])], { to: 7 }); // [B, S]

  // Row r of reply k: the reply's token r, its last token (end of turn) once past the end.
  const table = new Float32Array(spec.replies.length * longest * spec.vocabSize);
  spec.replies.forEach((reply, k) => {
    for (let r = 0; r < longest; r++) table[(k * longest + r) * spec.vocabSize + reply[Math.min(r, reply.length - 1)]!] = CHOSEN_LOGIT;
  });
  const logits = g.op('Gather', [g.tensor('script.logits', table, [spec.replies.length * longest, spec.vocabSize]), row], { axis: 0 });
  g.output('logits', 'float32', ['batch_size', 'sequence_length', spec.vocabSize], logits);
  return g.serialize();
}
