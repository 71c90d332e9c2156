/**
 * The browser's ONNX sessions, created one at a time so that a model file is held twice only while
 * its own session is created: transformers.js' `from_pretrained` fetches every file of every session
 * into JS buffers at once, and onnxruntime-web then copies each into its own memory (the wasm heap,
 * or GPU buffers), so the load peak is about twice the model. Here a session's files are fetched
 * when that session is created (a picked file or a cached Hub file as a Blob, kept by the browser on
 * disk until then), and dropped as soon as it exists.
 *
 * The embed_tokens file gets no session when its graph is one the page evaluates exactly
 * (`embeddings.ts`): its table (three quarters of a Qwen2-VL-2B) is then held once, in the page, as
 * a view on the downloaded bytes, instead of twice while a session copies it. Otherwise its session
 * is created like the others.
 *
 * onnxruntime-web's asyncify build reads a Blob of external data whole when its session is created;
 * its JSPI build streams it tensor by tensor. Either way the peak is what earlier sessions hold plus
 * twice the current one (its largest tensor, with JSPI). That is smallest when the largest session
 * is created first, and the embedding table is read last (see `creationOrder`).
 *
 * Node does not need this: transformers.js hands onnxruntime-node file paths, and it reads them itself.
 */
import { InferenceSession } from 'onnxruntime-web/webgpu';
import type { LoadPhase } from '../../pipeline/protocol';
import type { Dtype, OnnxFile } from '../../pipeline/registry';
import { embeddingTable, type EmbeddingTable } from './embeddings';
import { DTYPE_SUFFIX } from './folderDtypes';
import { bytesOf, type ModelFiles } from './modelFiles';

export interface SessionPlan {
  readonly dtypes: Readonly<Record<OnnxFile, Dtype>>;
  readonly device: 'wasm' | 'webgpu';
  /** Sizes of every ONNX file and external-data chunk (`onnx/...`), from the loader's check. */
  readonly files: readonly { readonly path: string; readonly bytes: number }[];
  /** Outputs of the decoder kept on the GPU between steps (its `present.*` cache) on WebGPU. */
  readonly gpuOutputs: readonly string[];
  readonly onProgress: (
    e: { file: string; loaded: number; total: number; status: 'initiate' | 'progress' | 'done' } | { status: 'total'; loaded: number; total: number } | { status: 'phase'; phase: LoadPhase; file: string | null },
  ) => void;
}

export interface SessionFiles {
  readonly name: OnnxFile;
  readonly model: { readonly path: string; readonly bytes: number };
  readonly chunks: readonly { readonly path: string; readonly bytes: number }[];
  readonly bytes: number;
}

/**
 * Largest first, embed_tokens last. Creating session k costs what sessions 1..k-1 already hold plus
 * twice session k (its bytes in the page and in the runtime); swapping two neighbours so the larger
 * goes first never raises that maximum, so descending order minimizes it. The embedding table,
 * looked up in the page, costs its size once and for good: read last, no other file is held twice
 * on top of it. (An embed_tokens graph the page does not evaluate then gets its session last, at
 * twice its size on top of the others: the price of knowing only once its file is read.)
 */
export function creationOrder<T extends { readonly name: OnnxFile; readonly bytes: number }>(sessions: readonly T[]): T[] {
  const last = (s: T) => (s.name === 'embed_tokens' ? 1 : 0);
  return [...sessions].sort((a, b) => last(a) - last(b) || b.bytes - a.bytes);
}

/** The model file of session `name` at `dtype`, and its external data chunks, among the model's ONNX files. */
export function sessionFiles(name: OnnxFile, dtype: Dtype, files: readonly { readonly path: string; readonly bytes: number }[]): SessionFiles {
  const path = `onnx/${name}${DTYPE_SUFFIX[dtype]}.onnx`;
  const model = files.find((f) => f.path === path) ?? { path, bytes: 0 };
  const chunks = files.filter((f) => f.path.startsWith(`${path}_data`));
  return { name, model, chunks, bytes: model.bytes + chunks.reduce((n, c) => n + c.bytes, 0) };
}

