/**
 * The engine over transformers.js sessions (`Turns`), the same in the browser worker and in Node.
 *
 * A kept turn holds its KV cache with every token of the conversation so far, the turn's last
 * generated token included. A turn that continues it renders only what follows the reply (the
 * reply's own generated ids are reused, never re-tokenized), encodes only the new images and
 * prefills only the new tokens.
 */
import { fitBudget, type BudgetCheck } from './runMemory';
import { visionTokens, type ChatMessage } from '../../app/core';
import type { Engine, EngineModel, Turn, TurnIO, TurnMessage, TurnRequest } from '../../pipeline/engine';
import { CancelledError, EngineError } from '../../pipeline/errors';
import type { Decoding, RgbaImage } from '../../pipeline/protocol';
import { stageStats } from '../../pipeline/stats';
import { continuationIds, expandImagePads, promptIds } from './chat';
import { deviceTokenCap } from './directCap';
import type { LoadedEngine } from './load';
import { buildPixelValues } from './pixels';
import { TextDelta } from './textDelta';
import { disposeCache, type EncodedImage, type KvCache } from './turns';

interface Kept {
  /** The conversation's ids: prompts, replies (eos included when generated) and follow-ups. */
  readonly ids: readonly number[];
  /** Holds all of `ids`. */
  readonly cache: KvCache;
  /** Images of the conversation, in order. */
  readonly images: readonly RgbaImage[];
}

const now = (): number => performance.now();

/** The chat-template form of a message: images become placeholders, supplied separately in order. */
function templateMessages(messages: readonly TurnMessage[]): ChatMessage[] {
  return messages.map((m) => ({ role: m.role, content: m.content.map((p) => (p.type === 'image' ? { type: 'image' as const } : p)) }));
}

const imagesOf = (messages: readonly TurnMessage[]): RgbaImage[] => messages.flatMap((m) => m.content.flatMap((p) => (p.type === 'image' ? [p.image] : [])));
const tokensOf = (img: RgbaImage): number => visionTokens(img.height, img.width);

export class TransformersEngine implements Engine {
  readonly model: EngineModel;
  readonly #loaded: LoadedEngine;
  readonly #kept = new WeakMap<Turn, Kept>();
  /** Steps whose WebGPU shaders are still to be compiled: the runtime compiles them on their first run. */
  readonly #uncompiled: Set<'encode' | 'prefill'>;

  constructor(loaded: LoadedEngine) {
    this.#loaded = loaded;
    const { info, entry } = loaded;
    this.#uncompiled = new Set(info.backend === 'webgpu' ? ['encode', 'prefill'] : []);
    this.model = {
      modelId: info.modelId,
      boxConvention: loaded.boxConvention,
      promptProfile: entry.promptProfile,
      backend: info.backend,
      maxImageTokens: deviceTokenCap(info.backend === 'webgpu' ? { backend: 'webgpu', maxBufferBytes: loaded.maxBufferBytes } : { backend: 'wasm', visionHeads: loaded.visionHeads }),
    };
  }

  /** What was loaded (backend, dtypes, threads, load time). */
  get loaded(): LoadedEngine {
    return this.#loaded;
  }

  generation(decoding: Decoding): { eosIds: readonly number[]; repetitionPenalty: number } {
    const eng = this.#loaded;
    return { eosIds: [...eng.eosIds], repetitionPenalty: decoding === 'greedy' ? 1 : eng.generation.repetitionPenalty };
  }

  fitBudget(wanted: number, maxNewTokens: number): BudgetCheck {
    const eng = this.#loaded;
    return fitBudget(eng.dims, wanted, maxNewTokens, { backend: eng.info.backend, modelBytes: eng.info.fileBytes, maxBufferBytes: eng.maxBufferBytes });
  }

