/**
 * The transformers.js engine in Node, on onnxruntime-node: the same model folders, registry ids,
 * sessions and runs as the browser worker.
 *
 * `model` is a registry id (built-in models load from this checkout's `public/models/`, Hub entries
 * from the Hub) or a path to a model folder in the Hub's ONNX layout. Node has one CPU backend, so a
 * model uses its registry's wasm (CPU) dtypes, or for a folder the closest precisions it has.
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { env } from '@huggingface/transformers';
import { EngineError } from '../../pipeline/errors';
import { findModel, type ModelEntry } from '../../pipeline/registry';
import { TransformersEngine } from '../transformers/engine';
import { dtypesForFolder } from '../transformers/folderDtypes';
import { loadModelFiles, type ProgressSink } from '../transformers/load';
import { fileReader, HttpError, type ModelFiles } from '../transformers/modelFiles';

/** Where the built-in models are generated (`npm run models:build`). */
export const BUILT_IN_MODELS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../public/models');

export interface NodeLoadOptions {
  /** A registry id, or a model folder (a path: it contains a `/` or names an existing directory). */
  readonly model: string;
  readonly onProgress?: ProgressSink;
  /** onnxruntime-node threads (default: its own choice). */
  readonly threads?: number;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

/** A whole file in one buffer, read in pieces (`readFileSync` stops at 2 GiB; an embedding table in external data can be larger). */
function readWhole(path: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(statSync(path).size);
  const fd = openSync(path, 'r');
  try {
    for (let at = 0; at < out.length; ) {
      const n = readSync(fd, out, at, Math.min(out.length - at, 1 << 30), at);
      if (n === 0) throw new Error(`${path} ended after ${at} of ${out.length} bytes`);
      at += n;
    }
  } finally {
    closeSync(fd);
  }
  return out;
}

/** Reads a model folder's files from disk. */
function folderReader(folder: string): ModelFiles {
  const at = (path: string) => join(folder, ...path.split('/'));
  return {
    async text(path) {
      return existsSync(at(path)) ? readFileSync(at(path), 'utf8') : null;
    },
    async size(path) {
      return existsSync(at(path)) ? statSync(at(path)).size : null;
    },
    async data(path) {
      if (!existsSync(at(path))) throw new HttpError(404, path);
      return readWhole(at(path));
    },
  };
}

/** Loads a model for Node; errors are EngineErrors with the same codes as in the browser. */
export async function loadNodeEngine(options: NodeLoadOptions): Promise<TransformersEngine> {
  const started = performance.now();
  const registered = findModel(options.model);
  const isFolder = !registered || existsSync(options.model);
  let entry: ModelEntry;
  let id: string;
  let where: string;
  let dtypes;
  let reader: ModelFiles;
  env.useFSCache = false;
  if (isFolder) {
    const folder = resolve(options.model);
    if (!existsSync(folder) || !statSync(folder).isDirectory()) {
      throw new EngineError('unknown-model', `"${options.model}" is neither a registry id nor a model folder`);
    }
    if (!existsSync(join(folder, 'config.json'))) throw new EngineError('model-file-missing', `the folder ${folder} has no config.json`);
    entry = findModel('custom')!;
    const chosen = dtypesForFolder(entry.dtypes.wasm!, new Set(listFiles(folder).map((f) => relative(folder, f).split('\\').join('/'))));
    if (!chosen.ok) throw new EngineError('model-file-missing', `the folder ${folder} has no ${chosen.missing}`);
    dtypes = chosen.dtypes;
    env.allowLocalModels = true;
    env.allowRemoteModels = false;
    env.localModelPath = dirname(folder) + '/';
    id = basename(folder);
    where = `the folder ${folder}`;
    reader = folderReader(folder);
  } else {
    entry = registered;
    if (!entry.dtypes.wasm) throw new EngineError('unsupported-device', `${entry.label} cannot run on the CPU: ${entry.unsupported ?? 'no CPU dtypes'}`);
    dtypes = entry.dtypes.wasm;
    switch (entry.source.kind) {
      case 'site':
        env.allowLocalModels = true;
        env.allowRemoteModels = false;
        env.localModelPath = BUILT_IN_MODELS_DIR + '/';
        id = entry.source.path;
        where = `built-in model "${id}"`;
        reader = folderReader(join(BUILT_IN_MODELS_DIR, id));
        break;
      case 'hub':
        env.allowLocalModels = false;
        env.allowRemoteModels = true;
        id = entry.source.repo;
        where = `Hub repo "${id}"`;
        reader = fileReader(entry.source, '', env.remoteHost, env.cacheKey);
        break;
      case 'server':
        throw new EngineError('server-source', `"${entry.id}" is a server: use engines/openai to talk to one`);
      case 'user':
        throw new EngineError('missing-source', `model "${entry.id}" needs a folder: pass its path instead of the id`);
    }
  }
  if (options.threads) env.backends.onnx.numThreads = options.threads;
  const loaded = await loadModelFiles({
    id,
    where,
    entry,
    dtypes,
    device: 'cpu',
    backend: 'cpu',
    backendReason: 'Node: onnxruntime-node on the CPU',
    adapter: null,
    shaderF16: false,
    threads: options.threads ?? 0,
    maxBufferBytes: 0,
    reader,
    files: null,
    started,
    onProgress: options.onProgress ?? (() => {}),
  });
  return new TransformersEngine(loaded);
}