/** The name a model file gives its external data chunk (its path beside the model, under `onnx/`). */
export const externalDataName = (chunkPath: string): string => chunkPath.slice('onnx/'.length);

function filesOf(plan: SessionPlan): SessionFiles[] {
  return (Object.entries(plan.dtypes) as [OnnxFile, Dtype][]).map(([name, dtype]) => sessionFiles(name, dtype, plan.files));
}

/**
 * Frees the bytes of a file the runtime has copied, at once: left to the garbage collector they can
 * stay in memory while the next file downloads. Detaching a buffer (`ArrayBuffer.prototype.transfer`,
 * Chromium 114+) releases its memory; a Blob's bytes are the browser's, not the page's.
 */
function release(data: Blob | Uint8Array): void {
  if (data instanceof Blob || !(data.buffer instanceof ArrayBuffer)) return;
  const buffer: ArrayBuffer & { transfer?: (length: number) => ArrayBuffer } = data.buffer;
  buffer.transfer?.(0);
}

export interface CreatedSessions {
  /** The sessions, without embed_tokens when `embeddings` replaces it. */
  readonly sessions: Partial<Record<OnnxFile, InferenceSession>>;
  /** The page's embedding lookup, or null when embed_tokens has its session. */
  readonly embeddings: EmbeddingTable | null;
}

/** Creates the sessions of `plan`, one at a time, in `creationOrder`; releases them all if one fails. */
export async function createSessions(plan: SessionPlan, source: ModelFiles): Promise<CreatedSessions> {
  const sessions: Partial<Record<OnnxFile, InferenceSession>> = {};
  let embeddings: EmbeddingTable | null = null;
  const ordered = creationOrder(filesOf(plan));
  const total = ordered.reduce((n, s) => n + s.bytes, 0);
  let done = 0;
  try {
    for (const files of ordered) {
      plan.onProgress({ status: 'phase', phase: 'download', file: null });
      const fetchFile = async (f: { path: string; bytes: number }): Promise<Blob | Uint8Array<ArrayBuffer>> => {
        plan.onProgress({ status: 'initiate', file: f.path, loaded: 0, total: f.bytes });
        const data = await source.data(f.path, (loaded) => {
          plan.onProgress({ status: 'progress', file: f.path, loaded, total: f.bytes });
          plan.onProgress({ status: 'total', loaded: done + loaded, total });
        });
        const bytes = data instanceof Blob ? data.size : data.byteLength;
        done += bytes;
        plan.onProgress({ status: 'done', file: f.path, loaded: bytes, total: bytes });
        plan.onProgress({ status: 'total', loaded: done, total });
        return data;
      };
      const model = await bytesOf(await fetchFile(files.model));
      const externalData: { path: string; data: Blob | Uint8Array }[] = [];
      for (const chunk of files.chunks) {
        const data = await fetchFile(chunk);
        // The lookup reads its table from the bytes; a session takes the Blob as it is.
        externalData.push({ path: externalDataName(chunk.path), data: files.name === 'embed_tokens' ? await bytesOf(data) : data });
      }
      if (files.name === 'embed_tokens') {
        const bytes = new Map(externalData.flatMap((c) => (c.data instanceof Uint8Array ? [[c.path, c.data] as const] : [])));
        embeddings = embeddingTable(model, bytes);
        if (embeddings) continue;
      }
      plan.onProgress({ status: 'phase', phase: 'session', file: files.model.path });
      const outputs = files.name === 'decoder_model_merged' && plan.device === 'webgpu' ? plan.gpuOutputs : [];
      sessions[files.name] = await InferenceSession.create(model, {
        executionProviders: [plan.device],
        externalData,
        // Errors only: onnxruntime's warnings on session creation are many and not actionable here.
        logSeverityLevel: 3,
        ...(outputs.length > 0 ? { preferredOutputLocation: Object.fromEntries(outputs.map((name) => [name, 'gpu-buffer' as const])) } : {}),
      });
      release(model);
      for (const chunk of externalData) release(chunk.data);
    }
  } catch (e) {
    await Promise.all(Object.values(sessions).map((s) => s.release()));
    throw e;
  }
  return { sessions, embeddings };
}
