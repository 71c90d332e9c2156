/**
 * The small files of a model (configs) and the sizes of its ONNX files, read before transformers.js
 * downloads anything large. One reader per source: the site (`<site>/models/<path>/`), the Hub
 * (`<host><repo>/resolve/main/`, the URLs transformers.js itself fetches and caches), or a picked
 * folder (its Blobs).
 */
import type { LocalModelSource } from '../../pipeline/protocol';

/** Most chunks transformers.js 4.3.1 accepts for one file's external data. */
export const MAX_EXTERNAL_CHUNKS = 100;

export interface ModelFileReader {
  /** The file's text, or null when the source has no such file. Throws on network failure. */
  text(path: string): Promise<string | null>;
  /** The file's size in bytes, or null when it is missing. */
  size(path: string): Promise<number | null>;
}

/** A model's files as the runtime takes them, for creating its sessions in the browser (`sessions.ts`). */
export interface ModelFiles extends ModelFileReader {
  /**
   * The file at `path` (`onnx/...`): a Blob where the browser keeps the bytes outside the page (a
   * picked file, a Cache API entry), else the bytes themselves. `onBytes` reports a download.
   */
  data(path: string, onBytes: (loaded: number) => void): Promise<Blob | Uint8Array<ArrayBuffer>>;
}

/**
 * The browser's readers. A picked folder's files are its Blobs (the files on disk). The site's are
 * downloaded when asked for, so they are in the page only while their session is created: a Blob
 * made in the page would be one more copy, in the browser process. The Hub's go through the Cache
 * API, under the cache name and key (the file's Hub URL) that transformers.js uses, so a file is
 * downloaded once and the model panel lists and deletes it with the others; its body is streamed
 * into the cache and read back as a Blob the browser keeps on disk.
 */
export function fileReader(source: LocalModelSource, siteUrl: string, hubHost: string, cacheName: string): ModelFiles {
  switch (source.kind) {
    case 'files': {
      const byPath = new Map(source.files.map((f) => [f.path.replace(/^\/+/, ''), f.blob]));
      return {
        async text(path) {
          return (await byPath.get(path)?.text()) ?? null;
        },
        async size(path) {
          return byPath.get(path)?.size ?? null;
        },
        async data(path) {
          const blob = byPath.get(path);
          if (!blob) throw new HttpError(404, path);
          return blob;
        },
      };
    }
    case 'site':
      return urlReader(new URL(`models/${source.path}/`, siteUrl).href, null);
    case 'hub':
      return urlReader(`${hubHost.replace(/\/?$/, '/')}${source.repo}/resolve/main/`, cacheName);
    default:
      return source satisfies never;
  }
}

function urlReader(base: string, cacheName: string | null): ModelFiles {
  return {
    async text(path) {
      const res = await fetch(base + path);
      if (res.status === 404) return null;
      if (!res.ok) throw new HttpError(res.status, path);
      return res.text();
    },
    async size(path) {
      const res = await fetch(base + path, { method: 'HEAD' });
      if (res.status === 404) return null;
      if (!res.ok) throw new HttpError(res.status, path);
      // The Hub answers LFS files with a redirect; the final response carries the size.
      const length = res.headers.get('x-linked-size') ?? res.headers.get('content-length');
      return length === null ? 0 : Number(length);
    },
    async data(path, onBytes) {
      const url = base + path;
      const cache = cacheName !== null && 'caches' in globalThis ? await caches.open(cacheName) : null;
      const hit = await cache?.match(url);
      if (hit) return hit.blob();
      const res = await fetch(url);
      if (!res.ok) throw new HttpError(res.status, path);
      if (!cache || !res.body) return readBody(res, onBytes);
      // A reload during the download leaves no entry: the file starts again, finished files stay.
      await cache.put(url, new Response(res.body.pipeThrough(counter(onBytes)), { headers: res.headers }));
      const stored = await cache.match(url);
      if (!stored) throw new HttpError(500, path);
      return stored.blob();
    },
  };
}

/** Counts the bytes that pass. */
function counter(onBytes: (loaded: number) => void): TransformStream<Uint8Array<ArrayBuffer>, Uint8Array<ArrayBuffer>> {
  let loaded = 0;
  return new TransformStream({
    transform(chunk, out) {
      loaded += chunk.byteLength;
      onBytes(loaded);
      out.enqueue(chunk);
    },
  });
}