  async turn(req: TurnRequest, io: TurnIO): Promise<Turn> {
    const eng = this.#loaded;
    const t0 = now();
    const base = req.after ? this.#kept.get(req.after) : undefined;
    if (req.after && !base) throw new EngineError('turn-released', `the ${req.after.stage} turn this one continues is no longer held`);
    const newImages = imagesOf(req.messages);
    const newIds = base
      ? continuationIds(eng.tokenizer, templateMessages(req.after!.conversation.slice(0, -1)), templateMessages(req.messages))
      : promptIds(eng.tokenizer, templateMessages(req.messages));
    const expanded = expandImagePads(newIds, eng.imageTokenId, newImages.map(tokensOf));
    // A kept reply ends with its eos (<|im_end|>), which is also where the continuation starts.
    const overlap = base && base.ids.at(-1) === expanded[0] ? 1 : 0;
    const ids = [...(base?.ids ?? []), ...expanded.slice(overlap)];
    const images = [...(base?.images ?? []), ...newImages];
    const reuse = base && !req.recompute ? base : null;
    const toEncode = reuse ? newImages : images;
    const toPrefill = ids.slice(reuse ? reuse.ids.length : 0);

    io.phase('encode', { compilingShaders: this.#uncompiled.delete('encode') });
    const encoded: EncodedImage[] = [];
    let encoderMs = 0;
    let prefillMs = 0;
    let prefill;
    try {
      for (const img of toEncode) {
        if (io.cancel.interrupted) throw new CancelledError();
        const start = now();
        encoded.push(await eng.turns.encodeImage(buildPixelValues(img.data, img, eng.pre), eng.pre.mergeSize));
        encoderMs += now() - start;
      }
      if (io.cancel.interrupted) throw new CancelledError();
      io.phase('prefill', { compilingShaders: this.#uncompiled.delete('prefill') });
      const p0 = now();
      prefill = await eng.turns.prefill(reuse?.cache ?? null, toPrefill, encoded, 'last', () => io.cancel.interrupted);
      prefillMs = now() - p0;
    } finally {
      for (const e of encoded) e.features.dispose();
    }

    io.phase('generate');
    const d0 = now();
    const decodeText = (t: readonly number[]): string => eng.tokenizer.decode(t as number[], { skip_special_tokens: true });
    const delta = new TextDelta(decodeText);
    const stream = new StopScan(req.stop ?? [], (chunk) => {
      if (!io.cancel.interrupted) io.text(chunk);
    });
    const { repetitionPenalty } = this.generation(req.decoding ?? 'generation-config');
    const out = await eng.turns.decode(prefill.cache, eng.turns.firstToken(prefill.logits, prefill.cache.ids, repetitionPenalty), {
      maxNewTokens: req.maxNewTokens,
      eosIds: eng.eosIds,
      repetitionPenalty,
      stopper: io.cancel,
      onToken: (id) => stream.push(delta.push(id)),
    });
    let cache = out.cache;
    let steps = out.steps;
    const generated = out.ids;
    const endedByEos = eng.eosIds.has(generated.at(-1)!);
    const contentIds = endedByEos ? generated.slice(0, -1) : generated;
    const stoppedAt = stream.stopped;
    if (stoppedAt === null) stream.flush();
    const text = stoppedAt ?? decodeText(contentIds);
    const keep = req.keep && stoppedAt === null;
    try {
      if (keep) {
        // The cache lacks the last token (nothing was computed after it): add it, so a continuation prefills only new tokens.
        const last = await eng.turns.prefill(cache, [generated.at(-1)!], [], 'last', () => io.cancel.interrupted);
        disposeCache(cache);
        cache = last.cache;
        steps++;
      }
    } catch (e) {
      disposeCache(cache);
      throw e;
    }
    const decodeMs = now() - d0;
    if (!keep) disposeCache(cache);
    const lastImage = newImages.at(-1);
    const stats = stageStats({
      stage: req.stage,
      imageSize: lastImage ? { width: lastImage.width, height: lastImage.height } : { width: 0, height: 0 },
      visionTokens: newImages.reduce((n, img) => n + tokensOf(img), 0),
      encoderRows: encoded.reduce((n, e) => n + e.rows * e.cols, 0),
      encoderMs,
      cachedTokens: reuse?.ids.length ?? 0,
      prefillTokens: toPrefill.length,
      prefillMs,
      decodeTokens: generated.length,
      decodeSteps: steps,
      decodeMs,
      totalMs: now() - t0,
    });
    const conversation = [...(req.after?.conversation ?? []), ...req.messages, { role: 'assistant' as const, content: [{ type: 'text' as const, text }] }];
    const turn: Turn = { stage: req.stage, text, conversation, stats, finish: endedByEos || stoppedAt !== null ? 'stop' : 'length', kept: keep };
    if (keep) this.#kept.set(turn, { ids: [...ids, ...generated], cache, images });
    return turn;
  }

  release(turn: Turn): void {
    const kept = this.#kept.get(turn);
    if (!kept) return;
    this.#kept.delete(turn);
    disposeCache(kept.cache);
  }

  async dispose(): Promise<void> {
    await this.#loaded.model.dispose();
  }
}

/**
 * Streams a reply while watching for stop strings: text that could still become the start of a
 * stop string is held back, and a reply that reaches one ends just before it.
 */
class StopScan {
  readonly #stops: readonly string[];
  readonly #emit: (chunk: string) => void;
  readonly #hold: number;
  #text = '';
  #sent = 0;
  stopped: string | null = null;

  constructor(stops: readonly string[], emit: (chunk: string) => void) {
    this.#stops = stops.filter((s) => s.length > 0);
    this.#emit = emit;
    this.#hold = Math.max(0, ...this.#stops.map((s) => s.length - 1));
  }

  /** Adds complete text; returns true when a stop string was reached. */
  push(chunk: string): boolean {
    this.#text += chunk;
    const hits = this.#stops.map((s) => this.#text.indexOf(s)).filter((i) => i >= 0);
    if (hits.length) {
      this.stopped = this.#text.slice(0, Math.min(...hits));
      this.#send(this.stopped.length);
      return true;
    }
    this.#send(this.#text.length - this.#hold);
    return false;
  }

  flush(): void {
    this.#send(this.#text.length);
  }

  #send(upTo: number): void {
    if (upTo <= this.#sent) return;
    this.#emit(this.#text.slice(this.#sent, upTo));
    this.#sent = upTo;
  }
}
