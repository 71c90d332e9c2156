// ERGO's runs over the OpenAI-compatible engine, against `npm run serve`'s server on the Node
// engine: the whole conversation resent per turn, the box parsed, the ledger from the server's usage.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runErgo } from '../../pipeline/runs';
import { ChatServer } from '../../server/openaiServer';
import { loadNodeEngine } from '../node/load';
import { patternPng, recordingContext } from '../node/testImages';
import type { TransformersEngine } from '../transformers/engine';
import { apiBase, checkConnection } from '../../pipeline/serverConnection';
import { OpenAIEngine } from './engine';
import { encodePng } from './png';
import { decodeImageBytes } from '../node/decodeImage';

const SETTINGS = { budget: 64, maxNewTokens: 64, fallback: 'skip', directCap: 256 } as const;

describe('the OpenAI-compatible engine against npm run serve', () => {
  let local: TransformersEngine;
  let server: ChatServer;
  let endpoint: string;

  beforeAll(async () => {
    local = await loadNodeEngine({ model: 'tiny-scripted-qwen2_5_vl' });
    server = new ChatServer({ engine: local, modelName: 'ergo', apiKey: 'k' });
    endpoint = `http://127.0.0.1:${(await server.listen(0)).port}`;
  });
  afterAll(async () => {
    await server?.close();
    await local?.dispose();
  });

  it('runs ERGO: box, crop, answer; stage 2 reuses stage 1 on the server', async () => {
    const engine = new OpenAIEngine({ endpoint, model: 'ergo', apiKey: 'k' });
    const { ctx, events } = recordingContext(engine);
    await runErgo(ctx, { blob: new Blob([await patternPng(640, 480)]), name: 'p.png' }, 'What color is the square?', SETTINGS);
    expect(events.find((e) => e.type === 'box')).toMatchObject({ status: { kind: 'parsed', box: [100, 40, 180, 120], crop: { x1: 253, y1: 97, x2: 457, y2: 293 } } });
    const result = events.at(-1)!;
    expect(result).toMatchObject({ type: 'result', answer: 'red', backend: 'server', generation: { repetitionPenalty: null } });
    if (result.type !== 'result') return;
    const [coarse, fine] = result.stages;
    expect(coarse).toMatchObject({ visionTokens: 63, cachedTokens: 0 });
    // From the server's usage: stage 2's cached tokens are stage 1's prompt and reply.
    expect(fine!.cachedTokens).toBe(coarse!.prefillTokens + coarse!.decodeTokens);
    expect(fine!.visionTokens).toBe(49);
    const streamed = events.flatMap((e) => (e.type === 'partial' && e.stage === 'fine' ? [e.text] : [])).join('');
    expect(streamed).toBe('<think>the square is red</think><answer>red</answer>');
  });

  it('checks a connection: the models, or what is wrong', async () => {
    expect(await checkConnection({ endpoint, apiKey: 'k' })).toEqual({ ok: true, models: ['ergo'] });
    expect(await checkConnection({ endpoint: `${endpoint}/v1/`, apiKey: 'nope' })).toMatchObject({ ok: false, code: 'server-auth' });
    expect(await checkConnection({ endpoint: 'not a url' })).toMatchObject({ ok: false, code: 'bad-endpoint' });
    expect(await checkConnection({ endpoint: 'http://127.0.0.1:9' })).toMatchObject({ ok: false, code: 'server-unreachable' });
    expect(apiBase('http://h:8000/')).toBe('http://h:8000/v1');
  });

  it('a wrong model name is the server error, named', async () => {
    const engine = new OpenAIEngine({ endpoint, model: 'other', apiKey: 'k' });
    const { ctx } = recordingContext(engine);
    await expect(runErgo(ctx, { blob: new Blob([await patternPng(64, 64)]), name: 'p.png' }, 'q', SETTINGS)).rejects.toMatchObject({ code: 'server-not-found' });
  });

  it('encodes PNGs losslessly (RGB, as the official evaluation sends)', async () => {
    const img = { width: 5, height: 3, data: new Uint8ClampedArray(5 * 3 * 4).map((_, i) => (i % 4 === 3 ? 255 : (i * 37) % 256)) };
    const back = await decodeImageBytes(await encodePng(img), 'x.png');
    expect(back).toMatchObject({ width: 5, height: 3 });
    expect([...back.data]).toEqual([...img.data]);
  });
});
