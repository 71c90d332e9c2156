// Exposes the real runtime pieces on `window.harness` for Playwright's page.evaluate.
import * as transformers from '@huggingface/transformers';
import { boxIn } from '../../app/core/geometry';
import { findScene, renderScene } from '../../app/samples/scenes';
import { decodeImage } from '../../workers/decode';
import { EngineDriver, patternImage } from './engineDriver';

const ortBase = new URL('./ort/', location.href).href;
const ortWasmPaths = {
  mjs: `${ortBase}ort-wasm-simd-threaded.asyncify.mjs`,
  wasm: `${ortBase}ort-wasm-simd-threaded.asyncify.wasm`,
};

/** transformers.js reading only this site's models (never the Hub or the browser cache), on the site's ORT files. */
function localTransformers(threads?: number): typeof transformers {
  const { env } = transformers;
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
  env.useBrowserCache = false;
  env.localModelPath = new URL('./models/', location.href).pathname;
  env.backends.onnx.wasm!.wasmPaths = ortWasmPaths;
  if (threads !== undefined) env.backends.onnx.wasm!.numThreads = threads;
  return transformers;
}

const harness = {
  transformers,
  /** Absolute URLs: relative ones would resolve against the module, not the page. */
  modelsUrl: new URL('./models/', location.href).href,
  localTransformers,
  /** The real inference worker behind the real EngineClient (Vite bundles the worker). */
  createEngine: () => new EngineDriver(),
  patternImage,
  /** A built-in sample scene as the app draws it (a PNG file), by its id: `tags-7` is one of ergo-tiny's own. */
  sampleImage: (id: string): Promise<Blob> => renderScene(findScene(id)!),
  /** The worker's own decode, in the page: the pixel grid the model is given. */
  decodeImage,
  /** Milliseconds per cancel checkpoint in a worker, with a shared flag and with a yielded task. */
  timeCancelCheckpoints: (checkpoints: number) =>
    new Promise<{ shared: number; message: number }>((resolve) => {
      const worker = new Worker(new URL('./cancelBench.worker.ts', import.meta.url), { type: 'module' });
      worker.onmessage = (e: MessageEvent<{ shared: number; message: number }>) => {
        worker.terminate();
        resolve(e.data);
      };
      worker.postMessage({ checkpoints });
    }),
  /** Boxes are typed by their frame; requests built in the page make them here. */
  boxIn,
};

declare global {
  interface Window {
    harness: typeof harness;
    /** What a spec's successive page.evaluate calls share: its driver and input image. */
    engine?: EngineDriver;
    image?: Blob;
    /** A model loaded by plain transformers.js, that a benchmark compares the engine with. */
    referenceModel?: transformers.PreTrainedModel;
  }
}

window.harness = harness;
document.body.dataset.ready = 'true';
