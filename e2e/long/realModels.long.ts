import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { buildLike } from '../../models/like/build';
import { LensPage } from '../pages/LensPage';

// Long check (`npm run test:long:e2e`): a model with Qwen2-VL-2B's real dimensions (151936 x 1536
// embeddings, 12/2 heads, 1280-wide vision tower), one layer, built at test time (about 1 GB, never
// committed) and loaded through the local-folder picker: the app's own config normalization, dtype
// choice and loader.
const config = JSON.parse(readFileSync('models/configs/qwen2-vl-2b-instruct.config.json', 'utf8')) as Record<string, unknown>;
let root = '';
let q4 = '';
let q4f16 = '';

test.describe.configure({ mode: 'serial', timeout: 1_800_000 });

test.beforeAll(() => {
  test.setTimeout(3_600_000);
  root = mkdtempSync(join(tmpdir(), 'real-dims-e2e-'));
  q4 = join(root, 'qwen2-vl-2b-q4');
  q4f16 = join(root, 'qwen2-vl-2b-q4f16');
  // q4 with every file in 64 MiB external data chunks; float16 activations as the Hub's f16 set
  // ships them: fp16 embeddings, q4f16 vision encoder and decoder.
  buildLike({ like: config, out: q4, dtypes: ['q4'], externalData: true, chunkBytes: 64 * 1024 * 1024 });
  buildLike({ like: config, out: q4f16, dtypes: { embed_tokens: ['fp16'], vision_encoder: ['q4f16'], decoder_model_merged: ['q4f16'] } });
});
test.afterAll(() => rmSync(root, { recursive: true, force: true }));

async function runBothTurns(lens: LensPage, folder: string): Promise<void> {
  const page = lens.page;
  await page.getByTestId('model-folder').setInputFiles(folder);
  await lens.upload('scene.png', await lens.pattern(168, 112));
  await page.getByLabel('No box').selectOption('full-image');
  await page.getByLabel('Max new tokens').fill('3');
  await lens.ask('What is written on the sign?');
  await lens.finished(1_500_000);
  await expect(lens.stage1).not.toBeEmpty();
  // Random weights name no region: the whole image goes in as the fine turn, continuing the coarse turn's cache.
  await expect(lens.stage2).not.toBeEmpty();
}

for (const backend of ['wasm', 'webgpu'] as const) {
  test(`2B dimensions, q4 in external data chunks: loads from a folder and runs both turns on ${backend}`, async ({ page }) => {
    expect(readdirSync(join(q4, 'onnx')).filter((f) => f.includes('.onnx_data')).length).toBeGreaterThan(3);
    const lens = new LensPage(page);
    await lens.open(`model=custom&backend=${backend}`);
    await runBothTurns(lens, q4);
    await expect(page.getByTestId('backend-indicator')).toContainText(backend === 'webgpu' ? 'WebGPU' : 'wasm');
    await expect(page.getByTestId('backend-indicator')).toContainText('q4/q4/q4');
  });
}

test('2B dimensions, fp16 embeddings with q4f16 (float16 activations): runs on wasm', async ({ page }) => {
  const lens = new LensPage(page);
  await lens.open('model=custom&backend=wasm');
  await runBothTurns(lens, q4f16);
  await expect(page.getByTestId('backend-indicator')).toContainText('fp16/q4f16/q4f16');
});

test('2B dimensions, q4f16 on WebGPU without shader-f16: refused with the reason, before loading', async ({ page }) => {
  const lens = new LensPage(page);
  await lens.open('model=custom&backend=webgpu');
  await page.getByTestId('model-folder').setInputFiles(q4f16);
  await page.getByTestId('load-model').click();
  await expect(page.getByTestId('model-error')).toHaveAttribute('data-code', 'needs-shader-f16');
  await expect(page.getByTestId('model-error')).toContainText('shader-f16');
});
