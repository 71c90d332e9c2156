/**
 * Share links: the state a link carries (question, model, backend, settings, a public image URL,
 * a built-in sample's id, or the note that the image was local, a box, an OpenAI-compatible
 * server's endpoint and model name), encoded as URL search parameters, and the strict decoder that
 * restores it. Every value is validated and only ever used as data: unknown keys, bad values and
 * non-https image URLs are reported and dropped, never acted upon.
 *
 * A server's API key has no place in a link: there is no field for it, and an endpoint that could
 * carry one (credentials, a query or a fragment) is neither written nor read.
 */
import { boxIn, type CoarseBox } from '../core/geometry';
import type { BackendPreference, NoBoxFallback } from '../../pipeline/protocol';

export interface ShareState {
  readonly question?: string;
  readonly model?: string;
  readonly backend?: BackendPreference;
  readonly budget?: number;
  readonly fallback?: NoBoxFallback;
  readonly maxNewTokens?: number;
  /** A public https image, fetched with CORS by the recipient. */
  readonly imageUrl?: string;
  /** A built-in sample, by its stable id: the recipient's browser draws the same image. */
  readonly sample?: string;
  /** The sender's image was a local file: the recipient must supply it. */
  readonly localImage?: { readonly name: string; readonly width: number; readonly height: number };
  /** A box in coarse pixels to re-apply. */
  readonly box?: CoarseBox;
  /** The OpenAI-compatible server of `model=server`: shown to the recipient, used only once they accept it. */
  readonly server?: SharedServer;
}

export interface SharedServer {
  /** API base URL: http(s), without credentials, query or fragment. */
  readonly endpoint: string;
  /** The served model name. */
  readonly model: string;
}

export interface ShareProblem {
  readonly key: string;
  readonly message: string;
}

export const MAX_QUESTION = 2000;
const MAX_URL = 2048;
const MODEL_ID = /^[A-Za-z0-9][\w.-]{0,95}$/;
const SAMPLE_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
/** Served model names as servers spell them: `ergo`, `Qwen/Qwen2.5-VL-7B-Instruct`, `qwen2.5vl:7b`. */
const SERVED_MODEL = /^[A-Za-z0-9][\w./:-]{0,127}$/;
const KEYS = ['q', 'model', 'backend', 'budget', 'fallback', 'max', 'img', 'sample', 'local', 'box', 'endpoint', 'served'] as const;

/**
 * A server endpoint a link may carry, normalized, or null: http or https (servers on a LAN speak
 * http), and nothing where a secret could travel: no user or password, no query, no fragment.
 */
export function shareableEndpoint(value: string): string | null {
  if (value.length > MAX_URL) return null;
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return null;
  }
  const plain = (url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password && !url.search && !url.hash && !value.includes('?') && !value.includes('#');
  return plain ? url.href.replace(/\/+$/, '') : null;
}

/** The server, when both its endpoint and its model name may go into a link; else nothing. */
function shareableServer(server: SharedServer): SharedServer | null {
  const endpoint = shareableEndpoint(server.endpoint);
  const model = server.model.trim();
  return endpoint && SERVED_MODEL.test(model) ? { endpoint, model } : null;
}

