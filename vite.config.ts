import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

const require = createRequire(import.meta.url);
// Resolved through transformers.js so the pair always matches the onnxruntime-web it imports.
const ortDist = dirname(createRequire(require.resolve('@huggingface/transformers')).resolve('onnxruntime-web'));

/** The onnxruntime-web runtime files transformers.js v4 loads (its WebGPU bundle uses the asyncify build). */
export const ORT_FILES = ['ort-wasm-simd-threaded.asyncify.mjs', 'ort-wasm-simd-threaded.asyncify.wasm'];

/**
 * Serves the ORT wasm pair from the site itself under `ort/`, so no CDN is ever contacted.
 * The pair must be the one shipped with the onnxruntime-web that transformers.js imports.
 */
export function ortRuntimeFiles(): Plugin {
  return {
    name: 'ergo-lens:ort-runtime-files',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const name = req.url?.match(/\/ort\/([\w.-]+)$/)?.[1];
        if (!name || !ORT_FILES.includes(name)) return next();
        res.setHeader('Content-Type', name.endsWith('.wasm') ? 'application/wasm' : 'text/javascript');
        res.end(readFileSync(join(ortDist, name)));
      });
    },
    generateBundle() {
      for (const name of ORT_FILES) {
        this.emitFile({ type: 'asset', fileName: `ort/${name}`, source: readFileSync(join(ortDist, name)) });
      }
    },
  };
}

/** Cross-origin isolation: lets onnxruntime-web use SharedArrayBuffer and several wasm threads. */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  // Relative by default so the static build works under any sub-path (GitHub Pages, Spaces).
  base: process.env.BASE_PATH ?? './',
  // Real 404s: transformers.js would otherwise parse index.html as a missing model file.
  appType: 'mpa',
  plugins: [react(), ortRuntimeFiles()],
  worker: { format: 'es' },
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
  build: { outDir: process.env.DIST_DIR ?? 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2048 },
});
