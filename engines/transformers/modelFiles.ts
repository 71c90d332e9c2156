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

export function fileReader(source: LocalModelSource, siteUrl: string, hubHost: string): ModelFileReader {
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
      };
    }
    case 'site':
      return urlReader(new URL(`models/${source.path}/`, siteUrl).href);
    case 'hub':
      return urlReader(`${hubHost.replace(/\/?$/, '/')}${source.repo}/resolve/main/`);
    default:
      return source satisfies never;
  }
}

function urlReader(base: string): ModelFileReader {
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
  };
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
