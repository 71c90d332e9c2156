/**
 * Talking to an OpenAI-compatible server, the part every host shares: the API base URL, the
 * request headers, the server's errors, and "Test connection" (`GET /models`). The UI calls the
 * check from the page, the worker before it connects the OpenAI engine, `npm run eval` before a
 * run; the engine itself (engines/openai) builds on the same pieces.
 */
import { EngineError } from './errors';

export interface ServerConnection {
  /** Base URL of the API, e.g. `http://127.0.0.1:8000/v1` (a trailing `/v1` is added when missing). */
  readonly endpoint: string;
  /** The served model name (`--served-model-name`). */
  readonly model: string;
  readonly apiKey?: string;
}

/** `http://host:8000` or `http://host:8000/v1/` -> `http://host:8000/v1`. */
export function apiBase(endpoint: string): string {
  const trimmed = endpoint.trim().replace(/\/+$/, '');
  return /\/v\d+$/.test(trimmed) ? trimmed : `${trimmed}/v1`;
}

/** The JSON content type when a body is sent, and the bearer key when there is one. */
export function serverHeaders(apiKey: string | undefined, json: boolean): Record<string, string> {
  return { ...(json ? { 'content-type': 'application/json' } : {}), ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) };
}

/** The server's error message from an OpenAI-style error body, else the status line. */
export async function serverError(res: Response, what: string): Promise<EngineError> {
  let detail = `${res.status} ${res.statusText}`;
  try {
    const body = (await res.json()) as { error?: { message?: string } | string; message?: string };
    const message = typeof body.error === 'string' ? body.error : (body.error?.message ?? body.message);
    if (message) detail = `${res.status}: ${message}`;
  } catch {
    // Not JSON: the status line says it all.
  }
  const code = res.status === 401 || res.status === 403 ? 'server-auth' : res.status === 404 ? 'server-not-found' : 'server-error';
  return new EngineError(code, `${what} answered ${detail}`);
}

export type ConnectionCheck =
  | { readonly ok: true; readonly models: readonly string[] }
  | {
      readonly ok: false;
      /**
       * `cors`: the server answered, but not to this page. `cors-or-unreachable`: a cross-origin
       * isolated page cannot tell that from a server that is not there (see `checkConnection`).
       */
      readonly code: string;
      readonly message: string;
      /** The URL that was asked, for the user to open in a tab of its own. */
      readonly url?: string;
    };

/** The page's own origin in a browser (page or worker), else null (Node). */
function pageOrigin(): string | null {
  return typeof location === 'object' && typeof location.origin === 'string' && /^https?:/.test(location.origin) ? location.origin : null;
}

/** What to start a server with so that `origin` may call it, for the servers the app is used with. */
function corsFix(origin: string): string {
  return `vLLM: --allowed-origins '["${origin}"]'; Ollama: OLLAMA_ORIGINS=${origin}; other servers: their CORS setting`;
}

/**
 * Lists the server's models (`GET /models`). A browser reports a refused CORS request like an
 * unreachable host. Where the page may make opaque requests, a failed request is sent again as
 * `no-cors`: if that one gets through, the server is there and it is CORS that blocks this page.
 * A cross-origin isolated page (COEP `require-corp`, as this app is served for threaded wasm)
 * gets an error for that too, whatever the server does, so there the message names both causes
 * and how to tell them apart.
 */
export async function checkConnection(conn: Pick<ServerConnection, 'endpoint' | 'apiKey'>, fetcher: typeof fetch = fetch): Promise<ConnectionCheck> {
  let url: string;
  try {
    url = new URL(`${apiBase(conn.endpoint)}/models`).href;
  } catch {
    return { ok: false, code: 'bad-endpoint', message: `"${conn.endpoint}" is not a URL (expected e.g. http://127.0.0.1:8000/v1)` };
  }
  let res: Response;
  try {
    res = await fetcher(url, { headers: serverHeaders(conn.apiKey, false) });
  } catch (e) {
    const origin = pageOrigin();
    if (origin === null) return { ok: false, code: 'server-unreachable', message: `could not reach ${url}: ${(e as Error).message}. Is the server running, and is the address right?`, url };
    if (typeof crossOriginIsolated === 'boolean' && crossOriginIsolated) {
      return {
        ok: false,
        code: 'cors-or-unreachable',
        message: `${url} gave this page no answer it may read. Either its CORS settings do not allow this page (${origin}), or no server runs there; this page is cross-origin isolated, so the browser does not say which. Open the URL in a tab of its own: if it answers, allow this origin on the server (${corsFix(origin)}); if not, start the server or correct the address.`,
        url,
      };
    }
    const reachable = await fetcher(url, { mode: 'no-cors' }).then(
      () => true,
      () => false,
    );
    if (reachable) {
      return {
        ok: false,
        code: 'cors',
        message: `${url} answered, but its CORS settings do not allow this page (${origin}). Start the server with this origin allowed (${corsFix(origin)}).`,
        url,
      };
    }
    return { ok: false, code: 'server-unreachable', message: `could not reach ${url}: ${(e as Error).message}. Is the server running, and is the address right?`, url };
  }
  if (!res.ok) {
    const err = await serverError(res, url);
    return { ok: false, code: err.code, message: err.message, url };
  }
  const body = (await res.json().catch(() => null)) as { data?: { id?: unknown }[] } | null;
  const models = (body?.data ?? []).flatMap((m) => (typeof m.id === 'string' ? [m.id] : []));
  return { ok: true, models };
}
