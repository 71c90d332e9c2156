// The OpenAI-compatible server on the Node engine, checked with the official `openai` client:
// models, non-streamed and streamed completions with usage, stop, two turns reusing the prefix
// cache, queueing, a client that disconnects, and every refused request with its status and code.
import OpenAI from 'openai';
import { crc32, deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { coarseTurnMessages, ergoImageCost, fineTurnMessages, resizeRGBA, ERGO_PROMPTS } from '../app/core';
import { decodeImageBytes } from '../engines/node/decodeImage';
import { loadNodeEngine } from '../engines/node/load';
import { patternPng } from '../engines/node/testImages';
import { pngDataUrl } from '../engines/openai/png';
import type { TransformersEngine } from '../engines/transformers/engine';
import type { Engine, Turn, TurnIO, TurnRequest } from '../pipeline/engine';
import type { Decoding } from '../pipeline/protocol';
import { ChatServer, formatLogEntry, type RequestLogEntry } from './openaiServer';

const SCRIPTED = { coarse: '<think>the red square</think><zoom>[100, 40, 180, 120]</zoom>', fine: '<think>the square is red</think><answer>red</answer>' };
const QUESTION = 'What color is the square?';
const KEY = 'sk-test-key';
const MAX_BODY = 4 * 1024 * 1024;

/** The real engine, with a record of how each turn ended (to see a disconnect cancel one). */
class Recording implements Engine {
  readonly ended: string[] = [];
  constructor(readonly inner: Engine) {}
  get model() {
    return this.inner.model;
  }
  generation(decoding: Decoding) {
    return this.inner.generation(decoding);
  }
  async turn(req: TurnRequest, io: TurnIO): Promise<Turn> {
    try {
      const turn = await this.inner.turn(req, io);
      this.ended.push(`done ${turn.stats.decodeTokens}`);
      return turn;
    } catch (e) {
      this.ended.push((e as { code?: string }).code ?? 'error');
      throw e;
    }
  }
  release(turn: Turn): void {
    this.inner.release(turn);
  }
  dispose(): Promise<void> {
    return this.inner.dispose();
  }
}

type Message = OpenAI.Chat.Completions.ChatCompletionMessageParam;

/** A PNG that declares `width` x `height` (its header is all a decoder reads before refusing it). */
function pngHeaderOnly(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(Buffer.alloc(0))), chunk('IEND', Buffer.alloc(0))]);
}

