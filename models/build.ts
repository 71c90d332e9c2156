/**
 * `npm run models:build [outDir]`: writes the built-in tiny models to `public/models/<id>/`
 * (or `outDir/<id>/`), and `ergo-tiny` from the committed training checkpoint
 * (`models/policy/checkpoint/`). Deterministic: the same source always gives the same bytes.
 *
 * `npm run models:build -- --like <config.json> --out <dir> [--layers N] [--vision-blocks N]
 * [--dtypes fp32,fp16,q8,q4,q4f16] [--external-data] [--chunk-mb N] [--generation-config <file>]`:
 * a random-weight model with the real config's dimensions (models/like/build.ts).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ALL_DTYPES, buildLike, DEFAULT_CHUNK_BYTES } from './like/build';
import type { Dtype } from './tiny/layers';
import { policyModelFiles } from './policy/files';
import { POLICY_ID } from './policy/spec';
import { scriptedModelFiles } from './scripted/files';
import { SCRIPTED_MODEL } from './scripted/spec';
import { tinyModelFiles } from './tiny/files';
import { TINY_MODELS } from './tiny/spec';

export const DEFAULT_MODELS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../public/models');

export const POLICY_CHECKPOINT = resolve(dirname(fileURLToPath(import.meta.url)), 'policy/checkpoint');

function writeFiles(dir: string, files: Map<string, Uint8Array>): string[] {
  return [...files].map(([path, bytes]) => {
    const target = join(dir, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, bytes);
    return target;
  });
}

export function writeTinyModels(outDir: string): string[] {
  return [
    ...TINY_MODELS.flatMap((spec) => writeFiles(join(outDir, spec.id), tinyModelFiles(spec))),
    ...writeFiles(join(outDir, SCRIPTED_MODEL.id), scriptedModelFiles(SCRIPTED_MODEL)),
  ];
}

/** `ergo-tiny` with the weights of `checkpoint`. */
export function writePolicyModel(outDir: string, checkpoint: string = POLICY_CHECKPOINT): string[] {
  return writeFiles(join(outDir, POLICY_ID), policyModelFiles(checkpoint));
}

const USAGE = 'usage: npm run models:build -- --like <config.json> --out <dir> [--layers N] [--vision-blocks N] [--dtypes fp32,fp16,q8,q4,q4f16] [--external-data] [--chunk-mb N] [--generation-config <file>]';

/** Parses `--like` arguments; throws with the usage line on anything it does not know. */
export function likeArgs(argv: readonly string[]): Parameters<typeof buildLike>[0] {
  const values = new Map<string, string>();
  let externalData = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--external-data') externalData = true;
    else if (['--like', '--out', '--layers', '--vision-blocks', '--dtypes', '--chunk-mb', '--generation-config'].includes(arg) && argv[i + 1] !== undefined) values.set(arg, argv[++i]!);
    else throw new Error(`unknown or incomplete argument "${arg}"\n${USAGE}`);
  }
  const like = values.get('--like');
  const out = values.get('--out');
  if (!like || !out) throw new Error(USAGE);
  const count = (key: string, fallback: number): number => {
    const n = Number(values.get(key) ?? fallback);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${key} must be a positive integer\n${USAGE}`);
    return n;
  };
  const dtypes = (values.get('--dtypes')?.split(',') ?? [...ALL_DTYPES]) as Dtype[];
  const unknown = dtypes.filter((d) => !ALL_DTYPES.includes(d));
  if (unknown.length > 0) throw new Error(`unknown dtype ${unknown.join(', ')}: one of ${ALL_DTYPES.join(', ')}`);
  const readJson = (path: string): Record<string, unknown> => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  const generation = values.get('--generation-config');
  return {
    like: readJson(like),
    out: resolve(out),
    layers: count('--layers', 1),
    visionBlocks: count('--vision-blocks', 1),
    dtypes,
    externalData,
    chunkBytes: values.has('--chunk-mb') ? count('--chunk-mb', 1) * 1024 * 1024 : DEFAULT_CHUNK_BYTES,
    ...(generation ? { generationConfig: readJson(generation) } : {}),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  if (argv.some((a) => a.startsWith('--'))) {
    try {
      const result = buildLike(likeArgs(argv));
      for (const file of result.files) console.log(`${file.path}\t${file.bytes}`);
    } catch (e) {
      console.error((e as Error).message);
      process.exit(1);
    }
  } else {
    const outDir = resolve(argv[0] ?? DEFAULT_MODELS_DIR);
    for (const file of [...writeTinyModels(outDir), ...writePolicyModel(outDir)]) console.log(file);
  }
}