/** The search string (`?...`) for `state`; empty fields are left out. */
export function encodeShareState(state: ShareState): string {
  const p = new URLSearchParams();
  if (state.question) p.set('q', state.question);
  if (state.model) p.set('model', state.model);
  if (state.backend) p.set('backend', state.backend);
  if (state.budget) p.set('budget', String(state.budget));
  if (state.fallback) p.set('fallback', state.fallback);
  if (state.maxNewTokens) p.set('max', String(state.maxNewTokens));
  if (state.imageUrl) p.set('img', state.imageUrl);
  if (state.sample) p.set('sample', state.sample);
  if (state.localImage) p.set('local', `${state.localImage.width}x${state.localImage.height}:${state.localImage.name}`);
  if (state.box) p.set('box', state.box.map((v) => Math.round(v)).join(','));
  const server = state.server && shareableServer(state.server);
  if (server) {
    p.set('endpoint', server.endpoint);
    p.set('served', server.model);
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

function int(value: string, min: number, max: number): number | null {
  if (!/^\d{1,7}$/.test(value)) return null;
  const n = Number(value);
  return n >= min && n <= max ? n : null;
}

/** A safe https URL (no credentials), or null. */
export function httpsImageUrl(value: string): string | null {
  if (value.length > MAX_URL) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  return url.protocol === 'https:' && !url.username && !url.password ? url.href : null;
}

/**
 * Reads a search string. `isModel` says whether an id names a registry entry, `isSample` whether
 * one names a built-in sample. Returns what is valid and a problem per rejected parameter.
 */
export function decodeShareState(search: string, isModel: (id: string) => boolean, isSample: (id: string) => boolean = () => false): { state: ShareState; problems: ShareProblem[] } {
  const params = new URLSearchParams(search);
  const state: { -readonly [K in keyof ShareState]: ShareState[K] } = {};
  const problems: ShareProblem[] = [];
  let sharedEndpoint: string | null = null;
  let sharedModel: string | null = null;
  const reject = (key: string, message: string) => problems.push({ key, message });
  for (const [key, value] of params) {
    switch (key as (typeof KEYS)[number]) {
      case 'q':
        if (value.length <= MAX_QUESTION) state.question = value;
        else reject(key, `the question is longer than ${MAX_QUESTION} characters`);
        break;
      case 'model':
        if (MODEL_ID.test(value) && isModel(value)) state.model = value;
        else reject(key, `unknown model "${value.slice(0, 60)}"`);
        break;
      case 'backend':
        if (value === 'auto' || value === 'webgpu' || value === 'wasm') state.backend = value;
        else reject(key, `unknown backend "${value.slice(0, 20)}" (use auto, webgpu or wasm)`);
        break;
      case 'budget': {
        const n = int(value, 64, 16384);
        if (n !== null) state.budget = n;
        else reject(key, 'the budget must be a whole number of tokens from 64 to 16384');
        break;
      }
      case 'fallback':
        if (value === 'skip' || value === 'full-image') state.fallback = value;
        else reject(key, 'the fallback must be "skip" or "full-image"');
        break;
      case 'max': {
        const n = int(value, 1, 4096);
        if (n !== null) state.maxNewTokens = n;
        else reject(key, 'max new tokens must be from 1 to 4096');
        break;
      }
      case 'img': {
        const url = httpsImageUrl(value);
        if (url) state.imageUrl = url;
        else reject(key, 'the image link must be a plain https URL');
        break;
      }
      case 'sample':
        if (SAMPLE_ID.test(value) && isSample(value)) state.sample = value;
        else reject(key, `unknown sample "${value.slice(0, 40)}"`);
        break;
      case 'local': {
        const m = /^(\d{1,6})x(\d{1,6}):(.{1,200})$/s.exec(value);
        if (m) state.localImage = { width: Number(m[1]), height: Number(m[2]), name: m[3]! };
        else reject(key, 'the local-image note is malformed');
        break;
      }
      case 'box': {
        const parts = value.split(',');
        const nums = parts.map((v) => int(v, 0, 1_000_000));
        if (parts.length === 4 && nums.every((n) => n !== null)) state.box = boxIn('coarse', nums);
        else reject(key, 'the box must be four whole numbers x1,y1,x2,y2');
        break;
      }
      case 'endpoint': {
        const endpoint = shareableEndpoint(value);
        if (endpoint) sharedEndpoint = endpoint;
        else reject(key, 'the server endpoint must be a plain http(s) URL, without credentials, query or fragment');
        break;
      }
      case 'served':
        if (SERVED_MODEL.test(value)) sharedModel = value;
        else reject(key, `the served model name "${value.slice(0, 40)}" is not one a server would use`);
        break;
      default:
        reject(key, `unknown parameter "${key.slice(0, 30)}"`);
    }
  }
  // A server comes whole (endpoint and model name) and only with the server model.
  if (sharedEndpoint && sharedModel && state.model === 'server') state.server = { endpoint: sharedEndpoint, model: sharedModel };
  else if (sharedEndpoint || sharedModel) reject(sharedEndpoint ? 'endpoint' : 'served', 'a server is shared as model=server with both its endpoint and its served model name');
  // One image per link: a public URL wins over a sample, a sample over a local-file note.
  if (state.imageUrl && state.sample) {
    reject('sample', 'a link names one image: a public image or a sample, not both');
    delete state.sample;
  }
  if ((state.imageUrl || state.sample) && state.localImage) {
    reject('local', `a link names one image: ${state.imageUrl ? 'a public image' : 'a sample'} or a local one, not both`);
    delete state.localImage;
  }
  return { state, problems };
}
