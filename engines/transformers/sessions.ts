/**
 * The browser's ONNX sessions, created one at a time so that a model file is held twice only while
 * its own session is created: transformers.js' `from_pretrained` fetches every file of every session
 * into JS buffers at once, and onnxruntime-web then copies each into its own memory (the wasm heap,
 * or GPU buffers), so the load peak is about twice the model. Here a session's files are fetched
 * when that session is created (a picked file or a cached Hub file as a Blob, kept by the browser on
 * disk until then), and dropped as soon as it exists.
 *
 * onnxruntime-web's asyncify build reads a Blob of external data whole when its session is created;
 * its JSPI build streams it tensor by tensor. Either way the peak is what earlier sessions hold plus
 * twice the current one (its largest tensor, with JSPI). That is smallest when the largest session
 * is created first (see `creationOrder`).
 *
 * Node does not need this: transformers.js hands onnxruntime-node file paths, and it reads them itself.
 */
import { InferenceSession } from 'onnxruntime-web/webgpu';
import type { LoadPhase } from '../../pipeline/protocol';
import type { Dtype, OnnxFile } from '../../pipeline/registry';
import { DTYPE_SUFFIX } from './folderDtypes';
import type { ModelFiles } from './modelFiles';

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

interface SessionFiles {
  readonly name: OnnxFile;
  readonly model: { readonly path: string; readonly bytes: number };
  readonly chunks: readonly { readonly path: string; readonly bytes: number }[];
  readonly bytes: number;
}

/**
 * Largest first. Creating session k costs what sessions 1..k-1 already hold plus twice session k
 * (its bytes in the page and in the runtime); swapping two neighbours so the larger goes first never
 * raises that maximum, so descending order minimizes it.
 */
export function creationOrder<T extends { readonly bytes: number }>(sessions: readonly T[]): T[] {
  return [...sessions].sort((a, b) => b.bytes - a.bytes);
}

function filesOf(plan: SessionPlan): SessionFiles[] {
  return (Object.entries(plan.dtypes) as [OnnxFile, Dtype][]).map(([name, dtype]) => {
    const path = `onnx/${name}${DTYPE_SUFFIX[dtype]}.onnx`;
    const model = plan.files.find((f) => f.path === path) ?? { path, bytes: 0 };
    const chunks = plan.files.filter((f) => f.path.startsWith(`${path}_data`));
    return { name, model, chunks, bytes: model.bytes + chunks.reduce((n, c) => n + c.bytes, 0) };
  });
}

/** Creates the sessions of `plan`, one at a time, largest first; releases them all if one fails. */
export async function createSessions(plan: SessionPlan, source: ModelFiles): Promise<Record<OnnxFile, InferenceSession>> {
  const sessions: Partial<Record<OnnxFile, InferenceSession>> = {};
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
      const core = await fetchFile(files.model);
      const model = core instanceof Blob ? new Uint8Array(await core.arrayBuffer()) : core;
      const externalData: { path: string; data: Blob | Uint8Array }[] = [];
      for (const chunk of files.chunks) externalData.push({ path: chunk.path.slice('onnx/'.length), data: await fetchFile(chunk) });
      plan.onProgress({ status: 'phase', phase: 'session', file: files.model.path });
      const outputs = files.name === 'decoder_model_merged' && plan.device === 'webgpu' ? plan.gpuOutputs : [];
      sessions[files.name] = await InferenceSession.create(model, {
        executionProviders: [plan.device],
        externalData,
        // Errors only: onnxruntime's warnings on session creation are many and not actionable here.
        logSeverityLevel: 3,
        ...(outputs.length > 0 ? { preferredOutputLocation: Object.fromEntries(outputs.map((name) => [name, 'gpu-buffer' as const])) } : {}),
      });
    }
  } catch (e) {
    await Promise.all(Object.values(sessions).map((s) => s.release()));
    throw e;
  }
  return sessions as Record<OnnxFile, InferenceSession>;
}
