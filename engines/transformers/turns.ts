/**
 * Prefill and greedy decoding over a Qwen-VL model's three ONNX sessions, with an explicit KV cache.
 *
 * Why not `model.generate()`: given `past_key_values` and new tokens that contain an image, v4's
 * `prepare_inputs_for_generation` sets `pixel_values = null` and never encodes the new image, and it
 * recomputes M-RoPE over the whole conversation each call. ERGO's fine turn needs exactly that case
 * (new image after a cached turn), plus per-phase timing and cancellation between steps. So this
 * module drives the sessions itself: text embeddings from the page's lookup (`embeddings.ts`) or, for
 * an embed_tokens graph it does not evaluate, the `embed_tokens` session; `vision_encoder` once per new image,
 * features scattered into the embeddings at `<|image_pad|>` positions, positions from `rope.ts`,
 * and `decoder_model_merged` through `model.forward` with `inputs_embeds` + `position_ids` given
 * (transformers.js then only feeds the decoder, filling an empty cache on the first call).
 *
 * Ownership: `prefill` never consumes its input cache (the coarse turn's cache stays valid for more
 * fine turns); `decode` owns the cache it is given and every cache it makes, disposing each one as
 * it is superseded. Tensors on the GPU (WebGPU keeps `present.*` there) must be disposed explicitly.
 */
import { Tensor } from '@huggingface/transformers';
import { CancelledError, EngineError } from '../../pipeline/errors';
import { TokenChooser } from './choose';
import type { EmbeddingTable } from './embeddings';
import type { PixelValues } from './pixels';
import { ropePositions, type ImageSpan } from './rope';

/** The parts of a transformers.js Qwen2-VL / Qwen2.5-VL model this module uses. */
export interface QwenVlModel {
  readonly sessions: Record<string, { readonly inputNames: readonly string[] }>;
  forward(inputs: Record<string, unknown>): Promise<Record<string, Tensor>>;
  encode_text(inputs: { input_ids: Tensor }): Promise<Tensor>;
  encode_image(inputs: { pixel_values: Tensor; image_grid_thw: Tensor }): Promise<Tensor>;
}

/** Decoder K/V for a token prefix. `ids` are the tokens it holds; `nextPosition` the M-RoPE position of the next one. */
export interface KvCache {
  readonly entries: Readonly<Record<string, Tensor>>;
  readonly ids: readonly number[];
  readonly nextPosition: number;
}

export interface EncodedImage extends ImageSpan {
  /** `[rows*cols, hidden]` vision features. */
  readonly features: Tensor;
}

/** Releases a cache's tensors (GPU buffers on WebGPU; a no-op cost on CPU). */
export function disposeCache(cache: KvCache | null): void {
  if (!cache) return;
  for (const t of Object.values(cache.entries)) t.dispose();
}

/** Upper bound on the logits one decoder call may return when the export cannot trim them (bytes). */
const LOGITS_BYTES_PER_CALL = 64 * 1024 * 1024;

export interface PrefillResult {
  readonly cache: KvCache;
  /** Logits of the last token (`keep: 'last'`) or of every prefilled token (`keep: 'all'`), float32 `[n, vocab]`. */
  readonly logits: Float32Array;
  /** Decoder calls made (more than one when the export lacks `num_logits_to_keep` and the prompt is long). */
  readonly calls: number;
}

export class Turns {
  readonly #model: QwenVlModel;
  readonly #imageTokenId: number;
  readonly #vocabSize: number;
  readonly #trimsLogits: boolean;
  readonly #embeddings: EmbeddingTable | null;

  /** `embeddings`: the page's lookup when the loader recognised the embed_tokens graph, else null (its session is used). */
  constructor(model: QwenVlModel, imageTokenId: number, vocabSize: number, embeddings: EmbeddingTable | null = null) {
    this.#model = model;
    this.#embeddings = embeddings;
    this.#imageTokenId = imageTokenId;
    this.#vocabSize = vocabSize;
    this.#trimsLogits = model.sessions.decoder_model_merged?.inputNames.includes('num_logits_to_keep') ?? false;
  }

