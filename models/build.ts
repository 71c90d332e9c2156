/**
 * `npm run models:build [outDir]`: writes the built-in tiny models to `public/models/<id>/`
 * (or `outDir/<id>/`). Deterministic: the same source always gives the same bytes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tinyModelFiles } from './tiny/files';
import { TINY_MODELS } from './tiny/spec';

export const DEFAULT_MODELS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../public/models');

export function writeTinyModels(outDir: string): string[] {
  const written: string[] = [];
  for (const spec of TINY_MODELS) {
    for (const [path, bytes] of tinyModelFiles(spec)) {
      const target = join(outDir, spec.id, path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, bytes);
      written.push(target);
    }
  }
  return written;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outDir = resolve(process.argv[2] ?? DEFAULT_MODELS_DIR);
  for (const file of writeTinyModels(outDir)) console.log(file);
}