describe('npm run serve, through the openai client', () => {
  let engine: TransformersEngine;
  let recording: Recording;
  let server: ChatServer;
  let base: string;
  let client: OpenAI;
  let coarseUrl: string;
  let cropUrl: string;
  const logged: RequestLogEntry[] = [];

  beforeAll(async () => {
    engine = await loadNodeEngine({ model: 'tiny-scripted-qwen2_5_vl' });
    recording = new Recording(engine);
    server = new ChatServer({ engine: recording, modelName: 'ergo-tiny', apiKey: KEY, maxBodyBytes: MAX_BODY, log: (entry) => logged.push(entry) });
    const address = await server.listen(0);
    base = `http://127.0.0.1:${address.port}/v1`;
    client = new OpenAI({ baseURL: base, apiKey: KEY, maxRetries: 0 });
    const original = await decodeImageBytes(await patternPng(640, 480), 'p.png');
    const coarse = ergoImageCost(original, 64);
    coarseUrl = await pngDataUrl(resizeRGBA(original, coarse.width, coarse.height, 'bicubic'));
    cropUrl = await pngDataUrl(resizeRGBA(original, 196, 196, 'lanczos'));
  });
  afterAll(async () => {
    await server?.close();
    await engine?.dispose();
  });

  /** ERGO's stage 1 as the official evaluation sends it. */
  const stage1 = (): Message[] => {
    const [system, user] = coarseTurnMessages(QUESTION, ERGO_PROMPTS);
    return [
      { role: 'system', content: system!.content.map((p) => (p.type === 'text' ? p.text : '')).join('') },
      { role: 'user', content: [{ type: 'image_url', image_url: { url: coarseUrl } }, { type: 'text', text: ERGO_PROMPTS.coarse(QUESTION) }] },
    ].filter(() => user !== undefined) as Message[];
  };
  const stage2 = (reply: string): Message[] => [
    ...stage1(),
    { role: 'assistant', content: reply },
    { role: 'user', content: [{ type: 'image_url', image_url: { url: cropUrl } }, { type: 'text', text: fineTurnMessages(QUESTION, reply).at(-1)!.content.map((p) => (p.type === 'text' ? p.text : '')).join('') }] },
  ];

  it('lists its model', async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['ergo-tiny']);
  });

  it('answers a non-streamed request with usage', async () => {
    const res = await client.chat.completions.create({ model: 'ergo-tiny', messages: stage1(), temperature: 0, max_tokens: 64, stop: ['<|im_end|>'] });
    expect(res.choices[0]!.message).toMatchObject({ role: 'assistant', content: SCRIPTED.coarse });
    expect(res.choices[0]!.finish_reason).toBe('stop');
    expect(res.usage!.prompt_tokens).toBeGreaterThan(63); // the 63 image tokens and the prompt
    // The reply's tokens and its closing <|im_end|>.
    expect(res.usage!.completion_tokens).toBeGreaterThan(1);
    expect(res.usage!.total_tokens).toBe(res.usage!.prompt_tokens + res.usage!.completion_tokens);
  });

  it('streams, with usage last when asked', async () => {
    const stream = await client.chat.completions.create({ model: 'ergo-tiny', messages: stage1(), max_tokens: 64, stream: true, stream_options: { include_usage: true } });
    let text = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined = null;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(SCRIPTED.coarse);
    expect(finish).toBe('stop');
    expect(chunks).toBeGreaterThan(5);
    expect(usage?.completion_tokens).toBeGreaterThan(1);
  });

  it('two turns: stage 2 reuses stage 1 as cached tokens, prompt plus output', async () => {
    const first = await client.chat.completions.create({ model: 'ergo-tiny', messages: stage1(), max_tokens: 64 });
    const reply = first.choices[0]!.message.content!;
    const second = await client.chat.completions.create({ model: 'ergo-tiny', messages: stage2(reply), max_tokens: 64 });
    expect(second.choices[0]!.message.content).toBe(SCRIPTED.fine);
    expect(second.usage!.prompt_tokens_details!.cached_tokens).toBe(first.usage!.prompt_tokens + first.usage!.completion_tokens);
    // A different reply in the history is a different conversation: nothing reused.
    const other = await client.chat.completions.create({ model: 'ergo-tiny', messages: stage2('<zoom>[0, 0, 50, 50]</zoom>'), max_tokens: 4 });
    expect(other.usage!.prompt_tokens_details!.cached_tokens).toBe(0);
  });

  it('logs each request once it ends: status, time and the usage it reported, never a key or a prompt', async () => {
    logged.length = 0;
    const res = await client.chat.completions.create({ model: 'ergo-tiny', messages: stage1(), max_tokens: 64 });
    await client.models.list();
    await new OpenAI({ baseURL: base, apiKey: 'sk-wrong', maxRetries: 0 }).models.list().catch(() => null);
    // An entry is written when its connection's response closes, which may come after the client has read it.
    await vi.waitFor(() => expect(logged).toHaveLength(3));
    expect(logged[0]).toMatchObject({ method: 'POST', path: '/v1/chat/completions', status: 200, usage: res.usage });
    expect(logged[1]).toMatchObject({ method: 'GET', path: '/v1/models', status: 200, usage: null });
    expect(logged[2]).toMatchObject({ method: 'GET', path: '/v1/models', status: 401, usage: null });
    const lines = logged.map(formatLogEntry);
    const { prompt_tokens, completion_tokens } = res.usage!;
    expect(lines[0]).toMatch(new RegExp(`^POST /v1/chat/completions 200 \\d+ ms, prompt ${prompt_tokens} \\(cached 0\\), completion ${completion_tokens}$`));
    for (const secret of [KEY, 'sk-wrong', QUESTION, 'base64']) expect(lines.join('\n')).not.toContain(secret);
  });

  it('stops before a stop string, and at max_tokens with finish_reason length', async () => {
    const stopped = await client.chat.completions.create({ model: 'ergo-tiny', messages: stage1(), max_tokens: 64, stop: '</think>' });
    expect(stopped.choices[0]!.message.content).toBe('<think>the red square');
    expect(stopped.choices[0]!.finish_reason).toBe('stop');
    const short = await client.chat.completions.create({ model: 'ergo-tiny', messages: stage1(), max_tokens: 3 });
    expect(short.choices[0]!.finish_reason).toBe('length');
    expect(short.usage!.completion_tokens).toBe(3);
  });

  it('queues concurrent requests and answers each', async () => {
    const all = await Promise.all([0, 1, 2].map(() => client.chat.completions.create({ model: 'ergo-tiny', messages: stage1(), max_tokens: 64 })));
    expect(all.map((r) => r.choices[0]!.message.content)).toEqual([SCRIPTED.coarse, SCRIPTED.coarse, SCRIPTED.coarse]);
  });

  it('a client that disconnects cancels its request, and the next one runs', async () => {
    const abort = new AbortController();
    const stream = await client.chat.completions.create({ model: 'ergo-tiny', messages: stage1(), max_tokens: 64, stream: true }, { signal: abort.signal });
    recording.ended.length = 0;
    try {
      for await (const chunk of stream) if (chunk.choices[0]?.delta.content) abort.abort();
    } catch {
      // The client's own abort ends its stream.
    }
    const next = await client.chat.completions.create({ model: 'ergo-tiny', messages: stage1(), max_tokens: 64 });
    expect(next.choices[0]!.message.content).toBe(SCRIPTED.coarse);
    expect(recording.ended[0]).toBe('cancelled');
  });

  describe('refuses bad requests with OpenAI-style errors, and keeps serving', () => {
    const raw = (body: string, headers: Record<string, string> = {}) =>
      fetch(`${base}/chat/completions`, { method: 'POST', body, headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', ...headers } });
    const imageMessage = (url: string): Message[] => [{ role: 'user', content: [{ type: 'image_url', image_url: { url } }, { type: 'text', text: 'q' }] }];
    const refusal = async (promise: Promise<unknown>) => {
      const e = (await promise.then(
        () => null,
        (err: unknown) => err,
      )) as InstanceType<typeof OpenAI.APIError> | null;
      expect(e).toBeInstanceOf(OpenAI.APIError);
      return { status: e!.status, code: e!.code, type: e!.type, message: e!.message };
    };

    it('malformed JSON: 400 invalid_json', async () => {
      const res = await raw('{"model": "ergo-tiny", "messages": [');
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'invalid_json', type: 'invalid_request_error' } });
    });

    it('an image part without its URL: 400 missing_image', async () => {
      const r = await refusal(client.chat.completions.create({ model: 'ergo-tiny', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: {} as { url: string } }] }] }));
      expect(r).toMatchObject({ status: 400, code: 'missing_image' });
    });

    it('an image that is not one: 400 invalid_image', async () => {
      const r = await refusal(client.chat.completions.create({ model: 'ergo-tiny', messages: imageMessage(`data:image/png;base64,${Buffer.from('not a png').toString('base64')}`) }));
      expect(r).toMatchObject({ status: 400, code: 'invalid_image' });
      const remote = await refusal(client.chat.completions.create({ model: 'ergo-tiny', messages: imageMessage('https://example.com/a.png') }));
      expect(remote).toMatchObject({ status: 400, code: 'invalid_image_url' });
    });

    it('an image over the 100 MP pixel limit: 400 image_too_large', async () => {
      const huge = pngHeaderOnly(10_001, 10_000);
      const r = await refusal(client.chat.completions.create({ model: 'ergo-tiny', messages: imageMessage(`data:image/png;base64,${huge.toString('base64')}`) }));
      expect(r).toMatchObject({ status: 400, code: 'image_too_large' });
      expect(r.message).toContain('10001x10000');
    });

    it('a body over the size limit: 413 request_too_large', async () => {
      const res = await raw(JSON.stringify({ model: 'ergo-tiny', messages: imageMessage(`data:image/png;base64,${'A'.repeat(MAX_BODY)}`) }));
      expect(res.status).toBe(413);
      expect(await res.json()).toMatchObject({ error: { code: 'request_too_large' } });
    });

    it('an unknown model: 404 model_not_found', async () => {
      const r = await refusal(client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }));
      expect(r).toMatchObject({ status: 404, code: 'model_not_found' });
    });

    it('a wrong or missing key: 401 invalid_api_key; the CORS preflight needs none', async () => {
      const wrong = new OpenAI({ baseURL: base, apiKey: 'sk-wrong', maxRetries: 0 });
      expect(await refusal(wrong.models.list())).toMatchObject({ status: 401, code: 'invalid_api_key' });
      const none = await fetch(`${base}/models`);
      expect(none.status).toBe(401);
      const preflight = await fetch(`${base}/chat/completions`, { method: 'OPTIONS', headers: { origin: 'http://example.test', 'access-control-request-method': 'POST' } });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
      expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
    });

    it('still serves after all of them', async () => {
      const res = await client.chat.completions.create({ model: 'ergo-tiny', messages: stage1(), max_tokens: 64 });
      expect(res.choices[0]!.message.content).toBe(SCRIPTED.coarse);
    });
  });
});