  /** Runs the vision encoder on one image; checks it returns one row per merged token. */
  async encodeImage(pixels: PixelValues, mergeSize: number): Promise<EncodedImage> {
    const [t, gh, gw] = pixels.grid;
    const features = await this.#model.encode_image({
      pixel_values: new Tensor('float32', pixels.data, [pixels.rows, pixels.cols]),
      image_grid_thw: new Tensor('int64', BigInt64Array.from([t, gh, gw].map(BigInt)), [1, 3]),
    });
    const rows = gh / mergeSize;
    const cols = gw / mergeSize;
    if (features.dims[0] !== rows * cols) {
      features.dispose();
      throw new EngineError('encoder-rows', `vision encoder returned ${features.dims[0]} rows for a ${gh}x${gw} patch grid, expected ${rows * cols}`);
    }
    return { features, rows, cols };
  }

  /**
   * Runs `ids` (which continue `cache`, or start a conversation when it is null) through the decoder.
   * Each run of `<|image_pad|>` in `ids` takes the next of `images`. `cache` is left untouched.
   */
  async prefill(cache: KvCache | null, ids: readonly number[], images: readonly EncodedImage[], keep: 'last' | 'all', isCancelled: () => boolean): Promise<PrefillResult> {
    if (ids.length === 0) throw new EngineError('empty-prefill', 'nothing to prefill');
    const positions = ropePositions(ids, images, this.#imageTokenId, cache?.nextPosition ?? 0);
    if ('error' in positions) throw new EngineError('image-tokens', positions.error);
    const embeds = await this.#embedWithImages(ids, images);
    const n = ids.length;
    const hidden = embeds.dims[2]!;
    // Without `num_logits_to_keep` the decoder returns logits for every token; chunk so they stay bounded.
    const chunk = this.#trimsLogits && keep === 'last' ? n : Math.max(1, Math.floor(LOGITS_BYTES_PER_CALL / (this.#vocabSize * 4)));
    const kept: Float32Array[] = [];
    let current = cache;
    let calls = 0;
    try {
      for (let start = 0; start < n; start += chunk) {
        if (isCancelled()) throw new CancelledError();
        const end = Math.min(n, start + chunk);
        const m = end - start;
        const pos = new BigInt64Array(3 * m);
        for (let row = 0; row < 3; row++) pos.set(positions.data.subarray(row * n + start, row * n + end), row * m);
        const out = await this.#decoderStep(
          current,
          new Tensor(embeds.type, embeds.data.slice(start * hidden, end * hidden), [1, m, hidden]),
          new Tensor('int64', pos, [3, 1, m]),
          keep === 'all' ? 0 : 1,
        );
        calls++;
        const next: KvCache = {
          entries: out.entries,
          ids: [...(current?.ids ?? []), ...ids.slice(start, end)],
          nextPosition: end === n ? positions.next : Number(positions.data[end]),
        };
        if (current !== cache) disposeCache(current);
        current = next;
        if (keep === 'all' || end === n) kept.push(keep === 'all' ? out.logits : out.logits.subarray(out.logits.length - this.#vocabSize));
      }
    } catch (e) {
      if (current !== cache) disposeCache(current);
      throw e;
    } finally {
      embeds.dispose();
    }
    return { cache: current!, logits: concat(kept), calls };
  }

  /**
   * Greedy decoding from `cache` (which this call owns), starting with `first` (already chosen from
   * the prefill's logits), each next token penalized by `repetitionPenalty` over the cache's tokens
   * and those generated (1 = plain greedy). Stops after an eos token, at `maxNewTokens`, when
   * `stopper.checkpoint()`, awaited before every token, throws (a cancel: cache disposed), or after
   * a token for which `onToken` returns true (a stop string was reached). Returns the generated ids
   * (eos included) and the cache, which holds every generated token but the last.
   */
  async decode(
    cache: KvCache,
    first: number,
    opts: { maxNewTokens: number; eosIds: ReadonlySet<number>; repetitionPenalty: number; stopper: { checkpoint(): Promise<void> }; onToken: (id: number) => boolean | void },
  ): Promise<{ ids: number[]; cache: KvCache; steps: number }> {
    const ids = [first];
    let stop = opts.onToken(first) === true;
    const chooser = new TokenChooser(this.#vocabSize, opts.repetitionPenalty, cache.ids);
    chooser.add(first);
    let current = cache;
    let steps = 0;
    try {
      while (!stop && !opts.eosIds.has(ids.at(-1)!) && ids.length < opts.maxNewTokens) {
        await opts.stopper.checkpoint();
        const last = ids.at(-1)!;
        const embeds = await this.#embed([last]);
        const p = BigInt(current.nextPosition);
        const out = await this.#decoderStep(current, embeds, new Tensor('int64', BigInt64Array.of(p, p, p), [3, 1, 1]), 1);
        embeds.dispose();
        const next: KvCache = { entries: out.entries, ids: [...current.ids, last], nextPosition: current.nextPosition + 1 };
        disposeCache(current);
        current = next;
        steps++;
        const token = chooser.choose(out.logits, out.logits.length - this.#vocabSize);
        chooser.add(token);
        ids.push(token);
        stop = opts.onToken(token) === true;
      }
    } catch (e) {
      disposeCache(current);
      throw e;
    }
    return { ids, cache: current, steps };
  }

  /** The first token from a prefill's last logits row, penalized over `context` (the tokens the cache holds). */
  firstToken(logits: Float32Array, context: readonly number[], repetitionPenalty: number): number {
    return new TokenChooser(this.#vocabSize, repetitionPenalty, context).choose(logits, logits.length - this.#vocabSize);
  }

  /** `[1, n, hidden]` inputs_embeds of `ids`. */
  async #embed(ids: readonly number[]): Promise<Tensor> {
    const table = this.#embeddings;
    if (table) return new Tensor(table.type, table.lookup(ids), [1, ids.length, table.hidden]);
    return this.#model.encode_text({ input_ids: new Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]) });
  }

  async #embedWithImages(ids: readonly number[], images: readonly EncodedImage[]): Promise<Tensor> {
    const embeds = await this.#embed(ids);
    const hidden = embeds.dims[2]!;
    const data = embeds.data as Float32Array | Uint16Array;
    let token = 0;
    for (const image of images) {
      // Features are copied as raw elements: both sessions must agree on the element type.
      if (image.features.type !== embeds.type) {
        embeds.dispose();
        throw new EngineError('dtype-mismatch', `vision features are ${image.features.type} but text embeddings are ${embeds.type}: pick matching dtypes for embed_tokens and vision_encoder`);
      }
      const feats = image.features.data as Float32Array | Uint16Array;
      for (let row = 0; row < image.rows * image.cols; row++) {
        while (token < ids.length && ids[token] !== this.#imageTokenId) token++;
        data.set(feats.subarray(row * hidden, (row + 1) * hidden), token * hidden);
        token++;
      }
    }
    return embeds;
  }

  /** One decoder call; returns the new cache entries and float32 logits. */
  async #decoderStep(cache: KvCache | null, inputsEmbeds: Tensor, positionIds: Tensor, logitsToKeep: number): Promise<{ entries: Record<string, Tensor>; logits: Float32Array }> {
    const total = (cache?.ids.length ?? 0) + inputsEmbeds.dims[1]!;
    const inputs: Record<string, unknown> = {
      inputs_embeds: inputsEmbeds,
      attention_mask: new Tensor('int64', new BigInt64Array(total).fill(1n), [1, total]),
      position_ids: positionIds,
      past_key_values: cache ? { ...cache.entries } : null,
    };
    if (this.#trimsLogits) inputs.num_logits_to_keep = new Tensor('int64', BigInt64Array.of(BigInt(logitsToKeep)), []);
    const outputs = await this.#model.forward(inputs);
    const entries: Record<string, Tensor> = {};
    for (const [name, tensor] of Object.entries(outputs)) {
      if (name.startsWith('present')) entries[name.replace('present', 'past_key_values')] = tensor;
    }
    const logitsTensor = outputs.logits!;
    const logits = logitsTensor.type === 'float32' ? (logitsTensor.data as Float32Array) : (logitsTensor.to('float32').data as Float32Array);
    logitsTensor.dispose();
    return { entries, logits };
  }
}

function concat(parts: readonly Float32Array[]): Float32Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
