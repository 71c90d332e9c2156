// Exposes the real runtime pieces on `window.harness` for Playwright's page.evaluate.
import * as transformers from '@huggingface/transformers';

const ortBase = new URL('./ort/', location.href).href;

const harness = {
  transformers,
  /** Absolute URLs: relative ones would resolve against the module, not the page. */
  modelsUrl: new URL('./models/', location.href).href,
  ortWasmPaths: {
    mjs: `${ortBase}ort-wasm-simd-threaded.asyncify.mjs`,
    wasm: `${ortBase}ort-wasm-simd-threaded.asyncify.wasm`,
  },
};

declare global {
  interface Window {
    harness: typeof harness;
  }
}

window.harness = harness;
document.body.dataset.ready = 'true';
