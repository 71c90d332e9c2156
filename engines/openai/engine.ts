/**
 * The engine over an OpenAI-compatible chat server (vLLM first; `npm run serve` here), usable from
 * the browser worker and from Node.
 *
 * Each turn sends the whole conversation, as ERGO's official evaluation does: stage 1 the system
 * prompt, the coarse image and the question; stage 2 all of that, the stage-1 reply, the crop and
 * the fine-turn text. Images go as base64 PNG data URLs of exactly the pixels the pipeline made
 * (ERGO's resize), with temperature 0, `max_tokens` and stop `<|im_end|>`. The reply streams over
 * SSE. The server's prefix cache does the reuse; token counts come from its `usage` (with
 * `cached_tokens` when it reports them), times are measured here.
 */
import { QWEN_MAX_TOKENS, visionTokens } from '../../app/core';
import type { Engine, EngineModel, Turn, TurnIO, TurnMessage, TurnRequest } from '../../pipeline/engine';
import { CancelledError, EngineError } from '../../pipeline/errors';
import type { Decoding, RgbaImage } from '../../pipeline/protocol';
import { boxConventionForServedModel, type PromptProfile } from '../../pipeline/registry';
import { stageStats } from '../../pipeline/stats';
import { apiBase, serverError, serverHeaders, type ServerConnection } from '../../pipeline/serverConnection';
import { pngDataUrl } from './png';

export interface OpenAIEngineOptions extends ServerConnection {
  readonly promptProfile?: PromptProfile;
  /** Sent with every request, as the official evaluation does (vLLM honours it). */
  readonly seed?: number;
}

/** The official evaluation's stop string. */
export const ERGO_STOP = '<|im_end|>';

interface Usage {
  readonly prompt_tokens?: number;
  readonly completion_tokens?: number;
  readonly prompt_tokens_details?: { readonly cached_tokens?: number } | null;
}

const now = (): number => performance.now();
const tokensOf = (img: RgbaImage): number => visionTokens(img.height, img.width);
const imagesOf = (messages: readonly TurnMessage[]): RgbaImage[] => messages.flatMap((m) => m.content.flatMap((p) => (p.type === 'image' ? [p.image] : [])));

export class OpenAIEngine implements Engine {
  readonly model: EngineModel;
  readonly #conn: OpenAIEngineOptions;
  readonly #fetch: typeof fetch;
  /** Each image is encoded once, however often the conversation is resent. */
  readonly #dataUrls = new WeakMap<RgbaImage, Promise<string>>();

  constructor(options: OpenAIEngineOptions, fetcher: typeof fetch = fetch) {
    this.#conn = options;
    // Called as a plain function: a browser fetch called as a method of another object throws.
    this.#fetch = (input, init) => fetcher(input, init);
    this.model = {
      modelId: options.model,
      boxConvention: boxConventionForServedModel(options.model),
      promptProfile: options.promptProfile ?? 'ergo-eval',
      backend: 'server',
      // The server's processor (Qwen's) caps an image at this; ERGO's images are far below it.
      maxImageTokens: QWEN_MAX_TOKENS,
    };
  }

  /** The server's own eos ids and penalty are not known here; plain greedy asks it for no penalty. */
  generation(decoding: Decoding): { eosIds: readonly number[]; repetitionPenalty: number | null } {
    return { eosIds: [], repetitionPenalty: decoding === 'greedy' ? 1 : null };
  }

