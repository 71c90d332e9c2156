import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { ISOLATION_HEADERS, ortRuntimeFiles } from '../../vite.config';

/**
 * A test-only page (never part of the product build) that exposes transformers.js, the built-in
 * models and the real inference worker to Playwright, so browser tests run the real runtime.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  publicDir: fileURLToPath(new URL('../../public', import.meta.url)),
  base: './',
  appType: 'mpa',
  plugins: [ortRuntimeFiles()],
  worker: { format: 'es' },
  server: { headers: ISOLATION_HEADERS },
  build: {
    outDir: process.env.HARNESS_DIST_DIR ?? fileURLToPath(new URL('../../dist-harness', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
  },
});
