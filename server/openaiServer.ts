/**
 * An OpenAI-compatible chat server over one engine: `GET /v1/models` and `POST
 * /v1/chat/completions`, streamed (SSE) or not, with `usage` and `stop`.
 *
 * - One request runs at a time; others wait in arrival order. A client that disconnects cancels
 *   its request, waiting or running (the engine stops within a token).
 * - A prefix cache, as vLLM's prefix caching: the latest kept turns (their KV caches) are matched
 *   against each request, and a request that extends one (the same messages and images, then that
 *   turn's reply, then more) continues it. `usage.prompt_tokens_details.cached_tokens` says how
 *   many prompt tokens were reused.
 * - Errors are OpenAI's shape `{ error: { message, type, param, code } }` with a fitting status;
 *   a bad request never disturbs the ones around it.
 * - CORS is open (any origin), so a page can call it; with `apiKey`, every request but the CORS
 *   preflight needs `Authorization: Bearer <key>`.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cancelWhen, type Engine, type Turn, type TurnMessage } from '../pipeline/engine';
import { CancelledError } from '../pipeline/errors';
import { ApiError, readChatRequest, type ChatRequest } from './chatRequest';

export interface ChatServerOptions {
  readonly engine: Engine;
  /** The model name clients send (`model`), listed by /v1/models. */
  readonly modelName: string;
  /** When set, requests need `Authorization: Bearer <apiKey>`. */
  readonly apiKey?: string;
  /** Largest request body in bytes (default 64 MiB: two base64 PNGs at ERGO's sizes are a few MB). */
  readonly maxBodyBytes?: number;
  /** How many finished conversations keep their KV cache for follow-ups (default 2: ERGO's stage 1 and the latest). */
  readonly cachedTurns?: number;
  /** Told of every request once it has ended (`npm run serve` prints these lines). */
  readonly log?: (entry: RequestLogEntry) => void;
}

/** One request as the log shows it: no headers, no body, so never a key, a prompt or an image. */
export interface RequestLogEntry {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly ms: number;
  /** The usage a completion reported; null for other requests and for failed or cancelled ones. */
  readonly usage: Usage | null;
}

export interface Usage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
  readonly prompt_tokens_details: { readonly cached_tokens: number };
}

/** `POST /v1/chat/completions 200 812 ms, prompt 1345 (cached 0), completion 12`. */
export function formatLogEntry(e: RequestLogEntry): string {
  const usage = e.usage ? `, prompt ${e.usage.prompt_tokens} (cached ${e.usage.prompt_tokens_details.cached_tokens}), completion ${e.usage.completion_tokens}` : '';
  return `${e.method} ${e.path} ${e.status} ${Math.round(e.ms)} ms${usage}`;
}

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;