  get connection(): ServerConnection {
    return { endpoint: this.#conn.endpoint, model: this.#conn.model };
  }

  async turn(req: TurnRequest, io: TurnIO): Promise<Turn> {
    const t0 = now();
    const conversation = [...(req.after?.conversation ?? []), ...req.messages];
    io.phase('encode');
    const e0 = now();
    const messages = await Promise.all(conversation.map((m) => this.#wire(m)));
    const encoderMs = now() - e0;
    if (io.cancel.interrupted) throw new CancelledError();
    io.phase('prefill');
    const abort = new AbortController();
    const poll = setInterval(() => {
      if (io.cancel.interrupted) abort.abort();
    }, 50);
    const url = `${apiBase(this.#conn.endpoint)}/chat/completions`;
    let text = '';
    let usage: Usage | null = null;
    let finish: 'stop' | 'length' = 'stop';
    let firstAt: number | null = null;
    const p0 = now();
    try {
      let res: Response;
      try {
        res = await this.#fetch(url, {
          method: 'POST',
          headers: serverHeaders(this.#conn.apiKey, true),
          signal: abort.signal,
          body: JSON.stringify({
            model: this.#conn.model,
            messages,
            max_tokens: req.maxNewTokens,
            temperature: 0,
            stop: [ERGO_STOP, ...(req.stop ?? [])],
            stream: true,
            stream_options: { include_usage: true },
            // vLLM applies the model's generation config (its repetition penalty) unless told otherwise.
            ...(req.decoding === 'greedy' ? { repetition_penalty: 1 } : {}),
            ...(this.#conn.seed !== undefined ? { seed: this.#conn.seed } : {}),
          }),
        });
      } catch (e) {
        if (abort.signal.aborted) throw new CancelledError();
        throw new EngineError('server-unreachable', `could not reach ${url}: ${(e as Error).message}`);
      }
      if (!res.ok || !res.body) throw await serverError(res, url);
      for await (const event of sseEvents(res.body, abort.signal)) {
        if (event === '[DONE]') break;
        let data: { choices?: { delta?: { content?: string | null }; finish_reason?: string | null }[]; usage?: Usage | null; error?: { message?: string } };
        try {
          data = JSON.parse(event);
        } catch {
          throw new EngineError('server-bad-stream', `${url} sent an event that is not JSON: ${event.slice(0, 80)}`);
        }
        if (data.error) throw new EngineError('server-error', `${url} failed mid-stream: ${data.error.message ?? 'unknown error'}`);
        if (data.usage) usage = data.usage;
        const choice = data.choices?.[0];
        const chunk = choice?.delta?.content;
        if (chunk) {
          if (firstAt === null) {
            firstAt = now();
            io.phase('generate');
          }
          text += chunk;
          io.text(chunk);
        }
        if (choice?.finish_reason) finish = choice.finish_reason === 'length' ? 'length' : 'stop';
      }
    } catch (e) {
      if (abort.signal.aborted || io.cancel.interrupted) throw new CancelledError();
      throw e;
    } finally {
      clearInterval(poll);
    }
    const end = now();
    const newImages = imagesOf(req.messages);
    const promptTokens = usage?.prompt_tokens ?? 0;
    const cached = usage?.prompt_tokens_details?.cached_tokens ?? 0;
    const completion = usage?.completion_tokens ?? 0;
    const firstTokenAt = firstAt ?? end;
    const stats = stageStats({
      stage: req.stage,
      imageSize: newImages.at(-1) ? { width: newImages.at(-1)!.width, height: newImages.at(-1)!.height } : { width: 0, height: 0 },
      visionTokens: newImages.reduce((n, img) => n + tokensOf(img), 0),
      // The server encodes this turn's new images; what it re-encodes of earlier ones it does not say.
      encoderRows: newImages.reduce((n, img) => n + tokensOf(img), 0),
      // PNG encoding here; the server's own encode is inside the time to the first token.
      encoderMs,
      cachedTokens: cached,
      prefillTokens: Math.max(0, promptTokens - cached),
      prefillMs: firstTokenAt - p0,
      decodeTokens: completion,
      decodeSteps: Math.max(0, completion - 1),
      decodeMs: end - firstTokenAt,
      totalMs: end - t0,
    });
    return { stage: req.stage, text, conversation: [...conversation, { role: 'assistant', content: [{ type: 'text', text }] }], stats, finish, kept: true };
  }

  /** Nothing is held here: the server's prefix cache keeps what it keeps. */
  release(): void {}

  async dispose(): Promise<void> {}

  /** A message in the API's shape: a plain string for text only, else parts with image data URLs. */
  async #wire(m: TurnMessage): Promise<{ role: string; content: string | object[] }> {
    if (m.content.every((p) => p.type === 'text')) return { role: m.role, content: m.content.map((p) => (p.type === 'text' ? p.text : '')).join('') };
    const parts = await Promise.all(
      m.content.map(async (p) => (p.type === 'text' ? { type: 'text', text: p.text } : { type: 'image_url', image_url: { url: await this.#dataUrl(p.image) } })),
    );
    return { role: m.role, content: parts };
  }

  #dataUrl(img: RgbaImage): Promise<string> {
    let url = this.#dataUrls.get(img);
    if (!url) {
      url = pngDataUrl(img);
      this.#dataUrls.set(img, url);
    }
    return url;
  }
}

/** The `data:` payloads of a server-sent event stream. */
async function* sseEvents(body: ReadableStream<Uint8Array>, signal: AbortSignal): AsyncGenerator<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      if (signal.aborted) throw new CancelledError();
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let at: number;
      while ((at = buffer.search(/\r?\n\r?\n/)) >= 0) {
        const block = buffer.slice(0, at);
        buffer = buffer.slice(at).replace(/^\r?\n\r?\n/, '');
        const data = block
          .split(/\r?\n/)
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).replace(/^ /, ''))
          .join('\n');
        if (data) yield data;
      }
    }
  } finally {
    reader.releaseLock();
  }
}