/**
 * A body read into one buffer of its announced length. A byte stream's BYOB reader writes into that
 * buffer directly; the default reader hands out a new chunk per read, which stays in memory until a
 * garbage collection runs: for a 933 MB file, half a gigabyte more at the peak (`npm run bench real`).
 */
async function readBody(res: Response, onBytes: (loaded: number) => void): Promise<Uint8Array<ArrayBuffer>> {
  const length = Number(res.headers.get('content-length'));
  if (!res.body || !Number.isSafeInteger(length) || length <= 0) return new Uint8Array(await res.arrayBuffer());
  let byob: ReadableStreamBYOBReader | null = null;
  try {
    byob = res.body.getReader({ mode: 'byob' });
  } catch {
    // Not a byte stream here: read chunks and copy them.
  }
  return byob ? readInto(byob, length, onBytes) : readChunks(res.body.getReader(), length, onBytes);
}

async function readInto(reader: ReadableStreamBYOBReader, length: number, onBytes: (loaded: number) => void): Promise<Uint8Array<ArrayBuffer>> {
  // Each read takes the buffer and gives it back (transferred) with the bytes written.
  let buffer = new ArrayBuffer(length);
  let loaded = 0;
  while (loaded < length) {
    const { done, value } = await reader.read(new Uint8Array(buffer, loaded, length - loaded));
    if (done || !value) break;
    buffer = value.buffer;
    loaded += value.byteLength;
    onBytes(loaded);
  }
  if (loaded !== length) throw new Error(`the body ended after ${loaded} of ${length} bytes`);
  if (!(await reader.read(new Uint8Array(1))).done) throw new Error(`the body is longer than its content-length (${length})`);
  return new Uint8Array(buffer);
}

async function readChunks(reader: ReadableStreamDefaultReader<Uint8Array>, length: number, onBytes: (loaded: number) => void): Promise<Uint8Array<ArrayBuffer>> {
  const out = new Uint8Array(length);
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (loaded + value.byteLength > length) throw new Error(`the body is longer than its content-length (${length})`);
    out.set(value, loaded);
    loaded += value.byteLength;
    onBytes(loaded);
  }
  if (loaded !== length) throw new Error(`the body ended after ${loaded} of ${length} bytes`);
  return out;
}

/** A file's bytes in the page (a Blob is read whole). */
export async function bytesOf(data: Blob | Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  return data instanceof Blob ? new Uint8Array(await data.arrayBuffer()) : data;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly path: string,
  ) {
    super(`HTTP ${status} for ${path}`);
  }
}

export interface OnnxFileSizes {
  /** `onnx/<name>.onnx` and each of its external-data chunks, with sizes. */
  readonly files: readonly { readonly path: string; readonly bytes: number }[];
  /** External data chunks per ONNX file name (`decoder_model_merged_q4.onnx` -> 2), only where there are any. */
  readonly chunks: Readonly<Record<string, number>>;
  readonly missing: readonly string[];
}

/**
 * Sizes of the ONNX files transformers.js will fetch for `names` (`embed_tokens_fp16`, ...), and of
 * their external data chunks `X.onnx_data`, `X.onnx_data_1`, ... found by probing in order.
 */
export async function onnxFileSizes(reader: ModelFileReader, names: readonly string[]): Promise<OnnxFileSizes> {
  const files: { path: string; bytes: number }[] = [];
  const chunks: Record<string, number> = {};
  const missing: string[] = [];
  await Promise.all(
    names.map(async (name) => {
      const path = `onnx/${name}.onnx`;
      const bytes = await reader.size(path);
      if (bytes === null) {
        missing.push(path);
        return;
      }
      files.push({ path, bytes });
      for (let i = 0; i < MAX_EXTERNAL_CHUNKS; i++) {
        const chunk = `${path}_data${i === 0 ? '' : `_${i}`}`;
        const size = await reader.size(chunk);
        if (size === null) break;
        files.push({ path: chunk, bytes: size });
        chunks[`${name}.onnx`] = i + 1;
      }
    }),
  );
  return { files, chunks, missing: missing.sort() };
}