const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': 'authorization, content-type',
  'access-control-max-age': '600',
};

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { ...CORS_HEADERS, 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function sendError(res: ServerResponse, e: ApiError): void {
  sendJson(res, e.status, { error: { message: e.message, type: e.type, param: e.param, code: e.code } });
}

const digest = (s: string) => createHash('sha256').update(s).digest();

function sameImage(a: TurnMessage['content'][number], b: TurnMessage['content'][number]): boolean {
  if (a.type === 'text' || b.type === 'text') return a.type === b.type && a.type === 'text' && b.type === 'text' && a.text === b.text;
  if (a.image.width !== b.image.width || a.image.height !== b.image.height) return false;
  return Buffer.compare(Buffer.from(a.image.data.buffer, a.image.data.byteOffset, a.image.data.byteLength), Buffer.from(b.image.data.buffer, b.image.data.byteOffset, b.image.data.byteLength)) === 0;
}

function sameMessage(a: TurnMessage, b: TurnMessage): boolean {
  return a.role === b.role && a.content.length === b.content.length && a.content.every((p, i) => sameImage(p, b.content[i]!));
}

/** The text of an assistant message as a client resends it (parts joined). */
function plainText(m: TurnMessage): string | null {
  return m.content.every((p) => p.type === 'text') ? m.content.map((p) => (p.type === 'text' ? p.text : '')).join('') : null;
}

/** True when `messages` starts with `turn`'s whole conversation (its reply included) and goes on. */
function extendsTurn(messages: readonly TurnMessage[], turn: Turn): boolean {
  const conv = turn.conversation;
  if (messages.length <= conv.length) return false;
  const reply = conv.length - 1;
  for (let i = 0; i < reply; i++) if (!sameMessage(messages[i]!, conv[i]!)) return false;
  return messages[reply]!.role === 'assistant' && plainText(messages[reply]!) === turn.text;
}

interface Waiting {
  readonly run: () => Promise<void>;
  cancelled: boolean;
}

export class ChatServer {
  readonly server: Server;
  readonly #engine: Engine;
  readonly #modelName: string;
  readonly #keyDigest: Buffer | null;
  readonly #maxBodyBytes: number;
  readonly #cachedTurns: number;
  /** Kept turns, oldest first. */
  #kept: Turn[] = [];
  readonly #queue: Waiting[] = [];
  #busy = false;
  /** The usage each completed response reported, for the log. */
  readonly #usage = new WeakMap<ServerResponse, Usage>();

  constructor(options: ChatServerOptions) {
    this.#engine = options.engine;
    this.#modelName = options.modelName;
    this.#keyDigest = options.apiKey ? digest(options.apiKey) : null;
    this.#maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.#cachedTurns = options.cachedTurns ?? 2;
    const log = options.log;
    this.server = createServer((req, res) => {
      if (log) {
        const started = performance.now();
        res.on('close', () => {
          const path = new URL(req.url ?? '/', 'http://localhost').pathname;
          // A response cut off before it finished (a client gone, a run cancelled) has no status of its own.
          log({ method: req.method ?? '?', path, status: res.writableFinished ? res.statusCode : 499, ms: performance.now() - started, usage: this.#usage.get(res) ?? null });
        });
      }
      this.#route(req, res).catch((e: unknown) => {
        if (e instanceof ApiError) sendError(res, e);
        else sendError(res, new ApiError(500, 'internal_error', (e as Error)?.message ?? String(e), null, 'server_error'));
      });
    });
  }

  /** Listens on `host:port` (port 0: any free port); resolves with the bound address. */
  listen(port: number, host = '127.0.0.1'): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve(this.server.address() as AddressInfo));
    });
  }

  /** Stops listening and releases every kept turn (the engine stays with its owner). */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const t of this.#kept) this.#engine.release(t);
    this.#kept = [];
  }

  async #route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname.replace(/\/+$/, '');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, CORS_HEADERS);
      res.end();
      return;
    }
    this.#authorize(req);
    if (path === '/v1/models' && req.method === 'GET') {
      sendJson(res, 200, { object: 'list', data: [{ id: this.#modelName, object: 'model', created: 0, owned_by: 'ergo-lens' }] });
      return;
    }
    if (path === '/v1/chat/completions' && req.method === 'POST') {
      const body = await this.#readBody(req);
      let json: unknown;
      try {
        json = JSON.parse(body.toString('utf8'));
      } catch (e) {
        throw new ApiError(400, 'invalid_json', `the request body is not valid JSON: ${(e as Error).message}`);
      }
      const chat = await readChatRequest(json);
      if (chat.model !== this.#modelName) throw new ApiError(404, 'model_not_found', `The model \`${chat.model}\` does not exist. This server serves \`${this.#modelName}\` (GET /v1/models).`, 'model');
      await this.#enqueue(res, chat);
      return;
    }
    throw new ApiError(404, 'not_found', `no route ${req.method} ${path}: this server has GET /v1/models and POST /v1/chat/completions`);
  }

  #authorize(req: IncomingMessage): void {
    if (!this.#keyDigest) return;
    const header = req.headers.authorization ?? '';
    const given = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
    if (!given || !timingSafeEqual(digest(given), this.#keyDigest)) {
      throw new ApiError(401, 'invalid_api_key', given ? 'Incorrect API key provided.' : 'No API key provided: send "Authorization: Bearer <key>".');
    }
  }

  /** Reads the body, refusing one past the size limit (without reading the rest). */
  #readBody(req: IncomingMessage): Promise<Buffer> {
    const limit = this.#maxBodyBytes;
    const tooLarge = () => new ApiError(413, 'request_too_large', `the request body is over the ${limit}-byte limit of this server`);
    if (Number(req.headers['content-length'] ?? 0) > limit) {
      req.resume();
      return Promise.reject(tooLarge());
    }
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > limit) {
          req.removeAllListeners('data');
          req.resume();
          reject(tooLarge());
        } else chunks.push(c);
      });
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    });
  }

  /** Runs the request when the engine is free; a client gone while waiting is dropped. */
  #enqueue(res: ServerResponse, chat: ChatRequest): Promise<void> {
    return new Promise((resolve, reject) => {
      const waiting: Waiting = {
        cancelled: false,
        run: () => this.#complete(res, chat, () => waiting.cancelled).then(resolve, reject),
      };
      res.on('close', () => {
        if (!res.writableFinished) waiting.cancelled = true;
      });
      this.#queue.push(waiting);
      void this.#pump();
    });
  }

  async #pump(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      // A request whose client left while waiting ends at once (its run checks first).
      for (let next = this.#queue.shift(); next; next = this.#queue.shift()) await next.run().catch(() => {});
    } finally {
      this.#busy = false;
    }
  }

  async #complete(res: ServerResponse, chat: ChatRequest, gone: () => boolean): Promise<void> {
    if (gone()) throw new CancelledError();
    const base = [...this.#kept].reverse().find((t) => extendsTurn(chat.messages, t)) ?? null;
    const id = `chatcmpl-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    const chunk = (delta: Record<string, unknown>, finish: string | null) => ({
      id,
      object: 'chat.completion.chunk',
      created,
      model: this.#modelName,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    });
    const sse = (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`);
    if (chat.stream) {
      res.writeHead(200, { ...CORS_HEADERS, 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      sse(chunk({ role: 'assistant', content: '' }, null));
    }
    let turn: Turn;
    try {
      turn = await this.#engine.turn(
        {
          // The protocol's stage only labels the turn's statistics here.
          stage: 'coarse',
          messages: base ? chat.messages.slice(base.conversation.length) : chat.messages,
          after: base,
          maxNewTokens: chat.maxTokens,
          keep: true,
          stop: chat.stop,
          decoding: chat.decoding,
        },
        {
          phase: () => {},
          text: (text) => {
            if (chat.stream && text) sse(chunk({ content: text }, null));
          },
          cancel: cancelWhen(gone),
        },
      );
    } catch (e) {
      if (chat.stream && !(e instanceof CancelledError)) {
        sse({ error: { message: (e as Error).message, type: 'server_error', param: null, code: (e as { code?: string }).code ?? 'internal_error' } });
        res.end();
        return;
      }
      if (e instanceof CancelledError) {
        res.destroy();
        return;
      }
      throw new ApiError(500, (e as { code?: string }).code ?? 'internal_error', (e as Error).message, null, 'server_error');
    }
    if (turn.kept) this.#keep(turn);
    const s = turn.stats;
    const promptTokens = s.cachedTokens + s.prefillTokens;
    const usage: Usage = {
      prompt_tokens: promptTokens,
      completion_tokens: s.decodeTokens,
      total_tokens: promptTokens + s.decodeTokens,
      prompt_tokens_details: { cached_tokens: s.cachedTokens },
    };
    this.#usage.set(res, usage);
    if (chat.stream) {
      sse(chunk({}, turn.finish));
      if (chat.includeUsage) sse({ id, object: 'chat.completion.chunk', created, model: this.#modelName, choices: [], usage });
      res.end('data: [DONE]\n\n');
      return;
    }
    sendJson(res, 200, {
      id,
      object: 'chat.completion',
      created,
      model: this.#modelName,
      choices: [{ index: 0, message: { role: 'assistant', content: turn.text }, logprobs: null, finish_reason: turn.finish }],
      usage,
    });
  }

  /** Keeps `turn` for follow-ups; the oldest beyond the limit lets go of its cache. */
  #keep(turn: Turn): void {
    this.#kept.push(turn);
    while (this.#kept.length > this.#cachedTurns) this.#engine.release(this.#kept.shift()!);
  }
}
