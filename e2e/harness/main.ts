// Exposes the real runtime pieces on `window.harness` for Playwright's page.evaluate.
import * as transformers from '@huggingface/transformers';
import { EngineDriver, patternImage } from './engineDriver';

const ortBase = new URL('./ort/', location.href).href;

const harness = {
  transformers,
  /** Absolute URLs: relative ones would resolve against the module, not the page. */
  modelsUrl: new URL('./models/', location.href).href,
  ortWasmPaths: {
    mjs: `${ortBase}ort-wasm-simd-threaded.asyncify.mjs`,
    wasm: `${ortBase}ort-wasm-simd-threaded.asyncify.wasm`,
  },
  /** The real inference worker behind the real EngineClient (Vite bundles the worker). */
  createEngine: () => new EngineDriver(),
  patternImage,
};

declare global {
  interface Window {
    harness: typeof harness;
  }
}

window.harness = harness;
document.body.dataset.ready = 'true';
