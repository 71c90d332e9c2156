import { describe, expect, it } from 'vitest';
import { boxIn } from '../core/geometry';
import { decodeShareState, encodeShareState, type ShareState } from './shareState';

const isModel = (id: string) => ['tiny-random-qwen2_5_vl', 'qwen2-vl-2b'].includes(id);

describe('share links', () => {
  it('round-trips the state', () => {
    const state: ShareState = {
      question: 'What does the sign say? (50% & more)',
      model: 'tiny-random-qwen2_5_vl',
      backend: 'wasm',
      budget: 640,
      fallback: 'full-image',
      maxNewTokens: 256,
      imageUrl: 'https://example.org/a%20b.jpg?x=1',
      box: boxIn('coarse', [10, 20, 300, 400]),
    };
    expect(decodeShareState(encodeShareState(state), isModel)).toEqual({ state, problems: [] });
    const local: ShareState = { question: 'q', localImage: { name: 'my photo.png', width: 3840, height: 2160 } };
    expect(decodeShareState(encodeShareState(local), isModel).state).toEqual(local);
  });

  it('rejects hostile and malformed parameters with a message, keeping the rest', () => {
    const search =
      '?q=ok&img=javascript:alert(1)&model=../../etc&backend=cuda&budget=1e9&box=1,2,3&max=-5&fallback=eval&__proto__=x&img=http://plain.example/a.png';
    const { state, problems } = decodeShareState(search, isModel);
    expect(state).toEqual({ question: 'ok' });
    expect(problems.map((p) => p.key)).toEqual(['img', 'model', 'backend', 'budget', 'box', 'max', 'fallback', '__proto__', 'img']);
    expect(Object.getPrototypeOf(state)).toBe(Object.prototype);
  });

  it('refuses credentials in image URLs, oversized values, and both image kinds at once', () => {
    expect(decodeShareState('?img=https://user:pw@example.org/a.png', isModel).problems).toHaveLength(1);
    expect(decodeShareState(`?q=${'x'.repeat(2001)}`, isModel).problems[0]!.message).toContain('2000');
    const both = decodeShareState('?img=https://example.org/a.png&local=10x10:a.png', isModel);
    expect(both.state.localImage).toBeUndefined();
    expect(both.problems[0]!.key).toBe('local');
  });

  it('names a built-in sample by its stable id, so the recipient draws the same image (box included)', () => {
    const isSample = (id: string) => id === 'street-4k';
    const state: ShareState = { question: 'What does the sign say?', sample: 'street-4k', box: boxIn('coarse', [800, 400, 900, 460]) };
    const search = encodeShareState(state);
    expect(search).toContain('sample=street-4k');
    expect(search).not.toContain('local=');
    expect(decodeShareState(search, isModel, isSample)).toEqual({ state, problems: [] });
    expect(decodeShareState('?sample=street-4k.png', isModel, isSample).problems.map((p) => p.key)).toEqual(['sample']);
    expect(decodeShareState('?sample=nope', isModel, isSample).problems[0]!.message).toBe('unknown sample "nope"');
    const both = decodeShareState('?sample=street-4k&local=10x10:a.png', isModel, isSample);
    expect(both.state).toEqual({ sample: 'street-4k' });
    expect(both.problems.map((p) => p.key)).toEqual(['local']);
  });
});

describe('share links with a server', () => {
  const withServer = (id: string) => id === 'server' || isModel(id);
  const server = { endpoint: 'http://127.0.0.1:8008/v1', model: 'Qwen/Qwen2.5-VL-7B-Instruct' };

  it('carry the endpoint and the served model name with model=server', () => {
    const state: ShareState = { question: 'q', model: 'server', server };
    const search = encodeShareState(state);
    expect(new URLSearchParams(search).get('endpoint')).toBe('http://127.0.0.1:8008/v1');
    expect(new URLSearchParams(search).get('served')).toBe('Qwen/Qwen2.5-VL-7B-Instruct');
    expect(decodeShareState(search, withServer)).toEqual({ state, problems: [] });
    // An endpoint typed with a trailing slash is written without it; a bare host stays a bare host.
    expect(new URLSearchParams(encodeShareState({ model: 'server', server: { endpoint: ' http://gpu.lan:8000/ ', model: 'ergo' } })).get('endpoint')).toBe('http://gpu.lan:8000');
  });

  it('never carry an API key: no field for one, and no endpoint where one could hide', () => {
    const secret = 'sk-secret-123';
    // The store's server object with a key beside it: only the endpoint and the name are written.
    const held = { ...server, apiKey: secret };
    expect(encodeShareState({ model: 'server', server: held })).not.toContain(secret);
    for (const endpoint of [`http://user:${secret}@127.0.0.1:8008/v1`, `http://127.0.0.1:8008/v1?api_key=${secret}`, `http://127.0.0.1:8008/v1#${secret}`, `http://127.0.0.1:8008/v1?`]) {
      const search = encodeShareState({ model: 'server', server: { endpoint, model: 'ergo' } });
      expect(search).not.toContain(secret);
      expect(new URLSearchParams(search).has('endpoint')).toBe(false);
    }
    // A hand-made link with a key is refused where the key stands, and the key is kept nowhere.
    const hostile = `?model=server&endpoint=${encodeURIComponent(`http://u:${secret}@h:8000/v1`)}&served=ergo&key=${secret}&api_key=${secret}`;
    const { state, problems } = decodeShareState(hostile, withServer);
    expect(JSON.stringify(state)).not.toContain(secret);
    expect(state.server).toBeUndefined();
    expect(problems.map((p) => p.key)).toEqual(['endpoint', 'key', 'api_key', 'served']);
  });

  it('refuse other schemes, odd names, and a server without model=server or without its name', () => {
    const decode = (search: string) => decodeShareState(search, withServer);
    expect(decode('?model=server&endpoint=javascript:alert(1)&served=ergo').state.server).toBeUndefined();
    expect(decode('?model=server&endpoint=file:///etc/passwd&served=ergo').state.server).toBeUndefined();
    expect(decode('?model=server&endpoint=http://h:8000/v1&served=<script>').problems[0]!.key).toBe('served');
    const noModel = decode('?endpoint=http://h:8000/v1&served=ergo');
    expect(noModel.state.server).toBeUndefined();
    expect(noModel.problems[0]!.message).toContain('model=server');
    expect(decode('?model=server&endpoint=http://h:8000/v1').problems[0]!.key).toBe('endpoint');
    // model=server alone is fine: it picks the server panel and fills nothing in.
    expect(decode('?model=server')).toEqual({ state: { model: 'server' }, problems: [] });
  });
});
